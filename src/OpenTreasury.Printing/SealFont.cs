using System.Globalization;
using System.Text;

using SkiaSharp;

namespace OpenTreasury.Printing;

/// <summary>
/// The one typeface seals are set in: a subset of Noto Serif CJK SC Bold embedded in this assembly
/// (see Fonts/README.md). System fonts are never used, so a picture looks the same on every machine.
/// It covers every character of GB2312 (both levels of hanzi and the symbol rows), the 8,105 characters of the
/// 通用规范汉字表 (2013), printable ASCII and common CJK punctuation.
/// </summary>
public static class SealFont
{
    /// <summary>The interpunct (间隔号) a seal is set with between the parts of a name: U+00B7 MIDDLE DOT.</summary>
    public const char Interpunct = '\u00B7';

    private const string ResourceName = "OpenTreasury.Printing.Fonts.NotoSerifSC-Bold-Subset.otf";

    private static readonly Lazy<SKTypeface> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    internal static SKTypeface Typeface => Loaded.Value;

    /// <summary>
    /// Returns <paramref name="text"/> with the dots people type between the parts of a name (欧阳・娜娜, 欧阳•娜娜,
    /// 欧阳‧娜娜 …) replaced by the one interpunct seals use, <see cref="Interpunct"/> (U+00B7, as in GB2312 and
    /// in ID-card names).
    /// </summary>
    public static string NormaliseInterpuncts(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = IsInterpunctVariant(source[i]) ? Interpunct : source[i];
            }
        });
    }

    /// <summary>
    /// The characters of <paramref name="text"/> the seal font has no glyph for, each once, in order of first
    /// appearance; empty when the whole text can be drawn. Interpunct variants count as U+00B7, as they are drawn.
    /// Callers can check a name with this before doing anything else; drawing such text throws an
    /// <see cref="ArgumentException"/> naming the same characters.
    /// </summary>
    public static IReadOnlyList<Rune> Missing(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using SKFont font = new(Typeface);
        List<Rune> missing = [];
        foreach (Rune rune in NormaliseInterpuncts(text).EnumerateRunes())
        {
            if (!missing.Contains(rune) && !font.ContainsGlyphs([rune.Value]))
            {
                missing.Add(rune);
            }
        }

        return missing;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming every character of <paramref name="text"/> that the
    /// embedded font cannot draw, rather than letting it render as a fallback box.
    /// </summary>
    internal static void RequireGlyphs(string text, string paramName)
    {
        IReadOnlyList<Rune> missing = Missing(text);
        if (missing.Count > 0)
        {
            string names = string.Join(", ", missing.Select(static r =>
                string.Create(CultureInfo.InvariantCulture, $"'{r}' (U+{r.Value:X4})")));
            throw new ArgumentException(
                $"The seal font has no glyph for {names}; it covers GB2312, the 通用规范汉字表 (8,105 characters), "
                + "ASCII and common CJK punctuation (see Fonts/README.md in OpenTreasury.Printing).",
                paramName);
        }
    }

    /// <summary>
    /// Dots that stand for the interpunct in names as people type them: ・ (U+30FB, GB2312's own mapping of its
    /// 间隔号), ･ (U+FF65), • (U+2022), ‧ (U+2027), ∙ (U+2219), ⋅ (U+22C5), ⸱ (U+2E31) and the Greek ano teleia
    /// (U+0387, canonically equal to U+00B7).
    /// </summary>
    private static bool IsInterpunctVariant(char c)
    {
        return c is '\u30FB' or '\uFF65' or '\u2022' or '\u2027' or '\u2219' or '\u22C5' or '\u2E31' or '\u0387';
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
