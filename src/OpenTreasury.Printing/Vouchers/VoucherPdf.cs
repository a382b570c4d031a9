using SkiaSharp;

namespace OpenTreasury.Printing.Vouchers;

/// <summary>
/// A stamp position as it is printed (签章位置): the seal's picture at real size under the position's name, or an
/// empty box of the position when nobody has stamped there.
/// </summary>
public sealed record PrintedStamp(string Position, string PositionName, string? SealName, byte[]? Png, int WidthMm, int HeightMm)
{
    /// <summary>The size of an empty position's box.</summary>
    public const int EmptyMm = 30;

    public static PrintedStamp Empty(string position, string positionName) => new(position, positionName, null, null, EmptyMm, EmptyMm);
}

/// <summary>Everything a printed voucher (打印联) shows; labels are already the Chinese ones people read.</summary>
/// <param name="Title">The voucher type's Chinese name, e.g. 财政授权支付凭证.</param>
/// <param name="Subtitle">Its key: type, number, version, date, sender.</param>
/// <param name="Header">Header fields as (Chinese label, value).</param>
/// <param name="DetailColumns">Chinese labels of the detail table's columns.</param>
/// <param name="DetailRows">Every detail line, each a value per column.</param>
/// <param name="Amount">The total as the wire writes it (1005.06), or null for a type without one.</param>
/// <param name="AmountInCapitals">The total in capitals (大写金额), e.g. 壹仟零伍元零陆分.</param>
/// <param name="Stamps">Every stamp position in template order, stamped or empty.</param>
/// <param name="PrintNo">Which print of this voucher version: 1 the first, more a reprint (重打).</param>
/// <param name="Voided">The voucher is voided (作废): every page says so across it.</param>
/// <param name="Archive">The black-and-white archive print (黑白打印存档): no red, seals in grey.</param>
/// <param name="EmergencyPaper">Taken to paper under the emergency plan (应急纸质): every page says so at its top.</param>
public sealed record VoucherPrintout(
    string Title,
    string Subtitle,
    IReadOnlyList<KeyValuePair<string, string>> Header,
    IReadOnlyList<string> DetailColumns,
    IReadOnlyList<IReadOnlyList<string>> DetailRows,
    string? Amount,
    string? AmountInCapitals,
    IReadOnlyList<PrintedStamp> Stamps,
    int PrintNo,
    bool Voided = false,
    bool Archive = false,
    bool EmergencyPaper = false);

/// <summary>
/// A voucher printed to PDF on A4 landscape with the embedded Chinese font, one 联 per page: the title, the
/// page number (第 n/m 页), the print mark (第 N 次打印, a reprint 第 N 次打印（重打）), the header fields,
/// the total with 大写金额, the detail lines under their column header and every stamp position at the
/// bottom. Detail lines run over as many pages as they need, each page a full 联 with the header repeated
/// (可控打印). A voided voucher says 作废 across every page; the archive print is black and white.
/// </summary>
public static class VoucherPdf
{
    /// <summary>What the archive print says it is (seed: 过渡时期可采用黑白打印电子凭证存档的方式，作为电子凭证的索引).</summary>
    public const string ArchiveMark = "存档联（黑白打印，作电子凭证索引）";

    public const string VoidMark = "作废";

    /// <summary>What a voucher taken to paper under the emergency plan says on every page.</summary>
    public const string EmergencyMark = "应急纸质：电子凭证未送达，凭纸质办理";

    private const float PointsPerMm = 72f / 25.4f;
    private const float Width = 842f;
    private const float Height = 595f;
    private const float Margin = 36f;
    private const float RowHeight = 12f;
    private const float HeaderLineHeight = 11f;
    private const int HeaderColumns = 3;
    private static readonly SKColor Ink = new(0x20, 0x20, 0x20);
    private static readonly SKColor Red = new(0xD9, 0x00, 0x1B);

    /// <summary>The marks of one print: 第 1 次打印, or 第 N 次打印（重打） for a reprint.</summary>
    public static string PrintMark(int printNo) => printNo <= 1 ? "第 1 次打印" : $"第 {printNo} 次打印（重打）";

    /// <summary>The page mark of page <paramref name="page"/> (from 1) of <paramref name="pages"/>.</summary>
    public static string PageMark(int page, int pages) => $"第 {page}/{pages} 页";

