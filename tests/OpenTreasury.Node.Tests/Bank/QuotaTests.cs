using Dapper;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Data.Sqlite;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Quotas;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Node.Tests.Bank;

/// <summary>Quota is never overspent: held by the domain's QuotaLine and again by the bank's table.</summary>
public sealed class QuotaTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ot-quota-" + Path.GetRandomFileName())).FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Property(MaxTest = 20, EndSize = 12)]
    public void Any_sequence_of_payments_never_overspends_a_quota_line_in_the_domain_or_in_the_table(PositiveInt issuedFen, int[] paymentsFen)
    {
        var database = NodeDatabase.Open(Path.Combine(_directory, "bank.db"));
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction(); // Rolled back: each case starts from an empty table.
        connection.Execute("INSERT INTO bank_quotas (adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES ('533103', 2026, '101001', '2010301', @fen)", new { fen = issuedFen.Get }, transaction);
        var line = new QuotaLine(new Amount(issuedFen.Get), Amount.Zero);

        foreach (var fen in paymentsFen)
        {
            var rejection = line.TryPay(new Amount(fen), out var next);
            var guarded = fen > 0
                ? connection.Execute("UPDATE bank_quotas SET paid_fen = paid_fen + @fen WHERE paid_fen + @fen <= issued_fen", new { fen }, transaction)
                : 0;

            Assert.Equal(rejection == QuotaRejection.None ? 1 : 0, guarded);
            Assert.Equal(rejection == QuotaRejection.None ? line.Paid + new Amount(fen) : line.Paid, next.Paid);
            line = next;
            var (issued, paid) = connection.QuerySingle<(long, long)>("SELECT issued_fen, paid_fen FROM bank_quotas", transaction: transaction);
            Assert.Equal(line.Paid.Fen, paid);
            Assert.True(line.HoldsInvariant);
            Assert.Equal(line.Issued, line.Paid + line.Remaining);
            Assert.True(paid <= issued);
            if (fen > line.Remaining.Fen)
            {
                // Without the guard, the CHECK constraint is the last line of defence.
                Assert.Throws<SqliteException>(() => connection.Execute("UPDATE bank_quotas SET paid_fen = paid_fen + @fen", new { fen }, transaction));
            }
        }
    }
}

/// <summary>Payments submitted and processed from several threads at once (on SQLite, and on PostgreSQL in .ci/run's second pass).</summary>
public sealed class ConcurrentPaymentTests : IDisposable
{
    private const int Tasks = 4;
    private const int PaymentsPerTask = 10;
    private static readonly Amount PaymentAmount = Amount.ParseWire("40.00");

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    // 1000.00 of quota, 40 payments of 40.00: 25 fit, 15 must be returned.
    private Task IssueQuotaAsync() => _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));

    // Each payer submits its payments; one told the store is busy (nothing was written) tries again, as a person would.
    private Task SubmitConcurrentlyAsync(int tasks = Tasks, int paymentsPerTask = PaymentsPerTask) => Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(() =>
    {
        for (var i = 0; i < paymentsPerTask; i++)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _net.Finance.FinanceDesk!.SubmitPayment(_net.Order($"ZF-{t}-{i:D3}", PaymentAmount), TestNetwork.BusinessDate).ThrowIfRefused();
                    break;
                }
                catch (System.Data.Common.DbException e) when (attempt < 5 && _net.Finance.Library.Database.Dialect.IsBusy(e))
                {
                }
            }
        }
    })));

    private void AssertQuotaHeld(int payments = Tasks * PaymentsPerTask)
    {
        using var bank = _net.Bank102.Library.Database.Connect();
        var (issued, paid) = bank.QuerySingle<(long, long)>("SELECT issued_fen, paid_fen FROM bank_quotas");
        var paidVouchers = TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM deliveries d JOIN vouchers v ON v.id = d.voucher_id WHERE v.vt_code = '8202' AND d.status = @s", new { s = (int)VoucherStatus.SignedFor });
        var returned = TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM deliveries d JOIN vouchers v ON v.id = d.voucher_id WHERE v.vt_code = '8202' AND d.status = @s", new { s = (int)VoucherStatus.Returned });

        Assert.True(paid <= issued, $"paid {paid} > issued {issued}");
        Assert.Equal(payments, paidVouchers + returned);
        Assert.Equal(payments, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers WHERE vt_code = '8202' AND origin = 'received'"));
        Assert.Equal(25, paidVouchers);
        Assert.Equal(paidVouchers * PaymentAmount.Fen, paid);
        Assert.Equal(paid, TestNetwork.Count(_net.Bank102, "SELECT COALESCE(SUM(amount_fen), 0) FROM bank_payments"));
    }

    [Fact]
    public async Task Payments_submitted_from_four_threads_while_the_bank_works_never_exceed_the_quota()
    {
        await IssueQuotaAsync();
        var submitting = SubmitConcurrentlyAsync();

        var bankAtWork = Task.Run(async () =>
        {
            while (true)
            {
                var done = submitting.IsCompleted;
                var moved = await _net.SettleAsync();
                var pass = _net.Bank102.BankDesk!.ProcessReceived(TestNetwork.BusinessDate);
                if (done && moved == 0 && pass.PaymentsPaid + pass.PaymentsReturned == 0)
                {
                    return;
                }
            }
        });
        await Task.WhenAll(submitting, bankAtWork);
        await _net.SettleAsync();

        AssertQuotaHeld();
    }

    [Fact]
    public async Task The_bank_processing_from_four_threads_at_once_pays_each_voucher_once_and_never_exceeds_the_quota()
    {
        await IssueQuotaAsync();
        await SubmitConcurrentlyAsync();
        await _net.SettleAsync();

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => Task.Run(() => _net.Bank102.BankDesk!.ProcessReceived(TestNetwork.BusinessDate))));
        await _net.SettleAsync();

        AssertQuotaHeld();
    }

    [Fact]
    public async Task Sixty_four_payers_at_once_on_one_quota_are_each_paid_or_returned_exactly_once_and_never_overspend_it()
    {
        const int payers = 64;
        await IssueQuotaAsync();
        await SubmitConcurrentlyAsync(payers, 1);
        await _net.SettleAsync();

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => Task.Run(() => _net.Bank102.BankDesk!.ProcessReceived(TestNetwork.BusinessDate))));
        await _net.SettleAndProcessAsync();

        AssertQuotaHeld(payers);
        Assert.Equal(payers, TestNetwork.Count(_net.Finance, "SELECT COUNT(DISTINCT voucher_no) FROM vouchers WHERE vt_code = '8202'"));
    }
}
