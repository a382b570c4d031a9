using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace OpenTreasury.Wire.Tests;

/// <summary>
/// The chunked strict base64 decoder accepts exactly what the whole-string definition accepts (the alphabet,
/// final padding, a multiple of four, and text that the bytes write back to), however the text is cut into chunks.
/// </summary>
public class StrictBase64Properties
{
    /// <summary>Mostly the alphabet, with padding, whitespace and other characters that must be refused.</summary>
    private static readonly Gen<string> s_text = Gen.ArrayOf(Gen.Frequency(
        (30, Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".ToCharArray())),
        (3, Gen.Constant('=')),
        (1, Gen.Elements(" \n\t-_*é".ToCharArray())))).Select(c => new string(c));

    private static readonly Gen<int[]> s_cuts = Gen.ArrayOf(Gen.Choose(1, 9));

    [Property(MaxTest = 2000)]
    public Property Any_text_in_any_chunks_decodes_as_the_whole_string_definition_says() =>
        Prop.ForAll(Arb.From(s_text), Arb.From(s_cuts), (text, cuts) =>
        {
            var expected = WholeString(text);
            var actual = Chunked(text, cuts);
            return (expected == actual).Label($"'{text}': whole string {expected}, chunked {actual}");
        });

    [Property(MaxTest = 500)]
    public Property Any_bytes_written_as_base64_read_back_the_same() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))), Arb.From(s_cuts), (bytes, cuts) =>
            Chunked(Convert.ToBase64String(bytes), cuts) == (bytes.Length == 0 ? "empty" : Convert.ToHexString(bytes)));

    [Theory]
    [InlineData("PHYvPg==", "3C762F3E")]
    [InlineData("PHYvPh==", "not strict")] // decodes, but its padding bits are not zero
    [InlineData("PHYvPg=", "not strict")]
    [InlineData("PHY=PHYv", "not strict")] // padding only at the very end
    [InlineData("", "empty")]
    public void The_edges(string text, string expected) => Assert.Equal(expected, Chunked(text, [3]));

    /// <summary>The definition the reader used when it read the leaf as one string.</summary>
    private static string WholeString(string text)
    {
        if (text.Length == 0)
        {
            return "empty";
        }

        var bytes = new byte[text.Length / 4 * 3];
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return text.Length % 4 == 0
            && text.TrimEnd('=').All(alphabet.Contains)
            && Convert.TryFromBase64String(text, bytes, out var written)
            && Convert.ToBase64String(bytes, 0, written) == text
                ? Convert.ToHexString(bytes, 0, written)
                : "not strict";
    }

    private static string Chunked(string text, int[] cuts)
    {
        var decoder = new StrictBase64();
        var at = 0;
        for (var i = 0; at < text.Length; i++)
        {
            var take = Math.Min(cuts.Length == 0 ? text.Length : cuts[i % cuts.Length], text.Length - at);
            decoder.Append(text.AsSpan(at, take));
            at += take;
        }

        var (bytes, outcome) = decoder.Finish();
        return outcome switch
        {
            StrictBase64.Outcome.Decoded => Convert.ToHexString(bytes!),
            StrictBase64.Outcome.Empty => "empty",
            _ => "not strict",
        };
    }
}
