using System.Buffers;
using System.Text;
using System.Xml;

using OpenTreasury.Domain;

namespace OpenTreasury.Wire;

/// <summary>Stops a read at the first fault that makes going on pointless or unsafe; caught at the entry point.</summary>
internal sealed class WireAbort(WireError error) : Exception(error.ToString())
{
    public WireError Error { get; } = error;
}

/// <summary>
/// A forward-only reader for the wire's simple XML: containers hold only elements, leaves hold only text.
/// DTDs are prohibited and nothing is resolved, so no entity can expand and no file or URL is opened.
/// Every read is bounded by the caller's limits, so hostile input never builds a large object graph.
/// </summary>
internal sealed class StrictXml : IDisposable
{
    private static readonly XmlReaderSettings s_settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = Limits.MessageBytesMax,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false, // A field value of spaces is data; whitespace between elements is skipped below.
        CheckCharacters = true,
        ConformanceLevel = ConformanceLevel.Document,
    };

    /// <summary>Attributes on one element; the formats use at most five (VoucherBody).</summary>
    private const int AttributesPerElementMax = 16;

    /// <summary>How much of a long leaf's text is read at a time (<see cref="ReadLeafInto"/>).</summary>
    private const int LeafChunkChars = 16 * 1024;

    private readonly XmlReader _reader;

    private StrictXml(TextReader text) => _reader = XmlReader.Create(text, s_settings);

    /// <summary>The label of the voucher being read, for errors; updated by the caller as it learns the key.</summary>
    public string? Voucher { get; set; }

    public string Name => _reader.LocalName;

    public bool IsEmptyElement => _reader.IsEmptyElement;

    /// <summary>
    /// Decodes the bytes and runs <paramref name="read"/>; turns every expected fault into errors and never throws.
    /// The text is decoded into a pooled buffer, not a string: a payroll's envelope is 4.6 MB of bytes, 9 MB as a string.
    /// </summary>
    public static WireResult<T> Run<T>(ReadOnlySpan<byte> bytes, Func<StrictXml, WireResult<T>> read)
    {
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            int length;
            try
            {
                length = Gbk.Decode(bytes, chars);
            }
            catch (WireAbort abort)
            {
                return WireResult.Failure<T>(abort.Error);
            }

            return Run(new ArraySegment<char>(chars, 0, length), read);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static WireResult<T> Run<T>(ArraySegment<char> text, Func<StrictXml, WireResult<T>> read)
    {
        using var xml = new StrictXml(new CharsReader(text));
        try
        {
            CheckAttributeCounts(text);
            return read(xml);
        }
        catch (WireAbort abort)
        {
            return WireResult.Failure<T>(abort.Error);
        }
        catch (XmlException e) when (text.AsSpan().IndexOf("<!DOCTYPE", StringComparison.Ordinal) >= 0)
        {
            return WireResult.Failure<T>(new WireError(WireErrorCode.DtdProhibited, xml.Voucher, null, null,
                $"a DOCTYPE is not allowed (no DTD, no entities): {e.Message}"));
        }
        catch (XmlException e)
        {
            return WireResult.Failure<T>(new WireError(WireErrorCode.Malformed, xml.Voucher, null, null, e.Message));
        }
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>
    /// XmlReader checks each start tag's attributes for duplicates in time that grows with the square of
    /// their number: one tag of a million attributes costs seconds. Our formats have at most five per element,
    /// so a linear pre-scan refuses any start tag with more than <see cref="AttributesPerElementMax"/> first.
    /// </summary>
    private static void CheckAttributeCounts(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (true)
        {
            var found = text[i..].IndexOf('<');
            if (found < 0 || i + found + 1 >= text.Length)
            {
                return;
            }

            i += found;
            var next = text[i + 1];
            if (next is '!' or '?' or '/')
            {
                // Skip comments, CDATA, DOCTYPE, PIs and end tags whole, so their text cannot look like a tag.
                var close = next switch
                {
                    '!' when text[i..].StartsWith("<!--") => "-->",
                    '!' when text[i..].StartsWith("<![CDATA[") => "]]>",
                    '?' => "?>",
                    _ => ">",
                };
                var end = text[(i + 2)..].IndexOf(close, StringComparison.Ordinal);
                i = end < 0 ? text.Length : i + 2 + end + close.Length;
                continue;
            }

            var attributes = 0;
            var quote = '\0';
            for (i++; i < text.Length; i++)
            {
                var c = text[i];
                if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                }
                else if (c == '=' && ++attributes > AttributesPerElementMax)
                {
                    throw new WireAbort(new WireError(WireErrorCode.TooMany, null, null, null,
                        $"an element has more than {AttributesPerElementMax} attributes"));
                }
                else if (c is '>' or '<')
                {
                    break;
                }
            }
        }
    }

    /// <summary>Moves to the root element and requires its name and no attributes.</summary>
    public void ReadRoot(string name)
    {
        _ = _reader.MoveToContent();
        if (_reader.NodeType != XmlNodeType.Element)
        {
            throw Abort(WireErrorCode.Malformed, null, $"expected the root element <{name}>");
        }

        RequireName(name, null);
        RejectAttributes(name);
    }

    /// <summary>After the root's end: only whitespace (and ignored comments) may follow.</summary>
    public void ReadEnd()
    {
        while (_reader.Read())
        {
            if (_reader.NodeType != XmlNodeType.Whitespace)
            {
                throw Abort(WireErrorCode.Malformed, null, "content after the root element");
            }
        }
    }

    /// <summary>
    /// Advances to the next child element of the container the reader is in; false at the container's end.
    /// Call only for a container that is not an empty element.
    /// </summary>
    public bool NextChild(string container)
    {
        while (_reader.Read())
        {
            switch (_reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (_reader.NamespaceURI.Length > 0 || _reader.Prefix.Length > 0)
                    {
                        throw Abort(WireErrorCode.UnexpectedElement, _reader.Name, $"<{Shorten(_reader.Name)}> in <{container}> has a namespace; the format has none");
                    }

                    return true;
                case XmlNodeType.EndElement:
                    return false;
                case XmlNodeType.Whitespace:
                    continue;
                default:
                    throw Abort(WireErrorCode.UnexpectedElement, container, $"<{container}> may hold only elements, not {_reader.NodeType}");
            }
        }

        throw Abort(WireErrorCode.Malformed, container, $"the message ends inside <{container}>");
    }

    /// <summary>Reads the text of the current leaf element (entities decoded); at most <paramref name="lengthMax"/> characters.</summary>
    public string ReadLeaf(string field, int? detailLine, int lengthMax, WireErrorCode tooLong = WireErrorCode.TooLarge)
    {
        if (_reader.IsEmptyElement)
        {
            return string.Empty;
        }

        StringBuilder? text = null;
        var single = string.Empty;
        while (NextText(field, detailLine))
        {
            var value = _reader.Value;
            var length = (text?.Length ?? single.Length) + value.Length;
            if (length > lengthMax)
            {
                throw Abort(tooLong, field, $"the value is longer than {lengthMax} characters", detailLine);
            }

            if (text is null && single.Length == 0)
            {
                single = value;
            }
            else
            {
                text ??= new StringBuilder(single);
                _ = text.Append(value);
            }
        }

        return text?.ToString() ?? single;
    }

    /// <summary>
    /// Feeds the text of the current leaf element to <paramref name="sink"/> in chunks, never as one string; at most
    /// <paramref name="lengthMax"/> characters. For the base64 leaves, whose text is the largest part of a message.
    /// </summary>
    public void ReadLeafInto(StrictBase64 sink, string field, int lengthMax)
    {
        if (_reader.IsEmptyElement)
        {
            return;
        }

        var chunk = ArrayPool<char>.Shared.Rent(LeafChunkChars);
        try
        {
            var length = 0;
            while (NextText(field, null))
            {
                int read;
                while ((read = _reader.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
                {
                    length += read;
                    if (length > lengthMax)
                    {
                        throw Abort(WireErrorCode.TooLarge, field, $"the value is longer than {lengthMax} characters");
                    }

                    sink.Append(chunk.AsSpan(0, read));
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chunk);
        }
    }

    /// <summary>Inside a leaf: true on its next piece of text, false at its end; anything else is refused.</summary>
    private bool NextText(string field, int? detailLine)
    {
        if (!_reader.Read())
        {
            throw Abort(WireErrorCode.Malformed, field, $"the message ends inside <{field}>", detailLine);
        }

        return _reader.NodeType switch
        {
            XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace => true,
            XmlNodeType.EndElement => false,
            XmlNodeType.Element => throw Abort(WireErrorCode.UnexpectedElement, field,
                $"<{Shorten(_reader.Name)}> inside the field {field}; a field holds only text", detailLine),
            _ => throw Abort(WireErrorCode.UnexpectedElement, field, $"{_reader.NodeType} inside the field {field}", detailLine),
        };
    }

    public void RequireName(string name, string? container)
    {
        if (!string.Equals(_reader.LocalName, name, StringComparison.Ordinal) || _reader.NamespaceURI.Length > 0 || _reader.Prefix.Length > 0)
        {
            var where = container is null ? "as the root" : $"in <{container}>";
            var found = _reader.NamespaceURI.Length > 0 || _reader.Prefix.Length > 0
                ? $"<{Shorten(_reader.Name)}> in namespace '{Shorten(_reader.NamespaceURI)}' (the format's elements have no namespace)"
                : $"<{Shorten(_reader.Name)}>";
            throw Abort(WireErrorCode.UnexpectedElement, _reader.Name, $"expected <{name}> {where}, found {found}");
        }
    }

    public void RejectAttributes(string element, int? detailLine = null)
    {
        if (_reader.HasAttributes)
        {
            _ = _reader.MoveToFirstAttribute();
            var name = _reader.Name;
            _ = _reader.MoveToElement();
            throw Abort(WireErrorCode.InvalidAttribute, element, $"<{element}> has no attributes, found '{Shorten(name)}'", detailLine);
        }
    }

    /// <summary>The attributes of the current element as (name, namespace, value); the reader stays on the element.</summary>
    public List<(string Name, string Namespace, string Value)> Attributes()
    {
        var attributes = new List<(string, string, string)>(_reader.AttributeCount);
        if (_reader.MoveToFirstAttribute())
        {
            do
            {
                attributes.Add((_reader.Name, _reader.NamespaceURI, _reader.Value));
            }
            while (_reader.MoveToNextAttribute());

            _ = _reader.MoveToElement();
        }

        return attributes;
    }

    public WireAbort Abort(WireErrorCode code, string? field, string message, int? detailLine = null) =>
        new(new WireError(code, Voucher, field, detailLine, message));

    public static string Shorten(string text) => Gbk.Shorten(text);
}

/// <summary>Writes the wire's compact XML: no indentation, no newlines, only the escapes XML needs.</summary>
internal static class XmlText
{
    /// <summary>
    /// Appends <paramref name="value"/> escaped for element text or an attribute value. CR, LF and (in attributes)
    /// TAB are written as character references so a reader gets them back unnormalized; characters XML 1.0 cannot
    /// carry, and characters GBK cannot encode, throw naming <paramref name="what"/>.
    /// </summary>
    public static void AppendEscaped(StringBuilder text, string value, bool attribute, string what, string paramName)
    {
        if (!Gbk.IsRepresentable(value))
        {
            throw new ArgumentException($"{what} has {Gbk.DescribeUnrepresentable(value)}, which GBK cannot encode.", paramName);
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '&': _ = text.Append("&amp;"); break;
                case '<': _ = text.Append("&lt;"); break;
                case '>': _ = text.Append("&gt;"); break;
                case '"' when attribute: _ = text.Append("&quot;"); break;
                case '\r': _ = text.Append("&#xD;"); break;
                case '\n': _ = text.Append("&#xA;"); break;
                case '\t' when attribute: _ = text.Append("&#x9;"); break;
                case '\t': _ = text.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF':
                    throw new ArgumentException($"{what} has the control character U+{(int)c:X4}, which XML cannot carry.", paramName);
                default:
                    if (char.IsSurrogate(c))
                    {
                        // GBK has no characters outside the BMP, so any surrogate here is one IsRepresentable missed.
                        throw new ArgumentException($"{what} has a surrogate U+{(int)c:X4}, which GBK cannot encode.", paramName);
                    }

                    _ = text.Append(c);
                    break;
            }
        }
    }
}

/// <summary>A <see cref="StringReader"/> over a segment of a char array (the decoded message in a pooled buffer).</summary>
internal sealed class CharsReader(ArraySegment<char> text) : TextReader
{
    private int _position;

    public override int Peek() => _position < text.Count ? text[_position] : -1;

    public override int Read() => _position < text.Count ? text[_position++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        var count = Math.Min(buffer.Length, text.Count - _position);
        text.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
