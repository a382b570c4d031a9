using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Ledgers;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Network;
using Xunit.Abstractions;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>
/// Property: whatever order a day's work happens in — authorized payments (some beyond quota), direct payments
/// (some to a closed account), 实拨 allocations, clearing requests, refunds (some beyond what is left) and
/// settle rounds at random moments — the books of all four parties end up agreeing. Each case is a seeded
/// <see cref="Random"/> on its own fresh network copy; the seed and the step trace are in every assertion message,
/// so a failing case is reproduced by rerunning its seed.
/// </summary>
public sealed class InterleavingProperties(ITestOutputHelper output)
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    /// <summary>The quota lines a case picks from: two at bank 102 (one unit, two classes), one at bank 103.</summary>
    private static readonly (string Agency, string Func, string Bank)[] Lines =
    [
        ("101001", "2010301", "102"),
        ("101001", "2010350", "102"),
        ("103001", "2100101", "103"),
    ];

    /// <summary>An account the bank's check finds closed (ends in 0000).</summary>
    private static readonly Payee ClosedPayee = new("53001638736050010000", "芒市已注销商行", "中国建设银行芒市支行", "105751000016");

    public static TheoryData<int> Seeds => [11, 23, 37, 41, 53, 67, 79, 97];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Any_interleaving_of_a_days_work_leaves_every_book_consistent(int seed)
    {
        using var net = new TestNetwork();
        var random = new Random(seed);
        var trace = new List<string>();
        string Why(string what) => $"seed {seed}: {what}\n  steps: {string.Join(" | ", trace)}";

        var finance = net.Finance.FinanceDesk!;

        // Quota for two or three unit × class lines.
        var lines = Lines.Take(random.Next(2, 4)).ToArray();
        var plan = lines.Select(l => new QuotaPlanLine(l.Agency, l.Func, new Amount(random.Next(500, 2001) * 100L))).ToArray();
        trace.Add("quota " + string.Join(",", plan.Select(p => $"{p.AgencyCode}/{p.ExpFuncCode}={p.Amount}")));
        // The treasury single account (opened by TestNetwork) holds enough for every clearing and allocation
        // of the day; running short is TreasuryAccountTests' and AllocationTests' case.
        await net.IssueQuotaAsync(plan);

        var steps = random.Next(10, 26);
        for (var step = 1; step <= steps; step++)
        {
            var roll = random.Next(100);
            var line = lines[random.Next(lines.Length)];
            var quota = plan.Single(p => p.AgencyCode == line.Agency && p.ExpFuncCode == line.Func).Amount;
            if (roll < 22)
            {
                // Up to 60% of the line's quota: a few of these overrun what is left.
                var amount = new Amount(random.NextInt64(1, quota.Fen * 6 / 10 + 1));
                var no = $"ZF-{step:D4}";
                var result = finance.SubmitPayment(net.Order(no, amount, line.Agency, line.Func), Day);
                trace.Add($"{no} {line.Agency}/{line.Func} {amount} {(result.Ok ? "" : "refused:" + result.Rejection)}");
            }
            else if (roll < 34)
            {
                var closed = random.Next(4) == 0;
                var amount = new Amount(random.NextInt64(100, 50_001));
                var no = $"ZJ-{step:D4}";
                var order = new DirectPaymentOrder(no, line.Agency, line.Func, amount, closed ? ClosedPayee : net.Master.Payees[random.Next(3)], "办公设备采购");
                var result = finance.SubmitDirectPayment(order, Day);
                trace.Add($"{no} {line.Agency}/{line.Func} {amount}{(closed ? " closed" : "")} {(result.Ok ? "" : "refused:" + result.Rejection)}");
            }
            else if (roll < 42)
            {
                var allocationLines = lines.Where(_ => random.Next(2) == 0).DefaultIfEmpty(line)
                    .Select(l => new AllocationLine(l.Agency, l.Func, new Amount(random.NextInt64(100, 120_001)))).ToArray();
                var no = $"SB-{step:D4}";
                var result = finance.IssueAllocation(new AllocationOrder(no, net.Master.Payees[0], allocationLines, "实拨经费"), Day);
                trace.Add($"{no} {Amount.Sum(allocationLines.Select(l => l.Amount))} {(result.Ok ? "" : "refused:" + result.Rejection)}");
            }
            else if (roll < 57)
            {
                var bank = random.Next(2) == 0 ? net.Bank102 : net.Bank103;
                var requests = bank.BankDesk!.RequestClearing(Day);
                trace.Add($"clear {bank.Party} ({requests.Count} 2301, {requests.Count(r => !r.Ok)} refused)");
            }
            else if (roll < 75)
            {
                Refund(net, random, step, trace, Why);
            }
            else if (roll < 82)
            {
                await net.SettleAsync();
                trace.Add("deliver");
            }
            else
            {
                await net.SettleAndProcessAsync();
                trace.Add("settle");
            }
        }

        // The end of the day: settle, clear, report, settle, post.
        await net.SettleAndProcessAsync();
        foreach (var bank in new[] { net.Bank102, net.Bank103 })
        {
            bank.BankDesk!.RequestClearing(Day);
        }

        await net.SettleAndProcessAsync();

        // A few refunds once everything is cleared, then their receipts are worked, before the daily reports.
        for (var late = random.Next(0, 4); late > 0; late--)
        {
            Refund(net, random, 100 + late, trace, Why);
        }

        await net.SettleAndProcessAsync();
        foreach (var bank in new[] { net.Bank102, net.Bank103 })
        {
            bank.BankDesk!.SendDailyReport(Day);
            bank.BankDesk!.SendDirectPaymentReports(Day);
        }

        await net.SettleAndProcessAsync();
        var journal = new FinanceJournal(net.Finance.Library);
        var posted = journal.PostPending();
        trace.Add($"end: posted {posted.Count}");
        Assert.All(posted.Posted, e => Assert.True(e.Refusal is null, Why($"posting {e.VoucherRef} refused: {e.Refusal}")));
        var tb = journal.TrialBalance();
        output.WriteLine($"seed {seed}: {string.Join(" | ", trace)}");
        output.WriteLine($"seed {seed}: 8202 returned {Returned(net, "8202")}, 5207 returned {Returned(net, "5207")}, "
            + $"refunds booked {TestNetwork.Count(net.Bank102, "SELECT COUNT(*) FROM bank_refunds") + TestNetwork.Count(net.Bank103, "SELECT COUNT(*) FROM bank_refunds")}, "
            + $"refused {trace.Count(t => t.StartsWith("TK-", StringComparison.Ordinal) && t.Contains("refused", StringComparison.Ordinal))}");

        // (1) Quota never negative, and what the bank still holds is what Finance's journal says is left.
        foreach (var (bankNode, bankCode) in new[] { (net.Bank102, "102"), (net.Bank103, "103") })
        {
            using var connection = bankNode.Library.Database.Connect();
            var quotas = connection.Query<(string Agency, string Func, long Issued, long Paid)>(
                "SELECT agency_code, exp_func_code, issued_fen, paid_fen FROM bank_quotas").ToList();
            foreach (var q in quotas)
            {
                Assert.True(q.Paid >= 0 && q.Paid <= q.Issued, Why($"bank {bankCode} {q.Agency}/{q.Func}: paid {q.Paid} issued {q.Issued}"));
                var planned = plan.Single(p => p.AgencyCode == q.Agency && p.ExpFuncCode == q.Func).Amount.Fen;
                Assert.True(planned == q.Issued, Why($"bank {bankCode} {q.Agency}/{q.Func}: issued {q.Issued}, planned {planned}"));
                var booked = tb.BalanceOf(Accounts.QuotaReceivable, q.Agency, q.Func).Fen;
                Assert.True(q.Issued - q.Paid == booked, Why($"bank {bankCode} {q.Agency}/{q.Func}: issued − paid = {q.Issued - q.Paid}, journal 1011 = {booked}"));
            }

            Assert.True(quotas.Count == lines.Count(l => l.Bank == bankCode), Why($"bank {bankCode} has {quotas.Count} quota lines"));
        }

        // (2) No payment line is refunded beyond what was paid; (3) every paid line is cleared exactly once.
        long pbocTotal12 = 0, pbocTotal11 = 0, paid12 = 0, paid11 = 0, refunded12 = 0, refunded11 = 0;
        using (var pbocDb = net.Pboc.Library.Database.Connect())
        {
            var clearings = pbocDb.Query<(string Bank, string VoucherNo, long Amount)>("SELECT bank_code, voucher_no, amount_fen FROM pboc_clearings").ToList();
            Assert.True(clearings.Select(c => (c.Bank, c.VoucherNo)).Distinct().Count() == clearings.Count, Why("duplicate pboc_clearings"));

            foreach (var (bankNode, bankCode) in new[] { (net.Bank102, "102"), (net.Bank103, "103") })
            {
                using var connection = bankNode.Library.Database.Connect();
                foreach (var (table, payType) in new[] { ("bank_payments", "12"), ("bank_direct_payments", "11") })
                {
                    var paidLines = connection.Query<(long VoucherId, long Line, string VoucherNo, long Amount, string? Clearing)>(
                        $"SELECT voucher_id, line, voucher_no, amount_fen, clearing_voucher_no FROM {table}").ToList();
                    foreach (var p in paidLines)
                    {
                        Assert.True(p.Clearing is not null, Why($"bank {bankCode} {table} {p.VoucherNo}/{p.Line} never cleared"));
                        Assert.True(clearings.Count(c => c.Bank == bankCode && c.VoucherNo == p.Clearing) == 1,
                            Why($"bank {bankCode} {p.VoucherNo}/{p.Line}: clearing {p.Clearing} is not once in pboc_clearings"));
                        var refunded = connection.ExecuteScalar<long>(
                            "SELECT COALESCE(SUM(amount_fen), 0) FROM bank_refunds WHERE ori_voucher_id = @id AND ori_line = @line AND cancelled_reason IS NULL", new { id = p.VoucherId, line = p.Line });
                        Assert.True(refunded <= p.Amount, Why($"bank {bankCode} {p.VoucherNo}/{p.Line}: refunded {refunded} > paid {p.Amount}"));
                    }

                    // Each 2301 of this pay type carries exactly the lines that name it.
                    foreach (var group in paidLines.GroupBy(p => p.Clearing))
                    {
                        var cleared = clearings.Single(c => c.Bank == bankCode && c.VoucherNo == group.Key).Amount;
                        Assert.True(cleared == group.Sum(p => p.Amount), Why($"bank {bankCode} 2301 {group.Key}: PBOC cleared {cleared}, lines sum {group.Sum(p => p.Amount)}"));
                        if (payType == "12")
                        {
                            pbocTotal12 += cleared;
                        }
                        else
                        {
                            pbocTotal11 += cleared;
                        }
                    }

                    var sum = paidLines.Sum(p => p.Amount);
                    var refundSum = connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_refunds WHERE pay_type = @payType AND cancelled_reason IS NULL", new { payType });
                    Assert.True(connection.ExecuteScalar<long>("SELECT COUNT(*) FROM bank_refunds WHERE credited_date IS NULL AND cancelled_reason IS NULL") == 0, Why($"bank {bankCode}: a refund was never credited"));
                    if (payType == "12")
                    {
                        (paid12, refunded12) = (paid12 + sum, refunded12 + refundSum);
                    }
                    else
                    {
                        (paid11, refunded11) = (paid11 + sum, refunded11 + refundSum);
                    }
                }
            }

            Assert.True(clearings.Sum(c => c.Amount) == pbocTotal12 + pbocTotal11, Why($"pboc_clearings {clearings.Sum(c => c.Amount)} vs banks' paid lines {pbocTotal12 + pbocTotal11}"));
            Assert.True(pbocTotal12 == paid12, Why($"type 12: PBOC cleared {pbocTotal12}, banks paid {paid12}"));
            Assert.True(pbocTotal11 == paid11, Why($"type 11: PBOC cleared {pbocTotal11}, banks paid {paid11}"));
            var quota12 = pbocDb.ExecuteScalar<long>("SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_clearing_quotas");
            var quota11 = pbocDb.ExecuteScalar<long>("SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_direct_clearing_quotas");
            Assert.True(quota12 == paid12 - refunded12, Why($"pboc_clearing_quotas cleared {quota12}, banks paid − refunded {paid12 - refunded12}"));
            Assert.True(quota11 == paid11 - refunded11, Why($"pboc_direct_clearing_quotas cleared {quota11}, banks paid − refunded {paid11 - refunded11}"));
        }

        // (4) Finance's reconciliation balances.
        var reconciliation = FinanceReconciliation.Reconcile(FinanceBooksReader.Read(net.Finance.Library, net.Master, Day));
        Assert.True(reconciliation.Balanced && reconciliation.Mismatches.Count == 0,
            Why("reconciliation: " + string.Join("; ", reconciliation.Mismatches.Select(m => m.Description))));

        // (5) The journal balances.
        Assert.True(tb.IsBalanced, Why($"trial balance: debits {tb.TotalDebits}, credits {tb.TotalCredits}"));

        // (6) Every audit chain is intact.
        foreach (var (party, node) in net.Network.Nodes)
        {
            using var connection = node.Library.Database.Connect();
            var verdict = AuditLog.Verify(connection);
            Assert.True(verdict.Intact, Why($"audit of {party} broken at {verdict.FirstBrokenSeq}"));
        }
    }

    private static int Returned(TestNetwork net, string vtCode) =>
        net.Finance.Library.List(vtCode).Count(v => v.Origin == "own" && !v.IsReply
            && net.Finance.Library.Deliveries(v.Id).Any(d => d.Status == OpenTreasury.Domain.Vouchers.VoucherStatus.Returned));

    /// <summary>
    /// A refund of a random paid line of either bank, of a random amount (one in four beyond what is left). Nine in ten
    /// pick a line PBOC has cleared; the rest any paid line, so refunds of lines not yet cleared are tried (and refused) too.
    /// </summary>
    private static void Refund(TestNetwork net, Random random, int step, List<string> trace, Func<string, string> why)
    {
        var clearedOnly = random.Next(10) != 0;
        var paid = new List<(TreasuryNode Bank, string VoucherNo, long Line, long Amount, long Refunded)>();
        foreach (var node in new[] { net.Bank102, net.Bank103 })
        {
            using var connection = node.Library.Database.Connect();
            paid.AddRange(connection.Query<(string, long, long, long)>($"""
                SELECT p.voucher_no, p.line, p.amount_fen,
                       (SELECT COALESCE(SUM(r.amount_fen), 0) FROM bank_refunds r WHERE r.ori_voucher_id = p.voucher_id AND r.ori_line = p.line AND r.cancelled_reason IS NULL)
                FROM (SELECT voucher_id, line, voucher_no, amount_fen, cleared_date FROM bank_payments
                      UNION ALL SELECT voucher_id, line, voucher_no, amount_fen, cleared_date FROM bank_direct_payments) p
                {(clearedOnly ? "WHERE p.cleared_date IS NOT NULL" : "")}
                ORDER BY p.voucher_no, p.line
                """).Select(r => (node, r.Item1, r.Item2, r.Item3, r.Item4)));
        }

        if (paid.Count == 0)
        {
            trace.Add($"refund: nothing {(clearedOnly ? "cleared" : "paid")}");
            return;
        }

        var target = paid[random.Next(paid.Count)];
        var bank = target.Bank;
        var left = target.Amount - target.Refunded;
        // One in four asks for more than is left (by 1 fen up to the whole amount); the rest stay within it.
        var amount = random.Next(4) == 0 || left <= 0
            ? left + random.NextInt64(1, target.Amount + 1)
            : random.NextInt64(1, left + 1);
        var no = $"TK-{step:D4}";
        var result = bank.BankDesk!.RefundPayment(no, target.VoucherNo, (int)target.Line, new Amount(amount), "收款人退回", Day);
        trace.Add($"{no} {bank.Party} {target.VoucherNo}/{target.Line} {new Amount(amount)} of left {new Amount(left)} {(result.Ok ? "ok" : "refused:" + result.Message)}");
        if (result.Ok)
        {
            Assert.True(amount <= left, why($"refund {no} of {amount} fen accepted with only {left} fen left on {target.VoucherNo}/{target.Line}"));
        }
    }
}
