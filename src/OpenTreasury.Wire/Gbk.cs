using System.Text;
using System.Text.RegularExpressions;

using OpenTreasury.Domain;

namespace OpenTreasury.Wire;

/// <summary>
/// The wire's character encoding. Libraries speak GBK (code page 936); we also accept a message declared
/// GB18030 as long as every character in it is also in GBK, so whatever we read we can write back unchanged.
/// Both directions use exception fallbacks: an unencodable character or an invalid byte is an error, never '?'.
/// </summary>
internal static partial class Gbk
{
    public const string Declaration = "<?xml version=\"1.0\" encoding=\"GBK\"?>";

    private const int GbkCodePage = 936;
    private const int Gb18030CodePage = 54936;

    /// <summary>Where the declaration must end: <c>&lt;?xml</c> with version, encoding and standalone fits well inside.</summary>
    private const int DeclarationBytesMax = 200;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static ReadOnlySpan<byte> Utf16BigEndianBom => [0xFE, 0xFF];

    private static ReadOnlySpan<byte> Utf16LittleEndianBom => [0xFF, 0xFE];

    public static Encoding Strict { get; } = Create(GbkCodePage);

    private static Encoding Gb18030Strict { get; } = Create(Gb18030CodePage);

    public static bool IsRepresentable(string value)
    {
        if (Ascii.IsValid(value))
        {
            return true;
        }

        try
        {
            _ = Strict.GetByteCount(value);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The first character of <paramref name="value"/> that GBK cannot encode, as "'x' (U+XXXX)".</summary>
    public static string DescribeUnrepresentable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var length = char.IsHighSurrogate(value[i]) && i + 1 < value.Length ? 2 : 1;
            var piece = value.Substring(i, length);
            if (!IsRepresentable(piece))
            {
                return $"'{piece}' (U+{char.ConvertToUtf32(piece, 0):X4})";
            }

            i += length - 1;
        }

        return "a character";
    }

    /// <summary>
    /// Checks size, BOM and declaration, then decodes strictly into <paramref name="chars"/> (at least one char per byte:
    /// GBK and GB18030 never decode to more characters than bytes), so a 5 MB message need not become a string; the count
    /// written. Throws <see cref="WireAbort"/> on any fault.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        if (bytes.Length > Limits.MessageBytesMax)
        {
            throw Abort(WireErrorCode.TooLarge, $"the message is {bytes.Length} bytes, above the limit of {Limits.MessageBytesMax}");
        }

        if (bytes.StartsWith(Utf8Bom) || bytes.StartsWith(Utf16BigEndianBom) || bytes.StartsWith(Utf16LittleEndianBom))
        {
            throw Abort(WireErrorCode.WrongEncoding, "the message starts with a Unicode byte order mark; it must be GBK");
        }

        if (!bytes.StartsWith("<?xml"u8))
        {
            throw Abort(WireErrorCode.Malformed, $"the message must begin with {Declaration}");
        }

        var end = bytes[..Math.Min(bytes.Length, DeclarationBytesMax)].IndexOf("?>"u8);
        if (end < 0 || !Ascii.IsValid(bytes[..end]))
        {
            throw Abort(WireErrorCode.Malformed, "the XML declaration is not terminated");
        }

        var declaration = Encoding.ASCII.GetString(bytes[..end]);
        var match = EncodingPattern().Match(declaration);
        var name = match.Success ? match.Groups["name"].Value : null;
        var encoding = name?.ToUpperInvariant() switch
        {
            "GBK" => Strict,
            "GB18030" => Gb18030Strict,
            _ => throw Abort(WireErrorCode.WrongEncoding,
                name is null ? "the XML declaration names no encoding; it must be GBK" : $"the declared encoding '{Shorten(name)}' is not GBK"),
        };

        int written;
        try
        {
            written = encoding == Strict ? DecodeGbk(bytes, chars) : encoding.GetChars(bytes, chars);
        }
        catch (DecoderFallbackException e)
        {
            throw Abort(WireErrorCode.WrongEncoding, $"the bytes are not valid {name} near byte {e.Index}");
        }

        if (encoding == Gb18030Strict && new string(chars[..written]) is var text && !IsRepresentable(text))
        {
            throw Abort(WireErrorCode.WrongEncoding, $"the message has {DescribeUnrepresentable(text)}, which is in GB18030 but not in GBK");
        }

        return written;
    }

    /// <summary>
    /// Strict GBK, as <c>Strict.GetChars</c> decodes it, but fast on what vouchers are mostly made of: runs of ASCII
    /// (tags, codes, amounts, base64) are widened with .NET's vectorised ASCII decoder and only the Chinese between them
    /// goes through the code page. GBK is stateless and a Chinese character is two bytes, a lead of 0x81–0xFE and a trail,
    /// so a run of them decodes alone exactly as inside the whole. Anything else (0x80, 0xFF, a cut-off pair) takes the
    /// code page's own path over the whole message, which decodes it or names the byte. The count of chars written.
    /// </summary>
    internal static int DecodeGbk(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        var written = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            var ascii = bytes[i..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            var run = ascii < 0 ? bytes.Length - i : ascii;
            _ = Ascii.ToUtf16(bytes.Slice(i, run), chars[written..], out var widened);
            (written, i) = (written + widened, i + run);
            var end = i;
            while (end < bytes.Length && bytes[end] >= 0x80)
            {
                if (bytes[end] is 0x80 or 0xFF || end + 1 >= bytes.Length)
                {
                    return Strict.GetChars(bytes, chars);
                }

                end += 2;
            }

            if (end > i)
            {
                try
                {
                    written += Strict.GetChars(bytes[i..end], chars[written..]);
                }
                catch (DecoderFallbackException)
                {
                    return Strict.GetChars(bytes, chars); // throws again, naming the byte's place in the whole message
                }

                i = end;
            }
        }

        return written;
    }

    public static string Shorten(string text) => text.Length <= 42 ? text : text[..42] + "…";

    private static WireAbort Abort(WireErrorCode code, string message) => new(new WireError(code, null, null, null, message));

    private static Encoding Create(int codePage)
    {
        // Asking the provider directly needs no process-wide Encoding.RegisterProvider, so the layer stays free
        // of global side effects; the instance is built once per code page and is thread-safe.
        return CodePagesEncodingProvider.Instance.GetEncoding(codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
            ?? throw new InvalidOperationException($"Code page {codePage} is not available.");
    }

    [GeneratedRegex("""\sencoding\s*=\s*(?:"(?<name>[^"]*)"|'(?<name>[^']*)')""", RegexOptions.CultureInvariant)]
    private static partial Regex EncodingPattern();
}
