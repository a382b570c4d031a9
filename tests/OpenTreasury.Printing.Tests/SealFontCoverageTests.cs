using System.Globalization;
using System.Text;

using SkiaSharp;

namespace OpenTreasury.Printing.Tests;

/// <summary>
/// The embedded seal font covers GB2312 and the 通用规范汉字表, names with an interpunct are drawn, and anything
/// else is refused up front, naming the characters.
/// </summary>
public sealed class SealFontCoverageTests
{
    /// <summary>
    /// Every character code page 936 decodes in GB2312's rows 1–9 (symbols) and 16–87 (hanzi levels 1 and 2),
    /// generated here rather than read from the list the subset was made from.
    /// </summary>
    private static (string All, string Hanzi) Gb2312FromCodePage936()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Encoding gb = Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        StringBuilder all = new();
        StringBuilder hanzi = new();
        for (int hi = 0xA1; hi <= 0xF7; hi++)
        {
            if (hi is >= 0xAA and <= 0xAF)
            {
                continue; // rows 10–15 are empty in GB2312
            }

            for (int lo = 0xA1; lo <= 0xFE; lo++)
            {
                string s = gb.GetString([(byte)hi, (byte)lo]);
                if (s.Length != 1 || char.GetUnicodeCategory(s[0]) == UnicodeCategory.PrivateUse)
                {
                    continue; // an unassigned cell
                }

                all.Append(s);
                if (hi >= 0xB0)
                {
                    hanzi.Append(s);
                }
            }
        }

        return (all.ToString(), hanzi.ToString());
    }

    [Fact]
    public void Every_GB2312_character_has_a_glyph()
    {
        (string all, string hanzi) = Gb2312FromCodePage936();

        Assert.Equal(6763, hanzi.Length); // 3,755 level 1 + 3,008 level 2
        Assert.True(all.Length >= 7445, $"expected GB2312's 7,445 characters, generated {all.Length}");
        Assert.Empty(SealFont.Missing(all));

        // The standard GB2312 mappings of 0xA1A4 (・) and 0xA1AA (―), where code page 936 gives · and —.
        Assert.Empty(SealFont.Missing("\u30FB\u2015"));
    }

    [Fact]
    public void Every_character_of_the_general_standard_chinese_characters_table_has_a_glyph()
    {
        string list = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fonts", "tgh-2013.txt"));
        Rune[] runes = [.. list.EnumerateRunes()];

        Assert.Equal(8105, runes.Length);
        Assert.Equal(8105, runes.Distinct().Count());
        Assert.All(runes, static r => Assert.True(Rune.GetUnicodeCategory(r) == UnicodeCategory.OtherLetter));
        Assert.Contains(new Rune(0x2C27C), runes); // some are outside the BMP (here 𬉼), and still covered
        Assert.Empty(SealFont.Missing(list));
    }

    [Fact]
    public void Printable_ascii_has_glyphs()
    {
        string ascii = new([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(static c => (char)c)]);

        Assert.Empty(SealFont.Missing(ascii));
    }

    [Theory]
    [InlineData("王璐")]      // 璐 is a GB2312 level 2 hanzi
    [InlineData("欧阳·娜娜")]
    [InlineData("李堃")]      // 堃 is in the 通用规范汉字表 but not in GB2312
    public void Name_draws_a_personal_seal_picture(string name)
    {
        Assert.Empty(SealFont.Missing(name));

        SealImage image = SealPictures.SquarePersonalSeal(name);

        using SKBitmap bitmap = Decode(image);
        Assert.Equal(240, bitmap.Width);
        Assert.True(Ink(bitmap) > 240 * 240 / 5, "the name should fill the square with ink");
    }

    [Fact]
    public void Interpunct_of_a_name_is_drawn_as_a_dot_between_the_parts()
    {
        using SKBitmap dotted = Decode(SealPictures.SquarePersonalSeal("欧阳·娜娜"));
        using SKBitmap plain = Decode(SealPictures.SquarePersonalSeal("欧阳娜娜"));

        // 欧阳 fills the right column, 娜娜 the left one: the dot sits in the middle, between the columns.
        Assert.True(dotted.GetPixel(120, 120).Alpha > 200, "the interpunct should be drawn in the centre");
        Assert.Equal(0, plain.GetPixel(120, 120).Alpha);
    }

    [Theory]
    [InlineData("欧阳\u30FB娜娜")] // ・ KATAKANA MIDDLE DOT, GB2312's own mapping, what Japanese IMEs type
    [InlineData("欧阳\u2022娜娜")] // • BULLET
    [InlineData("欧阳\u2027娜娜")] // ‧ HYPHENATION POINT, Big5's 間隔號
    [InlineData("欧阳\uFF65娜娜")] // ･ HALFWIDTH KATAKANA MIDDLE DOT
    public void Interpunct_variants_are_read_as_the_middle_dot(string name)
    {
        Assert.Equal("欧阳·娜娜", SealFont.NormaliseInterpuncts(name));
        Assert.Empty(SealFont.Missing(name));
        Assert.Equal(SealPictures.SquarePersonalSeal("欧阳·娜娜").Png, SealPictures.SquarePersonalSeal(name).Png);
    }

    [Theory]
    [InlineData("·娜娜")]
    [InlineData("欧阳·")]
    [InlineData("欧阳··娜娜")]
    [InlineData("·")]
    public void Interpunct_must_separate_two_characters(string name)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SealPictures.SquarePersonalSeal(name));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void Interpunct_does_not_count_as_a_character_of_the_name()
    {
        SealPictures.SquarePersonalSeal("阿·依");
        SealPictures.SquarePersonalSeal("阿·依·古");
        Assert.Throws<ArgumentException>(() => SealPictures.SquarePersonalSeal("买买提·艾力")); // five characters
    }

    [Theory]
    [InlineData("王𠀀", 0x20000)] // CJK Extension B, in neither GB2312 nor the 通用规范汉字表
    [InlineData("王😀", 0x1F600)] // an emoji
    [InlineData("王亞", 0x4E9E)] // a traditional form
    public void Character_outside_the_font_is_refused_up_front_naming_it(string name, int codePoint)
    {
        Rune outside = new(codePoint);

        Assert.Equal([outside], SealFont.Missing(name));
        ArgumentException e = Assert.Throws<ArgumentException>(() => SealPictures.SquarePersonalSeal(name));
        Assert.Equal("name", e.ParamName);
        Assert.Contains(
            string.Create(CultureInfo.InvariantCulture, $"'{outside}' (U+{codePoint:X4})"), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'王'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_lists_each_character_once_in_order()
    {
        Assert.Empty(SealFont.Missing(""));
        Assert.Equal([new Rune('亞'), new Rune(0x1F600)], SealFont.Missing("亞王😀亞😀"));
    }

    private static SKBitmap Decode(SealImage image)
    {
        SKBitmap? bitmap = SKBitmap.Decode(image.Png);
        Assert.NotNull(bitmap);
        return bitmap;
    }

    private static int Ink(SKBitmap bitmap)
    {
        int ink = 0;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                if (bitmap.GetPixel(x, y).Alpha > 128)
                {
                    ink++;
                }
            }
        }

        return ink;
    }
}
