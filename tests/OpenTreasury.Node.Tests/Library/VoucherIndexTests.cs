using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Storage;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Tests.Library;

/// <summary>
/// The voucher index (migration 0011): every voucher a node stores, own or received, has its header and line rows, and
/// they say exactly what the voucher's XML says; a store made before 0011 is indexed when it is opened; the day's books
/// read from it reconcile as before.
/// </summary>
public sealed class VoucherIndexTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    /// <summary>Quota, two authorized payments, a direct payment, clearing, the day's reports.</summary>
    private async Task RunADayAsync()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("10000.00")));
        _net.SendPayment("SY-0001", "1234.50");
        _net.SendPayment("SY-0002", "99.99");
        _net.Finance.FinanceDesk!.SubmitDirectPayment(
            new DirectPaymentOrder("ZJ-0001", TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("2500.00"), _net.Master.Payees[0], "办公设备采购"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.SendDailyReport(Day);
        _net.Bank102.BankDesk!.SendDirectPaymentReports(Day);
        await _net.SettleAndProcessAsync();
    }

    [Fact]
    public async Task Every_stored_voucher_is_indexed_with_what_its_xml_says()
    {
        await RunADayAsync();

        var checkedVouchers = 0;
        foreach (var node in _net.Network.Nodes.Values)
        {
            using var connection = node.Library.Database.Connect();
            var vouchers = connection.Query<(long Id, byte[] Xml)>("SELECT id, inner_xml FROM vouchers ORDER BY id").ToList();
            checkedVouchers += vouchers.Count;
            Assert.Equal(vouchers.Count, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM voucher_headers"));
            foreach (var (id, xml) in vouchers)
            {
                Assert.Equal(Expected(id, xml), Indexed(connection, id));
            }
        }

        Assert.True(checkedVouchers > 10, $"{checkedVouchers} vouchers");

        // The day's vouchers of every kind the books read are among them.
        using var finance = _net.Finance.Library.Database.Connect();
        Assert.Equal(["2206", "2207", "2301", "5105", "5201", "8202"], finance.Query<string>(
            "SELECT DISTINCT v.vt_code FROM vouchers v JOIN voucher_lines l ON l.voucher_id = v.id WHERE v.vt_code IN ('2206', '2207', '2301', '5105', '5201', '8202') ORDER BY v.vt_code"));
    }

    [Fact]
    public async Task The_books_read_from_the_index_reconcile_the_day_to_the_fen()
    {
        await RunADayAsync();

        var books = FinanceBooksReader.Read(_net.Finance.Library, _net.Master, Day);
        var report = FinanceReconciliation.Reconcile(books);

        Assert.True(report.Balanced, string.Join("; ", report.Mismatches.Select(m => m.Description)));
        Assert.Equal(["SY-0001", "SY-0002"], books.PaymentsAccepted.Select(p => p.VoucherNo));
        Assert.Equal(Amount.ParseWire("1334.49"), report.Paid);
        Assert.Equal(Amount.ParseWire("1334.49"), report.Cleared);
        Assert.Equal(Amount.ParseWire("10000.00"), report.QuotaIssued);
        Assert.Equal(Amount.ParseWire("2500.00"), report.DirectPaid);
        Assert.Equal(Amount.ParseWire("2500.00"), report.DirectCleared);
        var paid = Assert.Single(books.DirectPaid);
        Assert.Equal(("ZJ-0001", _net.Master.Payees[0].AccountNo), (paid.VoucherNo, paid.PayeeAcctNo));
    }

    [Fact]
    public async Task An_index_row_changed_behind_the_librarys_back_is_named_where_the_voucher_is_read()
    {
        await RunADayAsync();
        var voucher = _net.Finance.Library.Query(new VoucherQuery("own", "8202")).Single(v => v.VoucherNo == "SY-0001");
        Assert.True(_net.Finance.Library.CheckIntegrity(voucher).Intact);
        using var connection = _net.Finance.Library.Database.Connect();

        // The trigger stops an honest mistake; someone with the file (or the database's owner) can drop it.
        Assert.ThrowsAny<System.Data.Common.DbException>(() => connection.Execute("UPDATE voucher_lines SET pay_amt_fen = 1 WHERE voucher_id = @id", new { id = voucher.Id }));
        TestNetwork.DropTrigger(connection, "voucher_lines_no_update", "voucher_lines");
        connection.Execute("UPDATE voucher_lines SET pay_amt_fen = pay_amt_fen + 1 WHERE voucher_id = @id", new { id = voucher.Id });

        var verdict = _net.Finance.Library.CheckIntegrity(voucher);

        var problem = Assert.Single(verdict.Problems);
        Assert.StartsWith("the voucher index's line 1 says VoucherNo -, AgencyCode 101001, ExpFuncCode 2010301, PayeeAcctNo -, PayAmt 1234.51,", problem, StringComparison.Ordinal);
        Assert.Contains("the bytes VoucherNo -, AgencyCode 101001, ExpFuncCode 2010301, PayeeAcctNo -, PayAmt 1234.50,", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_made_before_the_index_is_indexed_when_it_is_opened()
    {
        await RunADayAsync();
        var before = IndexOf(_net.Finance.Library.Database);
        Assert.NotEmpty(before.Lines);

        // The store as the build before 0011 left it: no index tables (dropping a table drops its triggers), none of 0011 or
        // the migrations after it applied or recorded.
        using (var connection = _net.Finance.Library.Database.Connect())
        {
            Storage.LaterMigrations.UndoFrom(connection, 11);
        }

        NodeDatabase.ReleaseAll();
        var reopened = NodeDatabase.OpenNode(Path.Combine(_net.Directory, _net.Finance.Party.ToString()));

        var after = IndexOf(reopened);
        Assert.Equal(before.Headers, after.Headers);
        Assert.Equal(before.Lines, after.Lines);
    }

    private static (List<string> Headers, List<string> Lines) IndexOf(NodeDatabase database)
    {
        using var connection = database.Connect();
        return (
            [.. connection.Query<string>(
                "SELECT CAST(voucher_id AS TEXT) || '|' || COALESCE(pay_bank_code, '-') || '|' || COALESCE(pay_bank_no, '-') || '|' || COALESCE(pay_type_code, '-') || '|' || COALESCE(x_clear_date, '-') || '|' || COALESCE(x_pay_date, '-') || '|' || COALESCE(payee_acct_no, '-') FROM voucher_headers ORDER BY voucher_id")],
            [.. connection.Query<string>(
                "SELECT CAST(voucher_id AS TEXT) || '|' || CAST(line AS TEXT) || '|' || COALESCE(voucher_no, '-') || '|' || COALESCE(agency_code, '-') || '|' || COALESCE(exp_func_code, '-') || '|' || COALESCE(payee_acct_no, '-') || '|' || COALESCE(CAST(pay_amt_fen AS TEXT), '-') || '|' || COALESCE(CAST(plan_amt_fen AS TEXT), '-') || '|' || COALESCE(CAST(x_pay_amt_fen AS TEXT), '-') || '|' || COALESCE(x_add_word, '-') FROM voucher_lines ORDER BY voucher_id, line")]);
    }

    private static List<string> Expected(long id, byte[] xml)
    {
        var voucher = VoucherXml.Read(xml).Value;
        static string Fen(string? wire) => Amount.TryParseWire(wire, out var amount) ? amount.Fen.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
        return
        [
            $"{id}|{voucher["PayBankCode"] ?? "-"}|{voucher["PayBankNo"] ?? "-"}|{voucher["PayTypeCode"] ?? "-"}|{voucher["XClearDate"] ?? "-"}|{voucher["XPayDate"] ?? "-"}|{voucher["PayeeAcctNo"] ?? "-"}",
            .. voucher.Details.Select((d, line) =>
                $"{line}|{d["VoucherNo"] ?? "-"}|{d["AgencyCode"] ?? "-"}|{d["ExpFuncCode"] ?? "-"}|{d["PayeeAcctNo"] ?? "-"}|{Fen(d["PayAmt"])}|{Fen(d["PlanAmt"])}|{Fen(d["XPayAmt"])}|{d["XAddWord"] ?? "-"}"),
        ];
    }

    private static List<string> Indexed(System.Data.Common.DbConnection connection, long id) =>
    [
        .. connection.Query<string>(
            "SELECT CAST(voucher_id AS TEXT) || '|' || COALESCE(pay_bank_code, '-') || '|' || COALESCE(pay_bank_no, '-') || '|' || COALESCE(pay_type_code, '-') || '|' || COALESCE(x_clear_date, '-') || '|' || COALESCE(x_pay_date, '-') || '|' || COALESCE(payee_acct_no, '-') FROM voucher_headers WHERE voucher_id = @id",
            new { id }),
        .. connection.Query<string>(
            "SELECT CAST(line AS TEXT) || '|' || COALESCE(voucher_no, '-') || '|' || COALESCE(agency_code, '-') || '|' || COALESCE(exp_func_code, '-') || '|' || COALESCE(payee_acct_no, '-') || '|' || COALESCE(CAST(pay_amt_fen AS TEXT), '-') || '|' || COALESCE(CAST(plan_amt_fen AS TEXT), '-') || '|' || COALESCE(CAST(x_pay_amt_fen AS TEXT), '-') || '|' || COALESCE(x_add_word, '-') FROM voucher_lines WHERE voucher_id = @id ORDER BY line",
            new { id }),
    ];
}
