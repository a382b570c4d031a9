using System.Globalization;

using SkiaSharp;

namespace OpenTreasury.Printing;

/// <summary>
/// Electronic seal pictures (印章图片) drawn at their real size, for the picture field of a GB/T 38540 seal.
/// Every picture is red on a transparent background, rendered at <see cref="PixelsPerMm"/> pixels per millimetre
/// and stored as a two-colour indexed PNG (about 5 KB for a 42 mm seal, as small as a vendor's); the same input
/// always gives byte-equal PNG output.
/// </summary>
public static class SealPictures
{
    /// <summary>Rendering resolution: 12 px/mm (about 305 dpi), so a 42 mm seal is 504 px across.</summary>
    public const int PixelsPerMm = 12;

    /// <summary>Bits per pixel of the stored picture: ink or background.</summary>
    private const int InkBitsPerPixel = 1;

    /// <summary>Seal red (#D9001B), slightly translucent so it reads as ink over the document.</summary>
    private static readonly SKColor Ink = new(0xD9, 0x00, 0x1B, 0xE6);

    /// <summary>The em size glyph outlines are taken at before being scaled into place.</summary>
    private const float GlyphEm = 1000f;

    /// <summary>
    /// A round public seal (公章 / 专用章): a 1.2 mm outer ring, the organisation's name along the upper arc with
    /// each character upright towards the centre, a solid five-pointed star in the middle, and the seal kind in a
    /// straight line below the star.
    /// </summary>
    /// <param name="organisation">The organisation's name, e.g. 芒市财政局 (1 to 24 characters).</param>
    /// <param name="sealKind">The seal kind below the star, e.g. 财务专用章 (0 to 8 characters; empty for a 公章).</param>
    /// <param name="diameterMm">The seal's diameter, 20 to 60 mm; 42 mm is usual for an official seal.</param>
    public static SealImage RoundPublicSeal(string organisation, string sealKind, double diameterMm = 42)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        ArgumentNullException.ThrowIfNull(sealKind);
        if (!double.IsFinite(diameterMm) || diameterMm < 20 || diameterMm > 60)
        {
            throw new ArgumentOutOfRangeException(nameof(diameterMm), diameterMm, "A round seal is 20 to 60 mm across.");
        }

        string[] name = Characters(organisation, nameof(organisation), 1, 24);
        string[] kind = Characters(sealKind, nameof(sealKind), 0, 8);

