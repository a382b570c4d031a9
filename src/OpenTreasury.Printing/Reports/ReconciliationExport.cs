using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using OpenTreasury.Domain.Reconciliation;

namespace OpenTreasury.Printing.Reports;

/// <summary>
/// Finance's reconciliation report (对账报告) as rows, and as CSV (UTF-8 with BOM, so Excel reads the
/// Chinese right) or an Excel workbook (.xlsx): one sheet, the summary on top, then one row per mismatch.
/// </summary>
public static class ReconciliationExport
{
    public static readonly string[] Columns = ["类型 Kind", "对象 Subject", "凭证号 Vouchers", "财政 Expected", "对方 Actual", "说明 Description"];

    /// <summary>The mismatch rows exactly as both exports write them.</summary>
    public static IReadOnlyList<string[]> Rows(ReconciliationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return [.. report.Mismatches.Select(m => new[]
        {
            m.Kind.ToString(),
            m.Subject,
            string.Join(" ", m.VoucherNos),
            m.Expected.ToWire(),
            m.Actual.ToWire(),
            m.Description,
        })];
    }

    public static IReadOnlyList<string[]> Summary(ReconciliationReport report, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(report);
        return
        [
            ["对账日期 Date", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
            ["结果 Result", report.Balanced ? "平衡 balanced" : "不平 not balanced"],
            ["不符笔数 Mismatches", report.Mismatches.Count.ToString(CultureInfo.InvariantCulture)],
            ["下达额度 Quota issued", report.QuotaIssued.ToWire()],
            ["支付合计 Paid", report.Paid.ToWire()],
            ["清算合计 Cleared", report.Cleared.ToWire()],
            ["剩余额度 Quota remaining", report.QuotaRemaining.ToWire()],
        ];
    }

    public static byte[] ToCsv(ReconciliationReport report)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Columns.Select(Quote)).Append("\r\n");
        foreach (var row in Rows(report))
        {
            text.AppendJoin(',', row.Select(Quote)).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    public static byte[] ToXlsx(ReconciliationReport report, DateOnly date)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var worksheet = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            uint rowIndex = 1;
            foreach (var line in Summary(report, date))
            {
                data.Append(Row(rowIndex++, line));
            }

            rowIndex++;
            data.Append(Row(rowIndex++, Columns));
            foreach (var line in Rows(report))
            {
                data.Append(Row(rowIndex++, line));
            }

            worksheet.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(worksheet), SheetId = 1, Name = "对账结果" }));
            workbook.Workbook.Save();
        }

        return stream.ToArray();
    }

    /// <summary>The mismatch rows of a workbook written by <see cref="ToXlsx"/>, read back (for checks and tests).</summary>
    public static IReadOnlyList<string[]> ReadXlsxRows(byte[] xlsx)
    {
        using var stream = new MemoryStream(xlsx);
        using var document = SpreadsheetDocument.Open(stream, false);
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
        var rows = sheet.Descendants<Row>()
            .Select(r => r.Elements<Cell>().Select(c => c.InlineString?.Text?.Text ?? c.CellValue?.Text ?? string.Empty).ToArray())
            .ToList();
        var header = rows.FindIndex(r => r.SequenceEqual(Columns));
        return header < 0 ? [] : rows.Skip(header + 1).ToList();
    }

    private static Row Row(uint index, IEnumerable<string> values)
    {
        var row = new Row { RowIndex = index };
        foreach (var value in values)
        {
            row.Append(new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(value)) });
        }

        return row;
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
