using System.Buffers.Binary;
using System.Text;

using SkiaSharp;

namespace OpenTreasury.Printing.Tests;

public sealed class SealPicturesTests
{
    [Theory]
    [InlineData("芒市财政局", "财务专用章")]
    [InlineData("芒市人民政府办公室", "财务专用章")]
    [InlineData("中国工商银行芒市支行", "转讫章")]
    [InlineData("德宏傣族景颇族自治州芒市财政国库支付中心", "业务专用章")]
    public void Round_seal_is_42_mm_at_12_px_per_mm_red_on_transparent(string organisation, string kind)
    {
        SealImage image = SealPictures.RoundPublicSeal(organisation, kind);

        Assert.Equal(42, image.WidthMm);
        Assert.Equal(42, image.HeightMm);
        Assert.Equal("PNG", SealImage.Type);
        using SKBitmap bitmap = Decode(image);
        Assert.Equal(504, bitmap.Width);
        Assert.Equal(504, bitmap.Height);
        AssertTransparentCorners(bitmap);
        AssertMostlyRed(bitmap);
    }

    [Theory]
    [InlineData("芒市财政局", "财务专用章")]
    [InlineData("芒市人民政府办公室", "财务专用章")]
    [InlineData("中国工商银行芒市支行", "转讫章")]
    [InlineData("中国人民银行芒市支行", "国库业务专用章")]
    [InlineData("德宏傣族景颇族自治州芒市财政国库支付中心", "业务专用章")]
    public void Round_seal_is_a_two_colour_palette_png_as_small_as_a_vendors(string organisation, string kind)
    {
        SealImage image = SealPictures.RoundPublicSeal(organisation, kind);

        Assert.InRange(image.Png.Length, 1, VendorPictureBytesMax);
        AssertTwoColourPalettePng(image.Png);
    }

    [Theory]
    [InlineData("张丽")]
    [InlineData("李建华")]
    [InlineData("欧阳·娜娜")]
    public void Personal_seal_is_a_two_colour_palette_png_of_a_few_kilobytes(string name)
    {
        SealImage image = SealPictures.SquarePersonalSeal(name);

        Assert.InRange(image.Png.Length, 1, PersonalPictureBytesMax);
        AssertTwoColourPalettePng(image.Png);
    }

    [Fact]
    public void Round_seal_size_follows_the_diameter()
    {
        SealImage image = SealPictures.RoundPublicSeal("芒市财政局", "财务专用章", diameterMm: 38);

        Assert.Equal(38, image.WidthMm);
        using SKBitmap bitmap = Decode(image);
        Assert.Equal(38 * SealPictures.PixelsPerMm, bitmap.Width);
        Assert.Equal(38 * SealPictures.PixelsPerMm, bitmap.Height);
    }

