using System.Text;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Printing.Reports;

namespace OpenTreasury.Printing.Tests;

public sealed class ReconciliationExportTests
{
    private static readonly ReconciliationReport Unbalanced = FinanceReconciliation.Reconcile(new FinanceBooks(
        [new QuotaRecord("ED102202603", "102", "101001", "2010301", Amount.ParseWire("1000.00"))],
        [new PaymentRecord("ZF1-000001", "102", "101001", "2010301", Amount.ParseWire("100.00")), new PaymentRecord("ZF1-000002", "102", "101001", "2010301", Amount.ParseWire("50.00"))],
        [new PaymentRecord("ZF1-000001", "102", "101001", "2010301", Amount.ParseWire("100.01")), new PaymentRecord("ZF1-000003", "102", "101001", "2010301", Amount.ParseWire("7.00"))],
        [new ClearedRecord("HK1022026030200", "102", "101001", "2010301", Amount.ParseWire("150.00"))]));

    [Fact]
    public void The_report_names_every_kind_of_mismatch_with_its_vouchers()
    {
        var rows = ReconciliationExport.Rows(Unbalanced);

        Assert.Contains(rows, r => r[0] == "AmountDiffers" && r[2] == "ZF1-000001" && r[3] == "100.00" && r[4] == "100.01");
        Assert.Contains(rows, r => r[0] == "Missing" && r[2] == "ZF1-000002");
        Assert.Contains(rows, r => r[0] == "Extra" && r[2] == "ZF1-000003");
        Assert.Contains(rows, r => r[0] == "AmountDiffers" && r[2] == "HK1022026030200");
    }

    [Fact]
    public void The_xlsx_reads_back_with_the_same_rows_as_the_report()
    {
        var xlsx = ReconciliationExport.ToXlsx(Unbalanced, new DateOnly(2026, 3, 2));

        var rows = ReconciliationExport.ReadXlsxRows(xlsx);

        Assert.Equal(ReconciliationExport.Rows(Unbalanced), rows);
        Assert.Equal([0x50, 0x4B], xlsx[..2]); // A zip package, as .xlsx files are.
    }

    [Fact]
    public void The_csv_has_a_header_a_line_per_mismatch_and_quotes_what_needs_quoting()
    {
        var csv = ReconciliationExport.ToCsv(Unbalanced);
        var text = Encoding.UTF8.GetString(csv.AsSpan(3));
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(Encoding.UTF8.GetPreamble(), csv[..3]);
        Assert.Equal(ReconciliationExport.Rows(Unbalanced).Count + 1, lines.Length);
        Assert.StartsWith("类型 Kind,", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_balanced_day_exports_no_rows()
    {
        var balanced = FinanceReconciliation.Reconcile(new FinanceBooks([], [], [], []));

        Assert.True(balanced.Balanced);
        Assert.Empty(ReconciliationExport.ReadXlsxRows(ReconciliationExport.ToXlsx(balanced, new DateOnly(2026, 3, 2))));
    }
}