    /// <summary>
    /// Splits <paramref name="rows"/> detail lines into pages of at most <paramref name="rowsPerPage"/>, in order:
    /// each page's first line and count. A voucher without lines still prints one page.
    /// </summary>
    public static IReadOnlyList<(int First, int Count)> Paginate(int rows, int rowsPerPage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerPage, 1);
        if (rows == 0)
        {
            return [(0, 0)];
        }

        return [.. Enumerable.Range(0, (rows + rowsPerPage - 1) / rowsPerPage).Select(p => (p * rowsPerPage, Math.Min(rowsPerPage, rows - (p * rowsPerPage))))];
    }

    /// <summary>How many detail lines fit on one page of this printout, below its header and above its stamps.</summary>
    public static int RowsPerPage(VoucherPrintout printout)
    {
        ArgumentNullException.ThrowIfNull(printout);
        var free = StampsTop(printout) - TableTop(printout) - RowHeight; // the column header takes one row
        return Math.Max(1, (int)(free / RowHeight));
    }

    public static byte[] Render(VoucherPrintout printout)
    {
        ArgumentNullException.ThrowIfNull(printout);
        var pages = Paginate(printout.DetailRows.Count, RowsPerPage(printout));
        using var stream = new MemoryStream();
        using (var document = SKDocument.CreatePdf(stream))
        {
            for (var p = 0; p < pages.Count; p++)
            {
                using var canvas = document.BeginPage(Width, Height);
                DrawPage(canvas, printout, p, pages);
                document.EndPage();
            }
        }

        return stream.ToArray();
    }

    // One page (一联) of the printout: its head, its share of the detail lines, the stamp positions, the marks.
    private static void DrawPage(SKCanvas canvas, VoucherPrintout printout, int page, IReadOnlyList<(int First, int Count)> pages)
    {
        using var title = new SKFont(SealFont.Typeface, 20);
        using var text = new SKFont(SealFont.Typeface, 9);
        using var small = new SKFont(SealFont.Typeface, 7.5f);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        using var accent = new SKPaint { Color = printout.Archive ? Ink : Red, IsAntialias = true };
        DrawHead(canvas, printout, page + 1, pages.Count, title, text, small, ink, accent);
        DrawTable(canvas, printout, pages[page], ColumnWidths(printout, small), small, ink);
        DrawStamps(canvas, printout, small, ink);
        if (printout.Voided)
        {
            DrawVoid(canvas, printout.Archive);
        }
    }

    private static void DrawHead(SKCanvas canvas, VoucherPrintout printout, int page, int pages, SKFont title, SKFont text, SKFont small, SKPaint ink, SKPaint accent)
    {
        canvas.DrawText(printout.Title, Width / 2, Margin + 14, SKTextAlign.Center, title, ink);
        canvas.DrawText(PageMark(page, pages), Width - Margin, Margin + 14, SKTextAlign.Right, text, ink);
        if (printout.Archive)
        {
            canvas.DrawText(ArchiveMark, Margin, Margin + 14, SKTextAlign.Left, text, ink);
        }

        canvas.DrawText(printout.Subtitle, Width / 2, Margin + 32, SKTextAlign.Center, text, ink);
        if (printout.EmergencyPaper)
        {
            canvas.DrawText(EmergencyMark, Margin, Margin + 32, SKTextAlign.Left, text, accent);
        }

        canvas.DrawText(PrintMark(printout.PrintNo), Width - Margin, Margin + 32, SKTextAlign.Right, text, printout.PrintNo <= 1 ? ink : accent);

        var y = Margin + 54;
        var columnWidth = (Width - (2 * Margin)) / HeaderColumns;
        for (var i = 0; i < printout.Header.Count; i++)
        {
            var (label, value) = (printout.Header[i].Key, printout.Header[i].Value);
            canvas.DrawText(Fit($"{label}：{value}", small, columnWidth - 6), Margin + (i % HeaderColumns * columnWidth), y + (i / HeaderColumns * HeaderLineHeight), SKTextAlign.Left, small, ink);
        }

        if (printout.Amount is not null)
        {
            canvas.DrawText($"合计金额 {printout.Amount}    大写 人民币{printout.AmountInCapitals}", Margin, AmountLine(printout), SKTextAlign.Left, text, ink);
        }
    }

    private static void DrawTable(SKCanvas canvas, VoucherPrintout printout, (int First, int Count) page, float[] widths, SKFont small, SKPaint ink)
    {
        if (printout.DetailColumns.Count == 0)
        {
            return;
        }

        using var rule = new SKPaint { Color = Ink, StrokeWidth = 0.5f, Style = SKPaintStyle.Stroke };
        var y = TableTop(printout) + RowHeight;
        foreach (var row in printout.DetailRows.Skip(page.First).Take(page.Count).Prepend(printout.DetailColumns))
        {
            canvas.DrawRect(Margin, y - 9, Width - (2 * Margin), RowHeight, rule);
            var x = Margin;
            for (var c = 0; c < widths.Length; c++)
            {
                if (c < row.Count)
                {
                    canvas.DrawText(Fit(row[c], small, widths[c] - 4), x + 2, y, SKTextAlign.Left, small, ink);
                }

                x += widths[c];
            }

            y += RowHeight;
        }
    }

    // Every position along the bottom: the seal at real size (grey in the archive print) or an empty box, over its name.
    private static void DrawStamps(SKCanvas canvas, VoucherPrintout printout, SKFont small, SKPaint ink)
    {
        using var grey = printout.Archive ? SKColorFilter.CreateColorMatrix(
        [
            0.2126f, 0.7152f, 0.0722f, 0, 0,
            0.2126f, 0.7152f, 0.0722f, 0, 0,
            0.2126f, 0.7152f, 0.0722f, 0, 0,
            0, 0, 0, 1, 0,
        ]) : null;
        using var picture = new SKPaint { ColorFilter = grey, IsAntialias = true };
        using var box = new SKPaint { Color = Ink, StrokeWidth = 0.5f, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash([3, 3], 0) };
        var x = Margin;
        foreach (var stamp in printout.Stamps)
        {
            var (w, h) = (stamp.WidthMm * PointsPerMm, stamp.HeightMm * PointsPerMm);
            var area = SKRect.Create(x, Height - Margin - h - 12, w, h);
            using var image = stamp.Png is null ? null : SKImage.FromEncodedData(stamp.Png);
            if (image is not null)
            {
                canvas.DrawImage(image, area, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), picture);
            }
            else
            {
                canvas.DrawRect(area, box);
            }

            canvas.DrawText(Fit(stamp.PositionName, small, w + 16), x + (w / 2), Height - Margin, SKTextAlign.Center, small, ink);
            x += w + 18;
        }
    }

    // 作废 in large letters across the page, under 45°, red (black in the archive print) and see-through.
    private static void DrawVoid(SKCanvas canvas, bool archive)
    {
        using var font = new SKFont(SealFont.Typeface, 160);
        using var paint = new SKPaint { Color = (archive ? Ink : Red).WithAlpha(0x70), IsAntialias = true };
        canvas.Save();
        canvas.RotateDegrees(-30, Width / 2, Height / 2);
        canvas.DrawText(VoidMark, Width / 2, (Height / 2) + 55, SKTextAlign.Center, font, paint);
        canvas.Restore();
    }

    private static float HeaderBottom(VoucherPrintout printout) =>
        Margin + 54 + ((printout.Header.Count + HeaderColumns - 1) / HeaderColumns * HeaderLineHeight);

    private static float AmountLine(VoucherPrintout printout) => HeaderBottom(printout) + 8;

    private static float TableTop(VoucherPrintout printout) => AmountLine(printout) + (printout.Amount is null ? 0 : 10);

    private static float StampsTop(VoucherPrintout printout) =>
        Height - Margin - 12 - 8 - (printout.Stamps.Count == 0 ? 0 : printout.Stamps.Max(s => s.HeightMm) * PointsPerMm);

    // Each column as wide as its widest text, all shrunk alike when together they are wider than the page.
    private static float[] ColumnWidths(VoucherPrintout printout, SKFont font)
    {
        var natural = printout.DetailColumns
            .Select((label, c) => printout.DetailRows.Select(r => c < r.Count ? font.MeasureText(r[c]) : 0).Append(font.MeasureText(label)).Max() + 6)
            .ToArray();
        var scale = Math.Min(1.5f, (Width - (2 * Margin)) / Math.Max(1, natural.Sum()));
        return [.. natural.Select(w => w * scale)];
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