    [Fact]
    public void Round_seal_has_a_ring_a_star_in_the_centre_and_nothing_outside_the_circle()
    {
        using SKBitmap bitmap = Decode(SealPictures.RoundPublicSeal("芒市财政局", "财务专用章"));

        // The star's centre and a point on the ring (0.6 mm in from the edge, on the horizontal axis).
        Assert.True(bitmap.GetPixel(252, 252).Alpha > 200, "the star should fill the centre");
        Assert.True(bitmap.GetPixel(8, 252).Alpha > 200, "the ring should be at the edge");
        Assert.True(bitmap.GetPixel(252, 8).Alpha > 200, "the ring should be at the top");

        // Outside the circle everything is transparent.
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                double dx = x + 0.5 - 252;
                double dy = y + 0.5 - 252;
                if ((dx * dx) + (dy * dy) > 253.0 * 253.0)
                {
                    Assert.Equal(0, bitmap.GetPixel(x, y).Alpha);
                }
            }
        }
    }

    [Theory]
    [InlineData("张丽")]
    [InlineData("李建华")]
    [InlineData("欧阳明月")]
    public void Personal_seal_of_two_to_four_characters_is_20_mm_square(string name)
    {
        SealImage image = SealPictures.SquarePersonalSeal(name);

        Assert.Equal(20, image.WidthMm);
        Assert.Equal(20, image.HeightMm);
        using SKBitmap bitmap = Decode(image);
        Assert.Equal(240, bitmap.Width);
        Assert.Equal(240, bitmap.Height);
        Assert.True(bitmap.GetPixel(4, 120).Alpha > 200, "the border should run along the edge");
        Assert.True(bitmap.GetPixel(120, 235).Alpha > 200, "the border should run along the edge");
        AssertMostlyRed(bitmap);
    }

    [Fact]
    public void Personal_seal_layouts_differ_by_name_length()
    {
        using SKBitmap two = Decode(SealPictures.SquarePersonalSeal("张丽"));
        using SKBitmap four = Decode(SealPictures.SquarePersonalSeal("欧阳明月"));

        // Four characters leave a horizontal gutter across the middle; two tall characters do not.
        Assert.True(RowInk(four, 120, 30, 210) < RowInk(two, 120, 30, 210));
    }

    [Fact]
    public void Legal_person_seal_uses_the_square_layout()
    {
        SealImage legal = SealPictures.LegalPersonSeal("王海");

        Assert.Equal(SealPictures.SquarePersonalSeal("王海").Png, legal.Png);
        Assert.Equal(20, legal.WidthMm);
    }

    [Fact]
    public void Same_input_gives_byte_equal_png()
    {
        Assert.Equal(
            SealPictures.RoundPublicSeal("中国工商银行芒市支行", "转讫章").Png,
            SealPictures.RoundPublicSeal("中国工商银行芒市支行", "转讫章").Png);
        Assert.Equal(
            SealPictures.SquarePersonalSeal("欧阳明月").Png,
            SealPictures.SquarePersonalSeal("欧阳明月").Png);
        Assert.NotEqual(
            SealPictures.RoundPublicSeal("芒市财政局", "财务专用章").Png,
            SealPictures.RoundPublicSeal("芒市财政局", "业务专用章").Png);
    }

    [Fact]
    public void Character_outside_the_font_subset_throws_naming_it()
    {
        // 亞 (the traditional form of 亚) is in GBK but in neither GB2312 nor the 通用规范汉字表, so not in the subset.
        ArgumentException round = Assert.Throws<ArgumentException>(
            () => SealPictures.RoundPublicSeal("芒市亞业有限公司", "财务专用章"));
        Assert.Equal("organisation", round.ParamName);
        Assert.Contains("'亞' (U+4E9E)", round.Message, StringComparison.Ordinal);

        ArgumentException kind = Assert.Throws<ArgumentException>(
            () => SealPictures.RoundPublicSeal("芒市财政局", "𠀀专用章"));
        Assert.Equal("sealKind", kind.ParamName);
        Assert.Contains("U+20000", kind.Message, StringComparison.Ordinal);

        ArgumentException person = Assert.Throws<ArgumentException>(() => SealPictures.SquarePersonalSeal("王亞"));
        Assert.Equal("name", person.ParamName);
        Assert.Contains("亞", person.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'王'", person.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("张")]
    [InlineData("欧阳明月亮")]
    [InlineData("张 丽")]
    public void Personal_seal_rejects_names_it_cannot_lay_out(string name)
    {
        Assert.Throws<ArgumentException>(() => SealPictures.SquarePersonalSeal(name));
    }

    [Fact]
    public void Round_seal_rejects_an_empty_name_and_odd_sizes()
    {
        Assert.Throws<ArgumentException>(() => SealPictures.RoundPublicSeal("", "财务专用章"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SealPictures.RoundPublicSeal("芒市财政局", "财务专用章", 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SealPictures.RoundPublicSeal("芒市财政局", "财务专用章", double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => SealPictures.SquarePersonalSeal("张丽", 100));
    }

    [Fact]
    public void Round_seal_without_a_kind_is_a_plain_official_seal()
    {
        using SKBitmap bitmap = Decode(SealPictures.RoundPublicSeal("芒市人民政府", ""));

        AssertMostlyRed(bitmap);
        Assert.Equal(0, RowInk(bitmap, 252 + (int)(42 * 0.28 * 12), 150, 354));
    }

    /// <summary>A real vendor's 42 mm round seal picture is about 8 KB.</summary>
    private const int VendorPictureBytesMax = 8 * 1024;

    /// <summary>A 20 mm personal seal has a quarter of the area and fewer strokes.</summary>
    private const int PersonalPictureBytesMax = 3 * 1024;

    /// <summary>
    /// IHDR says 1 bit per pixel, colour type 3 (indexed); PLTE holds two colours and tRNS their alphas: the
    /// background fully transparent, the ink seal red.
    /// </summary>
    private static void AssertTwoColourPalettePng(byte[] png)
    {
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(1, png[24]); // bit depth
        Assert.Equal(3, png[25]); // colour type: indexed
        int plte = Chunk(png, "PLTE", out int plteLength);
        Assert.Equal(2 * 3, plteLength);
        Assert.Equal(new byte[] { 0xD9, 0x00, 0x1B }, png.AsSpan(plte + 3, 3).ToArray());
        int trns = Chunk(png, "tRNS", out int trnsLength);
        Assert.Equal(2, trnsLength);
        Assert.Equal(0, png[trns]);
        Assert.True(png[trns + 1] > 200, "the ink should be nearly opaque");
    }

    /// <summary>Where the data of the first chunk of that type starts, and its length.</summary>
    private static int Chunk(byte[] png, string type, out int length)
    {
        const int signatureBytes = 8;
        int at = signatureBytes;
        while (at + 8 <= png.Length)
        {
            length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (Encoding.ASCII.GetString(png, at + 4, 4) == type)
            {
                return at + 8;
            }

            at += 12 + length; // length, type, data, CRC
        }

        throw new Xunit.Sdk.XunitException($"no {type} chunk");
    }

    private static SKBitmap Decode(SealImage image)
    {
        SKBitmap? bitmap = SKBitmap.Decode(image.Png);
        Assert.NotNull(bitmap);
        return bitmap;
    }

    private static void AssertTransparentCorners(SKBitmap bitmap)
    {
        int right = bitmap.Width - 1;
        int bottom = bitmap.Height - 1;
        foreach ((int x, int y) in new[] { (0, 0), (right, 0), (0, bottom), (right, bottom), (20, 20), (right - 20, bottom - 20) })
        {
            Assert.Equal(0, bitmap.GetPixel(x, y).Alpha);
        }
    }

    /// <summary>Most of the picture is ink, and the ink is red: strong red, little green or blue.</summary>
    private static void AssertMostlyRed(SKBitmap bitmap)
    {
        int ink = 0;
        int red = 0;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor pixel = bitmap.GetPixel(x, y);
                if (pixel.Alpha == 0)
                {
                    continue;
                }

                ink++;
                if (pixel.Alpha > 128 && pixel.Red > 180 && pixel.Green < 60 && pixel.Blue < 80)
                {
                    red++;
                }
            }
        }

        int total = bitmap.Width * bitmap.Height;
        Assert.InRange(ink, total / 20, total * 3 / 4);
        Assert.True(red > ink * 0.8, $"{red} of {ink} inked pixels are seal red");
    }

    private static int RowInk(SKBitmap bitmap, int y, int fromX, int toX)
    {
        int ink = 0;
        for (int x = fromX; x < toX; x++)
        {
            if (bitmap.GetPixel(x, y).Alpha > 0)
            {
                ink++;
            }
        }

        return ink;
    }
}
