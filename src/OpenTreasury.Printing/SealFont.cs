using System.Globalization;
using System.Text;

using SkiaSharp;

namespace OpenTreasury.Printing;

/// <summary>
/// The one typeface seals are set in: a subset of Noto Serif CJK SC Bold embedded in this assembly
/// (see Fonts/README.md). System fonts are never used, so a picture looks the same on every machine.
/// </summary>
internal static class SealFont
{
    private const string ResourceName = "OpenTreasury.Printing.Fonts.NotoSerifSC-Bold-Subset.otf";

    private static readonly Lazy<SKTypeface> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static SKTypeface Typeface => Loaded.Value;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming every character of <paramref name="text"/> that the
    /// embedded font cannot draw, rather than letting it render as a fallback box.
    /// </summary>
    public static void RequireGlyphs(string text, string paramName)
    {
        using SKFont font = new(Typeface);
        List<Rune> missing = [];
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (!font.ContainsGlyphs([rune.Value]) && !missing.Contains(rune))
            {
                missing.Add(rune);
            }
        }

        if (missing.Count > 0)
        {
            string names = string.Join(", ", missing.Select(static r =>
                string.Create(CultureInfo.InvariantCulture, $"'{r}' (U+{r.Value:X4})")));
            throw new ArgumentException(
                $"The seal font has no glyph for {names}; it covers GB2312 level 1 hanzi, ASCII and common "
                + "CJK punctuation (see Fonts/README.md in OpenTreasury.Printing).",
                paramName);
        }
    }

    private static SKTypeface Load()
    {
        using Stream stream = typeof(SealFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded font resource {ResourceName} is missing.");
        using MemoryStream copy = new();
        stream.CopyTo(copy);
        using SKData data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"Embedded font resource {ResourceName} could not be loaded.");
    }
}