        float d = (float)diameterMm;
        return Render(diameterMm, diameterMm, canvas =>
        {
            float c = d / 2;
            const float ringStroke = 1.2f;
            const float edge = 0.05f; // keeps the antialiased rim inside the picture
            float ringInner = c - edge - ringStroke;

            using SKPaint stroke = InkPaint(SKPaintStyle.Stroke);
            stroke.StrokeWidth = ringStroke;
            canvas.DrawCircle(c, c, c - edge - (ringStroke / 2), stroke);

            using SKPaint fill = InkPaint(SKPaintStyle.Fill);
            float arcEnd = DrawArcText(canvas, fill, name, c, ringInner, d);
            DrawStar(canvas, fill, c, c, d * 0.17f);
            DrawKind(canvas, fill, kind, c, ringInner, d, arcEnd);
        });
    }

    /// <summary>
    /// A square personal seal (私章 / 名章): a border and the name of 2 to 4 characters filling the square in the
    /// traditional order, read right column first, top to bottom: two characters side by side and tall; three as
    /// the first character in a tall right column and the other two stacked on the left; four as a 2×2 grid.
    /// </summary>
    /// <remarks>
    /// An interpunct between the parts of a name (欧阳·娜娜; the variants ・ • ‧ are read as ·) is not a character of
    /// the layout: it is drawn as a small dot in the gutter between the two characters it separates.
    /// </remarks>
    /// <param name="name">The person's name, 2 to 4 characters, e.g. 张丽, 李建华, 欧阳明月, 欧阳·娜娜.</param>
    /// <param name="sideMm">The side of the square, 10 to 40 mm.</param>
    public static SealImage SquarePersonalSeal(string name, double sideMm = 20)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!double.IsFinite(sideMm) || sideMm < 10 || sideMm > 40)
        {
            throw new ArgumentOutOfRangeException(nameof(sideMm), sideMm, "A square seal is 10 to 40 mm on a side.");
        }

        (string[] chars, bool[] dotAfter) = NameCharacters(name, nameof(name), 2, 4);
        bool dotted = dotAfter.Any(static d => d);
        float s = (float)sideMm;
        return Render(sideMm, sideMm, canvas =>
        {
            float border = s * 0.06f;
            const float edge = 0.05f;
            using SKPaint stroke = InkPaint(SKPaintStyle.Stroke);
            stroke.StrokeWidth = border;
            float half = edge + (border / 2);
            canvas.DrawRect(SKRect.Create(half, half, s - (2 * half), s - (2 * half)), stroke);

            float inset = edge + border + (s * 0.04f);
            SKRect inner = SKRect.Create(inset, inset, s - (2 * inset), s - (2 * inset));
            float gutter = s * (dotted ? 0.07f : 0.02f); // room for an interpunct's dot
            float midX = inner.MidX;
            float midY = inner.MidY;
            SKRect right = new(midX + (gutter / 2), inner.Top, inner.Right, inner.Bottom);
            SKRect left = new(inner.Left, inner.Top, midX - (gutter / 2), inner.Bottom);

            using SKPaint fill = InkPaint(SKPaintStyle.Fill);
            switch (chars.Length)
            {
                case 2:
                    DrawInCell(canvas, fill, chars[0], right);
                    DrawInCell(canvas, fill, chars[1], left);
                    break;
                case 3:
                    DrawInCell(canvas, fill, chars[0], right);
                    DrawInCell(canvas, fill, chars[1], Top(left, midY, gutter));
                    DrawInCell(canvas, fill, chars[2], Bottom(left, midY, gutter));
                    break;
                default:
                    DrawInCell(canvas, fill, chars[0], Top(right, midY, gutter));
                    DrawInCell(canvas, fill, chars[1], Bottom(right, midY, gutter));
                    DrawInCell(canvas, fill, chars[2], Top(left, midY, gutter));
                    DrawInCell(canvas, fill, chars[3], Bottom(left, midY, gutter));
                    break;
            }

            // An interpunct sits in the gutter between the two characters it separates: between the columns when
            // the name goes on in the next column, in the column's horizontal gutter when it goes on below.
            float dot = s * 0.022f;
            for (int i = 0; i < dotAfter.Length; i++)
            {
                if (!dotAfter[i])
                {
                    continue;
                }

                float x = (chars.Length, i) switch
                {
                    (3, 1) => left.MidX,
                    (4, 0) => right.MidX,
                    (4, 2) => left.MidX,
                    _ => midX,
                };
                canvas.DrawCircle(x, midY, dot, fill);
            }
        });
    }

    /// <summary>A legal person's seal (法人章): the square personal layout with the legal representative's name.</summary>
    /// <param name="name">The legal representative's name, 2 to 4 characters.</param>
    /// <param name="sideMm">The side of the square, 10 to 40 mm.</param>
    public static SealImage LegalPersonSeal(string name, double sideMm = 20)
    {
        return SquarePersonalSeal(name, sideMm);
    }

    private static SKRect Top(SKRect column, float midY, float gutter)
    {
        return new SKRect(column.Left, column.Top, column.Right, midY - (gutter / 2));
    }

    private static SKRect Bottom(SKRect column, float midY, float gutter)
    {
        return new SKRect(column.Left, midY + (gutter / 2), column.Right, column.Bottom);
    }

    /// <summary>
    /// Sets the name along the upper arc: characters evenly spaced (45° apart, at most 240° in all, centred on
    /// the top), each one upright with its foot towards the centre, narrowed when the arc is crowded.
    /// Returns how far round from the top (in degrees, either side) the text reaches.
    /// </summary>
    private static float DrawArcText(SKCanvas canvas, SKPaint fill, string[] name, float c, float ringInner, float d)
    {
        const float maxSpan = 240f;
        const float maxStep = 45f;
        const float minScaleX = 0.55f;
        int n = name.Length;
        float step = n == 1 ? 0 : Math.Min(maxStep, maxSpan / (n - 1));
        float gap = d * 0.025f;
        float size = d * 0.165f;
        float scaleX = 1f;
        for (int attempt = 0; attempt < 40; attempt++)
        {
            float radius = ringInner - gap - (size / 2);
            float available = n == 1
                ? size
                : 2 * radius * MathF.Sin(step * MathF.PI / 360f) * 0.92f;
            scaleX = Math.Min(0.92f, available / size);
            if (scaleX >= minScaleX)
            {
                break;
            }

            size *= 0.95f; // too crowded even when narrowed: make the characters smaller too
        }

        float textRadius = ringInner - gap - (size / 2);
        float start = -step * (n - 1) / 2;
        for (int i = 0; i < n; i++)
        {
            canvas.Save();
            canvas.RotateDegrees(start + (i * step), c, c);
            DrawGlyph(canvas, fill, name[i], c, c - textRadius, size * scaleX, size);
            canvas.Restore();
        }

        float halfWidth = size * scaleX / 2;
        return (-start) + (MathF.Atan(halfWidth / (textRadius - (size / 2))) * 180f / MathF.PI);
    }

    /// <summary>
    /// Sets the seal kind in a straight line below the star, narrowed so that it stays clear of the ring and of
    /// the ends of the name (<paramref name="arcEnd"/> degrees round from the top).
    /// </summary>
    private static void DrawKind(SKCanvas canvas, SKPaint fill, string[] kind, float c, float ringInner, float d, float arcEnd)
    {
        if (kind.Length == 0)
        {
            return;
        }

        const float clearance = 4f; // degrees between the name's last character and the kind's top corner
        float size = d * 0.11f;
        float centreY = d * 0.28f; // below the centre
        float top = centreY - (size / 2);
        float bottom = centreY + (size / 2);
        float halfWidth = MathF.Sqrt((ringInner * ringInner) - (bottom * bottom)) - (d * 0.06f);
        float freeAngle = 180f - arcEnd - clearance;
        if (freeAngle < 90f)
        {
            halfWidth = Math.Min(halfWidth, top * MathF.Tan(freeAngle * MathF.PI / 180f));
        }

        float width = Math.Min(size * 0.9f, 2 * halfWidth / kind.Length);
        float left = c - (width * kind.Length / 2);
        for (int i = 0; i < kind.Length; i++)
        {
            DrawGlyph(canvas, fill, kind[i], left + (width * (i + 0.5f)), c + centreY, width, size);
        }
    }

    /// <summary>A solid five-pointed star with one point straight up.</summary>
    private static void DrawStar(SKCanvas canvas, SKPaint fill, float cx, float cy, float outer)
    {
        float inner = outer * 0.381966f; // a regular star: the inner pentagon of the pentagram
        SKPoint[] points = new SKPoint[10];
        for (int i = 0; i < 10; i++)
        {
            float r = (i % 2 == 0) ? outer : inner;
            float a = (i * 36f - 90f) * MathF.PI / 180f;
            points[i] = new SKPoint(cx + (r * MathF.Cos(a)), cy + (r * MathF.Sin(a)));
        }

        using SKPathBuilder builder = new();
        builder.AddPoly(points, close: true);
        using SKPath star = builder.Detach();
        canvas.DrawPath(star, fill);
    }

    /// <summary>Draws one character with its em box filling the cell.</summary>
    private static void DrawInCell(SKCanvas canvas, SKPaint fill, string character, SKRect cell)
    {
        DrawGlyph(canvas, fill, character, cell.MidX, cell.MidY, cell.Width, cell.Height);
    }

    /// <summary>
    /// Draws one character so that its em box is <paramref name="width"/> by <paramref name="height"/> and centred
    /// on (<paramref name="cx"/>, <paramref name="cy"/>). Glyphs are drawn as outlines, so the result does not
    /// depend on a glyph cache or hinting.
    /// </summary>
    private static void DrawGlyph(SKCanvas canvas, SKPaint fill, string character, float cx, float cy, float width, float height)
    {
        using SKFont font = new(SealFont.Typeface, GlyphEm);
        float advance = font.MeasureText(character);
        using SKPath path = font.GetTextPath(character, new SKPoint(-advance / 2, EmMiddle(font)));
        canvas.Save();
        canvas.Translate(cx, cy);
        canvas.Scale(width / Math.Max(advance, GlyphEm * 0.5f), height / GlyphEm);
        canvas.DrawPath(path, fill);
        canvas.Restore();
    }

    /// <summary>How far above the baseline the middle of an ideograph's em box lies, from the box-shaped 国.</summary>
    private static float EmMiddle(SKFont font)
    {
        font.MeasureText("国", out SKRect bounds);
        return -bounds.MidY;
    }

    private static SKPaint InkPaint(SKPaintStyle style)
    {
        return new SKPaint { Color = Ink, IsAntialias = true, Style = style };
    }

    /// <summary>
    /// Splits a person's name into its characters and where interpuncts stand (<c>dotAfter[i]</c>: between
    /// character i and i + 1), checking that each interpunct separates two characters.
    /// </summary>
    private static (string[] Chars, bool[] DotAfter) NameCharacters(string text, string paramName, int min, int max)
    {
        string normalised = SealFont.NormaliseInterpuncts(text).Trim();
        string interpunct = SealFont.Interpunct.ToString();
        string[] parts = normalised.Split(SealFont.Interpunct);
        if (parts.Length > 1 && parts.Any(static p => p.Length == 0))
        {
            throw new ArgumentException(
                $"An interpunct ({interpunct}) in a name must stand between two characters, as in 欧阳{interpunct}娜娜.",
                paramName);
        }

        string[] chars = Characters(string.Concat(parts), paramName, min, max);
        bool[] dotAfter = new bool[chars.Length - 1];
        int count = 0;
        for (int p = 0; p < parts.Length - 1; p++)
        {
            count += parts[p].EnumerateRunes().Count();
            dotAfter[count - 1] = true;
        }

        return (chars, dotAfter);
    }

    /// <summary>
    /// Splits the text into characters (code points), interpunct variants read as U+00B7, checking its length and
    /// that the font has them all.
    /// </summary>
    private static string[] Characters(string text, string paramName, int min, int max)
    {
        string trimmed = SealFont.NormaliseInterpuncts(text).Trim();
        if (trimmed.Any(char.IsWhiteSpace) || trimmed.Any(char.IsControl))
        {
            throw new ArgumentException("Seal text may not contain spaces or control characters.", paramName);
        }

        string[] chars = [.. trimmed.EnumerateRunes().Select(static r => r.ToString())];
        if (chars.Length < min || chars.Length > max)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected {min} to {max} characters, got {chars.Length}."),
                paramName);
        }

        SealFont.RequireGlyphs(trimmed, paramName);
        return chars;
    }

    private static SealImage Render(double widthMm, double heightMm, Action<SKCanvas> draw)
    {
        int widthPx = (int)Math.Round(widthMm * PixelsPerMm);
        int heightPx = (int)Math.Round(heightMm * PixelsPerMm);
        SKImageInfo info = new(widthPx, heightPx, SKColorType.Rgba8888, SKAlphaType.Premul);
        using SKBitmap bitmap = new(info);
        using (SKCanvas canvas = new(bitmap))
        {
            canvas.Clear(SKColors.Transparent);
            canvas.Scale((float)(widthPx / widthMm), (float)(heightPx / heightMm));
            draw(canvas);
        }

        return new SealImage(EncodeInk(bitmap), (int)Math.Round(widthMm), (int)Math.Round(heightMm));
    }

    /// <summary>
    /// The drawing as a two-colour indexed PNG, as seal vendors store their pictures: each pixel is either ink or
    /// transparent, ink where the antialiased drawing covers at least half of it. At 12 px/mm the hard edge cannot be
    /// told from the antialiased one at real size, and a 42 mm seal takes about 5 KB instead of about 56 KB.
    /// </summary>
    private static byte[] EncodeInk(SKBitmap bitmap)
    {
        const byte background = 0;
        const byte ink = 1;
        SKColor[] palette = [Ink.WithAlpha(0), Ink];
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        byte[] indices = new byte[bitmap.Width * bitmap.Height];
        for (int i = 0; i < indices.Length; i++)
        {
            int alpha = rgba[(4 * i) + 3];
            indices[i] = 2 * alpha >= Ink.Alpha ? ink : background;
        }

        return IndexedPng.Encode(bitmap.Width, bitmap.Height, InkBitsPerPixel, indices, palette);
    }
}
