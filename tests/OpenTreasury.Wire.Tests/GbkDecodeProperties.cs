using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace OpenTreasury.Wire.Tests;

/// <summary>The fast GBK decoder (ASCII runs widened, Chinese runs through the code page) decodes exactly as the code page does, and fails where it fails.</summary>
public class GbkDecodeProperties
{
    /// <summary>Characters GBK can encode, with the ones whose trail byte is ASCII (e.g. 丂 0x81 0x40, 乗 0x81 0x5C).</summary>
    private static readonly Gen<char> s_gbkChar = Gen.Frequency(
        (4, Gen.Choose(0x00, 0x7F).Select(c => (char)c)),
        (4, Gen.Choose(0x4E00, 0x9FA5).Select(c => (char)c)),
        (2, Gen.Elements("丂乗丟€￥·—…“”（）【】、。".ToCharArray())));

    private static readonly Gen<byte[]> s_anyBytes = Gen.ArrayOf(Gen.Frequency(
        (6, Gen.Choose(0x00, 0x7F).Select(b => (byte)b)),
        (4, Gen.Choose(0x80, 0xFF).Select(b => (byte)b))));

    [Property(MaxTest = 500)]
    public Property Any_GBK_text_decodes_as_the_code_page_decodes_it() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(s_gbkChar).Select(c => new string(c))), text =>
        {
            var bytes = Gbk.Strict.GetBytes(text);
            return Fast(bytes) == text && Fast(bytes) == Gbk.Strict.GetString(bytes);
        });

    [Property(MaxTest = 1000)]
    public Property Any_bytes_decode_or_fail_as_the_code_page_does() =>
        Prop.ForAll(Arb.From(s_anyBytes), bytes =>
        {
            var expected = Decode(() => Gbk.Strict.GetString(bytes));
            var actual = Decode(() => Fast(bytes));
            return (expected == actual).Label($"code page: {expected}; fast: {actual}");
        });

    [Fact]
    public void A_pure_ascii_message_decodes_unchanged() =>
        Assert.Equal("<MOF>QUJD+/=</MOF>", Fast("<MOF>QUJD+/=</MOF>"u8));

    [Fact]
    public void A_cut_off_character_names_its_byte_in_the_whole_message()
    {
        var bytes = Gbk.Strict.GetBytes("芒市财政局").Concat(new byte[] { 0x41, 0xC3 }).ToArray();

        var e = Assert.Throws<DecoderFallbackException>(() => Fast(bytes));
        Assert.Equal(Assert.Throws<DecoderFallbackException>(() => Gbk.Strict.GetString(bytes)).Index, e.Index);
    }

    /// <summary>The fast decoder's text, into a buffer of one char per byte as <see cref="Gbk.Decode"/> gives it.</summary>
    private static string Fast(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        return new string(chars, 0, Gbk.DecodeGbk(bytes, chars));
    }

    private static string Decode(Func<string> decode)
    {
        try
        {
            return "ok " + decode();
        }
        catch (DecoderFallbackException e)
        {
            return $"fails at {e.Index}";
        }
    }
}
