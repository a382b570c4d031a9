using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTreasury.Printing.Tests;

/// <summary>
/// Reads back the text of a PDF that SkiaSharp wrote, page by page, as a person would copy it: each stream is
/// inflated (FlateDecode is zlib), each font's ToUnicode map gives its one-byte codes their characters, and the hex
/// strings shown in a page's content stream are decoded in order with the font last set, one line per text object
/// (BT … ET). Only what our own printer writes (Skia's Type3 fonts) is understood: a test aid, not a parser.
/// </summary>
internal static partial class PdfText
{
    /// <summary>How many pages the document has (its page objects).</summary>
    public static int PageCount(byte[] pdf) => PageObject().Count(Encoding.Latin1.GetString(pdf));

    /// <summary>Every stream of the document inflated, one after the other (the drawing operators, the fonts' maps…).</summary>
    public static string Streams(byte[] pdf) => string.Join("\n", ReadStreams(pdf).Values);

    /// <summary>The text of each page, in page order.</summary>
    public static IReadOnlyList<string> Pages(byte[] pdf)
    {
        return PagesOf(Encoding.Latin1.GetString(pdf), ReadStreams(pdf));
    }

    private static Dictionary<int, string> ReadStreams(byte[] pdf)
    {
        var raw = Encoding.Latin1.GetString(pdf);
        var streams = new Dictionary<int, string>();
        foreach (Match m in StreamObject().Matches(raw))
        {
            var start = m.Index + m.Length;
            var end = raw.IndexOf("endstream", start, StringComparison.Ordinal);
            var bytes = pdf.AsSpan(start, end - start).ToArray();
            var dictionary = m.Groups["dict"].Value;
            streams[int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture)] = dictionary.Contains("/FlateDecode", StringComparison.Ordinal) ? Inflate(bytes) : Encoding.Latin1.GetString(bytes);
        }

        return streams;
    }

    private static List<string> PagesOf(string raw, Dictionary<int, string> streams)
    {
        // Each font (a Type3 font of up to 256 glyphs) has its own ToUnicode map of one-byte codes.
        var fonts = new Dictionary<string, Dictionary<int, string>>(StringComparer.Ordinal);
        foreach (Match resource in FontResource().Matches(raw))
        {
            var font = FontObject(int.Parse(resource.Groups["obj"].Value, CultureInfo.InvariantCulture)).Match(raw);
            if (font.Success && !fonts.ContainsKey(resource.Groups["name"].Value))
            {
                fonts[resource.Groups["name"].Value] = ReadCMap(streams[int.Parse(font.Groups["cmap"].Value, CultureInfo.InvariantCulture)]);
            }
        }

        var pages = new List<string>();
        foreach (Match page in PageContents().Matches(raw))
        {
            var text = new StringBuilder();
            foreach (Match block in TextObject().Matches(streams[int.Parse(page.Groups["id"].Value, CultureInfo.InvariantCulture)]))
            {
                var codes = new Dictionary<int, string>();
                foreach (Match token in TextToken().Matches(block.Value))
                {
                    if (token.Groups["font"].Success)
                    {
                        codes = fonts.GetValueOrDefault(token.Groups["font"].Value, []);
                        continue;
                    }

                    var digits = token.Groups["hex"].Value;
                    for (var i = 0; i + 2 <= digits.Length; i += 2)
                    {
                        text.Append(codes.GetValueOrDefault(Hex(digits.Substring(i, 2)), "\uFFFD"));
                    }
                }

                text.Append('\n');
            }

            pages.Add(text.ToString());
        }

        return pages;
    }

    private static string Inflate(byte[] bytes)
    {
        using var input = new ZLibStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return Encoding.Latin1.GetString(output.ToArray());
    }

    private static Dictionary<int, string> ReadCMap(string cmap)
    {
        var glyphs = new Dictionary<int, string>();
        foreach (Match section in BfChar().Matches(cmap))
        {
            foreach (Match pair in HexPair().Matches(section.Groups[1].Value))
            {
                glyphs[Hex(pair.Groups[1].Value)] = Utf16(pair.Groups[2].Value);
            }
        }

        foreach (Match section in BfRange().Matches(cmap))
        {
            foreach (Match range in HexRange().Matches(section.Groups[1].Value))
            {
                var (from, to, first) = (Hex(range.Groups[1].Value), Hex(range.Groups[2].Value), Hex(range.Groups[3].Value));
                for (var g = from; g <= to; g++)
                {
                    glyphs[g] = char.ConvertFromUtf32(first + (g - from));
                }
            }
        }

        return glyphs;
    }

    private static int Hex(string digits) => int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static string Utf16(string digits) =>
        Encoding.BigEndianUnicode.GetString(Convert.FromHexString(digits));

    [GeneratedRegex(@"/Type\s*/Page\b(?!s)")]
    private static partial Regex PageObject();

    [GeneratedRegex(@"(?<id>\d+) 0 obj\s*(?<dict><<(?:[^<>]|<<[^<>]*>>|<[^<>]*>)*>>)\s*stream\r?\n")]
    private static partial Regex StreamObject();

    [GeneratedRegex(@"/Type\s*/Page\b(?!s)(?:(?!endobj).)*?/Contents\s+(?<id>\d+) 0 R", RegexOptions.Singleline)]
    private static partial Regex PageContents();

    [GeneratedRegex(@"BT\b.*?\bET", RegexOptions.Singleline)]
    private static partial Regex TextObject();

    [GeneratedRegex(@"/(?<font>F\d+)\s+[\d.]+\s+Tf|<(?<hex>[0-9A-Fa-f]+)>")]
    private static partial Regex TextToken();

    [GeneratedRegex(@"/(?<name>F\d+)\s+(?<obj>\d+) 0 R")]
    private static partial Regex FontResource();

    private static Regex FontObject(int id) =>
        new($@"\n{id} 0 obj\s*<</Type /Font[^>]*?/ToUnicode (?<cmap>\d+) 0 R", RegexOptions.Singleline);

    [GeneratedRegex(@"beginbfchar(.*?)endbfchar", RegexOptions.Singleline)]
    private static partial Regex BfChar();

    [GeneratedRegex(@"beginbfrange(.*?)endbfrange", RegexOptions.Singleline)]
    private static partial Regex BfRange();

    [GeneratedRegex(@"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")]
    private static partial Regex HexPair();

    [GeneratedRegex(@"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")]
    private static partial Regex HexRange();
}
