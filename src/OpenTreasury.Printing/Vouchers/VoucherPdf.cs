using SkiaSharp;

namespace OpenTreasury.Printing.Vouchers;

/// <summary>A seal as it is printed: its picture at real size under the name of its position.</summary>
public sealed record PrintedStamp(string Position, string PositionName, string SealName, byte[] Png, int WidthMm, int HeightMm);

/// <summary>Everything a printed voucher (打印联) shows.</summary>
public sealed record VoucherPrintout(
    string Title,
    string Subtitle,
    IReadOnlyList<KeyValuePair<string, string>> Header,
    IReadOnlyList<string> DetailColumns,
    IReadOnlyList<IReadOnlyList<string>> DetailRows,
    string? Amount,
    string? AmountInCapitals,
    IReadOnlyList<PrintedStamp> Stamps,
    int PrintNo);

/// <summary>
/// A voucher printed to PDF on A4 landscape with the embedded Chinese font: title, header fields, the
/// amount with 大写金额, the detail lines and every seal at its real size. A reprint says so (可控打印).
/// </summary>
public static class VoucherPdf
{
    private const float PointsPerMm = 72f / 25.4f;
    private const float Width = 842f;
    private const float Height = 595f;
    private const float Margin = 36f;
    private static readonly SKColor Ink = new(0x20, 0x20, 0x20);

    public static byte[] Render(VoucherPrintout printout)
    {
        ArgumentNullException.ThrowIfNull(printout);
        using var stream = new MemoryStream();
        using (var document = SKDocument.CreatePdf(stream))
        {
            using var canvas = document.BeginPage(Width, Height);
            using var title = new SKFont(SealFont.Typeface, 20);
            using var text = new SKFont(SealFont.Typeface, 9);
            using var small = new SKFont(SealFont.Typeface, 7.5f);
            using var paint = new SKPaint { Color = Ink, IsAntialias = true };
            using var red = new SKPaint { Color = new SKColor(0xD9, 0x00, 0x1B), IsAntialias = true };

            canvas.DrawText(printout.Title, Width / 2, Margin + 14, SKTextAlign.Center, title, paint);
            canvas.DrawText(printout.Subtitle, Width / 2, Margin + 32, SKTextAlign.Center, text, paint);
            var copy = printout.PrintNo <= 1 ? "第 1 次打印" : $"第 {printout.PrintNo} 次打印 (重打)";
            canvas.DrawText(copy, Width - Margin, Margin + 32, SKTextAlign.Right, text, printout.PrintNo <= 1 ? paint : red);

            // Header fields in three columns.
            var y = Margin + 54;
            var columnWidth = (Width - (2 * Margin)) / 3;
            for (var i = 0; i < printout.Header.Count; i++)
            {
                var (label, value) = (printout.Header[i].Key, printout.Header[i].Value);
                var x = Margin + (i % 3 * columnWidth);
                canvas.DrawText(Fit($"{label}: {value}", small, columnWidth - 6), x, y, SKTextAlign.Left, small, paint);
                if (i % 3 == 2)
                {
                    y += 11;
                }
            }

            y += 18;
            if (printout.Amount is not null)
            {
                canvas.DrawText($"金额 {printout.Amount}    大写 人民币{printout.AmountInCapitals}", Margin, y, SKTextAlign.Left, text, paint);
                y += 16;
            }

            // Detail lines as a ruled table.
            if (printout.DetailColumns.Count > 0)
            {
                var cell = (Width - (2 * Margin)) / printout.DetailColumns.Count;
                using var rule = new SKPaint { Color = Ink, StrokeWidth = 0.5f, Style = SKPaintStyle.Stroke };
                var rows = new[] { printout.DetailColumns }.Concat(printout.DetailRows.Take(12)).ToList();
                foreach (var row in rows)
                {
                    canvas.DrawRect(Margin, y - 9, Width - (2 * Margin), 12, rule);
                    for (var c = 0; c < printout.DetailColumns.Count && c < row.Count; c++)
                    {
                        canvas.DrawText(Fit(row[c], small, cell - 4), Margin + (c * cell) + 2, y, SKTextAlign.Left, small, paint);
                    }

                    y += 12;
                }

                if (printout.DetailRows.Count > 12)
                {
                    canvas.DrawText($"… 共 {printout.DetailRows.Count} 行明细", Margin, y + 2, SKTextAlign.Left, small, paint);
                }
            }

            // Seals along the bottom, at real size, each over the name of its position.
            var sealX = Margin;
            foreach (var stamp in printout.Stamps)
            {
                var w = stamp.WidthMm * PointsPerMm;
                var h = stamp.HeightMm * PointsPerMm;
                using var image = SKImage.FromEncodedData(stamp.Png);
                if (image is not null)
                {
                    canvas.DrawImage(image, SKRect.Create(sealX, Height - Margin - h - 12, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
                }

                canvas.DrawText(Fit($"{stamp.PositionName}", small, w + 20), sealX + (w / 2), Height - Margin, SKTextAlign.Center, small, paint);
                sealX += w + 18;
            }

            document.EndPage();
        }

        return stream.ToArray();
    }

    // Cuts a text that would run into the next column, marking the cut.
    private static string Fit(string value, SKFont font, float width)
    {
        if (font.MeasureText(value) <= width)
        {
            return value;
        }

        var cut = value;
        while (cut.Length > 1 && font.MeasureText(cut + "…") > width)
        {
            cut = cut[..^1];
        }

        return cut + "…";
    }
}
