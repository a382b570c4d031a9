using System.Diagnostics;
using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Domain.Ledgers;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Simulation.Demo;

/// <summary>
/// Runs a demo plan through a network, end to end: quota, payments, clearing, daily report,
/// reconciliation. Every step is idempotent, so a run killed at any moment and started again on
/// the same folder finishes the plan without repeating anything.
/// </summary>
/// <remarks>
/// Each step is carried out by its party's node through <paramref name="parties"/> (in this process, or each node in its
/// own); the runner reads what it needs to choose steps and to summarize from <paramref name="network"/> without writing.
/// </remarks>
public sealed class DemoRunner(TreasuryNetwork network, IDemoParties parties, Action<string> progress)
{
    public DemoRunner(TreasuryNetwork network, Action<string> progress)
        : this(network, new InProcessDemoParties(network), progress)
    {
    }

    private const int PaymentBatch = 50;

    public async Task<DemoSummary> RunAsync(DemoPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var watch = Stopwatch.StartNew();
        var first = plan.DateOf(0);

        // What is still due from an earlier run is delivered and worked first; a node restored from its backup recovers in
        // this pass (ADR 0016) before the plan asks anything of it.
        await SettleAndProcessAsync(first, cancellationToken).ConfigureAwait(false);
        foreach (var division in network.Master.Divisions)
        {
            progress($"国库单一账户 treasury single account of {division.AdmDivName} ({division.AdmDivCode}): opened at PBOC with {DemoPlan.TreasuryOpening.ToWire()} (debited by clearing and allocation, credited by refunds)");
            await RunAsync(PartyId.Pboc, new OpenTreasuryAccount(DemoPlan.TreasuryOpening, division.AdmDivCode), cancellationToken).ConfigureAwait(false);
        }

        progress($"预算指标 indicators: {plan.Indicators.Count} lines under {DemoPlan.IndicatorReference}, entered and approved at Finance");
        await RunAsync(PartyId.Finance, new RegisterIndicators(DemoPlan.IndicatorReference, plan.Indicators), cancellationToken).ConfigureAwait(false);
        progress($"额度下达 quota: {plan.Quota.Count} lines for month {plan.Month} (5105 to the banks, 5106 to PBOC)");
        await RunAsync(PartyId.Finance, new IssueQuota(plan.Month, first, plan.Quota), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
        await SettleAndProcessAsync(first, cancellationToken).ConfigureAwait(false);

        for (var day = 0; day < plan.Days; day++)
        {
            var date = plan.DateOf(day);
            if (plan.Days > 1)
            {
                progress($"营业日 business day {day + 1}/{plan.Days}: {date:yyyy-MM-dd}");
            }

            await PayAsync(plan, plan.PaymentsOf(day), date, cancellationToken).ConfigureAwait(false);
            await PayDirectAsync(plan.DirectPaymentsOf(day), date, cancellationToken).ConfigureAwait(false);
            if (day == 0)
            {
                await AllocateAsync(plan, date, cancellationToken).ConfigureAwait(false);
            }

            await CloseDayAsync(plan, date, lastDay: day == plan.Days - 1, firstDay: day == 0, cancellationToken).ConfigureAwait(false);
        }

        return Summarize(plan, watch.ElapsedMilliseconds);
    }

    private async Task PayAsync(DemoPlan plan, IReadOnlyList<PaymentOrder> payments, DateOnly date, CancellationToken cancellationToken)
    {
        for (var start = 0; start < payments.Count; start += PaymentBatch)
        {
            foreach (var order in payments.Skip(start).Take(PaymentBatch))
            {
                await RunAsync(PartyId.Finance, new SubmitPayment(order, date), cancellationToken).ConfigureAwait(false);
            }

            await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
            progress($"授权支付 payments: {Math.Min(start + PaymentBatch, payments.Count)}/{payments.Count} submitted and processed{(plan.Days > 1 ? " today" : string.Empty)}");
        }
    }

    private async Task PayDirectAsync(IReadOnlyList<DirectPaymentOrder> payments, DateOnly date, CancellationToken cancellationToken)
    {
        if (payments.Count == 0)
        {
            return;
        }

        progress($"直接支付 direct payments: {payments.Count} (5201 to the banks, 5108 to PBOC, 回单 back)");
        foreach (var order in payments)
        {
            await RunAsync(PartyId.Finance, new SubmitDirectPayment(order, date), cancellationToken).ConfigureAwait(false);
        }

        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
    }

    private async Task AllocateAsync(DemoPlan plan, DateOnly date, CancellationToken cancellationToken)
    {
        if (plan.Allocations.Count == 0)
        {
            return;
        }

        progress($"实拨 allocations: {plan.Allocations.Count} (5207 to PBOC, paid from the treasury or returned)");
        foreach (var order in plan.Allocations)
        {
            await RunAsync(PartyId.Finance, new IssueAllocation(order, date), cancellationToken).ConfigureAwait(false);
        }

        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        if (plan.Reissue is { } reissue)
        {
            var unit = network.Master.Units[2 % network.Master.Units.Count];
            progress($"作废重开 void and reissue: {reissue.Returned} → {reissue.Reissued}");
            await RunAsync(PartyId.Finance, new ReissueAllocation(reissue.Returned, reissue.Reissued, date, unit.AgencyCode, "收款账户已销户, 更正后重开"), cancellationToken).ConfigureAwait(false);
            await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        }

        if (plan.AllocationRefund is { } refund)
        {
            progress($"实拨退款 allocation refund: {refund.Amount.ToWire()} of {refund.OriVoucherNo} (3208)");
            await RunAsync(PartyId.Pboc, new SendAllocationRefund(refund.OriVoucherNo, refund.Amount, "收款单位退回多拨款项", refund.VoucherNo, date), cancellationToken).ConfigureAwait(false);
            await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The end of a business day: clearing, refunds (on the last day), reports, PBOC's statements, Finance's journal.</summary>
    private async Task CloseDayAsync(DemoPlan plan, DateOnly date, bool lastDay, bool firstDay, CancellationToken cancellationToken)
    {
        progress("清算 clearing: the banks send 2301 (授权 12, 直接 11), PBOC matches and clears");
        foreach (var bank in Banks)
        {
            await RunAsync(bank, new RequestClearing(date), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
        }

        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        if (lastDay)
        {
            await RefundOnePaymentOfEachKindAsync(plan, date, cancellationToken).ConfigureAwait(false);
            await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        }

        progress("日报 daily reports: the banks send 2207, 2206 and 2209 to Finance");
        foreach (var bank in Banks)
        {
            if (plan.InjectMismatch && firstDay && bank.Bank?.Value == "102")
            {
                await RunAsync(bank, new MisbookPayment(date, 1), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
            }

            await RunAsync(bank, new SendDailyReport(date), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
            await RunAsync(bank, new SendDirectPaymentReports(date), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
        }

        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);

        progress("凭证对账 PBOC's statements: 3501/4004 to Finance, 3502/4005 to the banks, each checked line by line");
        await RunAsync(PartyId.Pboc, new SendVoucherReconciliation(date), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);

        progress("清算信息对账 PBOC's 3507: Finance answers 5507, the banks 2507");
        await RunAsync(PartyId.Pboc, new SendClearingReconciliation(date, date), cancellationToken, throwIfRefused: false).ConfigureAwait(false);
        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        progress("对账 reconciliation at Finance; 账务处理 its journal posts the day");
        await RunAsync(PartyId.Finance, new PostJournal(), cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<PartyId> Banks => parties.Parties.Where(p => p.Kind == PartyKind.Bank);

    private async Task RunAsync(PartyId party, DemoAction action, CancellationToken cancellationToken, bool throwIfRefused = true)
    {
        var outcome = await parties.RunAsync(party, action, cancellationToken).ConfigureAwait(false);
        if (throwIfRefused)
        {
            outcome.ThrowIfRefused(party, action);
        }
    }

    private Task SettleAndProcessAsync(DateOnly date, CancellationToken cancellationToken) =>
        parties.SettleAndProcessAsync(date, cancellationToken);

    private DemoSummary Summarize(DemoPlan plan, long elapsedMs)
    {
        var master = network.Master;
        long paid = 0, rejected = 0, paidFen = 0;
        var paidIn = master.Divisions.ToDictionary(d => d.AdmDivCode, _ => (Count: 0, Fen: 0L), StringComparer.Ordinal);
        using (var connection = network.Finance.Library.Database.Connect())
        {
            var statuses = connection.Query<(long Status, long AmountFen, string Adm)>(
                """
                SELECT d.status, v.amount_fen, v.adm_div_code FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id
                WHERE v.origin = 'own' AND v.vt_code = '8202' AND v.voucher_no LIKE @prefix || '%'
                """,
                new { prefix = plan.VoucherPrefix });
            foreach (var (status, amountFen, adm) in statuses)
            {
                if (status == (long)VoucherStatus.SignedFor)
                {
                    paid++;
                    paidFen += amountFen;
                    paidIn[adm] = (paidIn[adm].Count + 1, paidIn[adm].Fen + amountFen);
                }
                else if (status == (long)VoucherStatus.Returned)
                {
                    rejected++;
                }
            }
        }

        long issuedFen = 0, quotaPaidFen = 0;
        foreach (var bank in network.Banks)
        {
            using var connection = bank.Library.Database.Connect();
            issuedFen += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(issued_fen), 0) FROM bank_quotas");
            quotaPaidFen += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(paid_fen), 0) FROM bank_quotas");
        }

        long clearedFen, clearings;
        using (var connection = network.Pboc.Library.Database.Connect())
        {
            clearedFen = connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings");
            clearings = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pboc_clearings");
        }

        // 对账: each division on its own, as a whole run and day by day.
        var several = master.Divisions.Count > 1;
        var dates = Enumerable.Range(0, plan.Days).Select(plan.DateOf).ToList();
        var byDivision = master.Divisions.Select(d => (
            Division: d,
            Whole: FinanceReconciliation.Reconcile(FinanceBooksReader.Read(network.Finance.Library, master, admDivCode: d.AdmDivCode)),
            Days: dates.Select(day => FinanceReconciliation.Reconcile(FinanceBooksReader.Read(network.Finance.Library, master, day, d.AdmDivCode))).ToList()))
            .ToList();
        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long verified = 0, failed = 0;
        var replies = 0;
        var audit = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var node in network.Nodes.Values)
        {
            using var connection = node.Library.Database.Connect();
            foreach (var (vtCode, count) in connection.Query<(string VtCode, long Count)>(
                "SELECT vt_code, COUNT(*) FROM vouchers WHERE origin = 'own' AND flag = 0 GROUP BY vt_code"))
            {
                byType[vtCode] = byType.GetValueOrDefault(vtCode) + (int)count;
            }

            replies += connection.ExecuteScalar<int>("SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND flag = 1");
            verified += connection.ExecuteScalar<long>("SELECT COUNT(*) FROM inbox") + connection.ExecuteScalar<long>("SELECT COUNT(*) FROM applied_notices");
            failed += connection.ExecuteScalar<long>("SELECT COUNT(*) FROM rejected_messages WHERE code IN ('BadSignature', 'MissingStamp', 'ForeignStamp')");
            audit[node.Party.ToString()] = AuditLog.Verify(connection).Intact;
        }

        return new DemoSummary(
            network.Directory,
            new PaymentCounts(plan.Payments.Count, (int)paid, (int)rejected, new Amount(paidFen).ToWire()),
            new QuotaTotals(new Amount(issuedFen).ToWire(), new Amount(quotaPaidFen).ToWire(), new Amount(issuedFen - quotaPaidFen).ToWire()),
            new ClearingTotals(new Amount(clearedFen).ToWire(), (int)clearings),
            new ReconciliationOutcome(
                byDivision.All(d => d.Whole.Balanced),
                byDivision.Sum(d => d.Whole.Mismatches.Count),
                [.. byDivision.SelectMany(d => d.Whole.Mismatches.Select(m => $"{(several ? $"{d.Division.AdmDivCode} " : string.Empty)}{m.Kind}: {m.Description}"))])
            {
                Days = [.. dates.Select((day, i) => new DayOutcome(Text(day), byDivision.All(d => d.Days[i].Balanced), byDivision.Sum(d => d.Days[i].Mismatches.Count)))],
            },
            new VoucherCounts(byType, replies),
            new SignatureCounts(verified, failed),
            audit,
            elapsedMs)
        {
            Flows = FlowsOf(plan),
            TreasuryAccount = TreasuryAccountOf(plan),
            Indicators = IndicatorsOf(),
            Divisions = several
                ? [.. byDivision.Select(d =>
                {
                    var book = network.Pboc.PbocDesk!.TreasuryBook(null, d.Division.AdmDivCode);
                    var trial = new FinanceJournal(network.Finance.Library).TrialBalance(d.Division.AdmDivCode);
                    return new DivisionOutcome(
                        d.Division.AdmDivCode, d.Division.AdmDivName, paidIn[d.Division.AdmDivCode].Count, new Amount(paidIn[d.Division.AdmDivCode].Fen).ToWire(),
                        d.Whole.Balanced, d.Whole.Mismatches.Count, [.. dates.Select((day, i) => new DayOutcome(Text(day), d.Days[i].Balanced, d.Days[i].Mismatches.Count))],
                        book.Closing.ToWire(), book.Balances, trial.IsBalanced, trial.Account(Accounts.Expenditure).Balance.ToWire());
                })]
                : null,
        };
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>PBOC's treasury single accounts of every division, added up.</summary>
    private Amount TreasuryBalance() => Amount.Sum(network.Master.Divisions.Select(d => network.Pboc.PbocDesk!.TreasuryBalance(d.AdmDivCode)));

    /// <summary>
    /// 退款: a payee sends back part of the first paid authorized payment and of the first paid direct-payment
    /// line; the bank asks PBOC to take it back (2302). Numbers come from the plan's seed, so a rerun finds them.
    /// </summary>
    private async Task RefundOnePaymentOfEachKindAsync(DemoPlan plan, DateOnly date, CancellationToken cancellationToken)
    {
        if (plan.Payments.Count == 0)
        {
            return;
        }

        var finance = network.Finance.Library;
        var seed = plan.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var authorized = finance.List("8202", limit: 100_000)
            .FirstOrDefault(v => v.Origin == "own" && v.VoucherNo.StartsWith(plan.VoucherPrefix, StringComparison.Ordinal)
                && finance.Deliveries(v.Id).Any(d => d.Status == VoucherStatus.SignedFor));
        if (authorized is not null)
        {
            progress($"退款 refund: {RefundAmount.ToWire()} of authorized payment {authorized.VoucherNo} comes back (2302, quota restored on PBOC's 回单)");
            await RunAsync(network.Bank(authorized.Content.Require("PayBankCode")).Party,
                new RefundPayment($"TK{seed}-A01", authorized.VoucherNo, 1, RefundAmount, "收款人退回部分款项", date, authorized.AdmDivCode), cancellationToken).ConfigureAwait(false);
        }

        var direct = finance.List("5201", limit: 100_000)
            .Where(v => v.Origin == "received" && v.IsReply)
            .Select(v => v.Content)
            .FirstOrDefault(c => c.Details.Count > 0 && c.Details[0]["XPayAmt"] is { } paid && paid != "0.00" && Amount.ParseWire(paid) >= RefundAmount);
        if (direct is not null)
        {
            progress($"退款 refund: {RefundAmount.ToWire()} of direct payment {direct.Require("VoucherNo")} comes back (2302, 2203 to Finance)");
            await RunAsync(network.Bank(direct.Require("PayBankCode")).Party,
                new RefundPayment($"TK{seed}-D01", direct.Require("VoucherNo"), 1, RefundAmount, "收款人退回多付款项", date, direct.Require("AdmDivCode")), cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly Amount RefundAmount = Amount.ParseWire("100.00");

    private LedgerBalances LedgersOf()
    {
        var trial = new FinanceJournal(network.Finance.Library).TrialBalance();
        var finance = trial.ByAccount.ToDictionary(l => $"{l.Account} {l.AccountName}", l => l.Balance.ToWire(), StringComparer.Ordinal);
        var banks = network.Banks.ToDictionary(b => b.Party.ToString(), b =>
        {
            using var connection = b.Library.Database.Connect();
            return (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["quotaIssued"] = new Amount(connection.ExecuteScalar<long>("SELECT COALESCE(SUM(issued_fen), 0) FROM bank_quotas")).ToWire(),
                ["quotaPaid"] = new Amount(connection.ExecuteScalar<long>("SELECT COALESCE(SUM(paid_fen), 0) FROM bank_quotas")).ToWire(),
                ["directPaid"] = new Amount(connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_direct_payments")).ToWire(),
                ["refunded"] = new Amount(connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_refunds WHERE cancelled_reason IS NULL")).ToWire(),

                // 清算头寸: paid from the units' zero-balance accounts but not yet reimbursed by PBOC.
                ["clearingPosition"] = new Amount(connection.ExecuteScalar<long>(
                    "SELECT (SELECT COALESCE(SUM(amount_fen), 0) FROM bank_payments WHERE cleared_date IS NULL) + (SELECT COALESCE(SUM(amount_fen), 0) FROM bank_direct_payments WHERE cleared_date IS NULL)")).ToWire(),
            };
        }, StringComparer.Ordinal);
        using var pboc = network.Pboc.Library.Database.Connect();
        var pbocBooks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["treasuryBalance"] = TreasuryBalance().ToWire(),
            ["clearingQuotaIssued"] = new Amount(pboc.ExecuteScalar<long>("SELECT COALESCE(SUM(issued_fen), 0) FROM pboc_clearing_quotas")).ToWire(),
            ["clearingQuotaCleared"] = new Amount(pboc.ExecuteScalar<long>("SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_clearing_quotas")).ToWire(),
            ["directQuotaIssued"] = new Amount(pboc.ExecuteScalar<long>("SELECT COALESCE(SUM(issued_fen), 0) FROM pboc_direct_clearing_quotas")).ToWire(),
            ["directQuotaCleared"] = new Amount(pboc.ExecuteScalar<long>("SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_direct_clearing_quotas")).ToWire(),
        };
        return new LedgerBalances(trial.IsBalanced, finance, banks, pbocBooks);
    }

    private IndicatorTotals IndicatorsOf()
    {
        var rows = network.Finance.FinanceDesk!.Indicators();
        string Sum(Func<IndicatorRow, Amount> of) => Amount.Sum(rows.Select(of)).ToWire();
        return new IndicatorTotals(rows.Count, Sum(r => r.Indicator), Sum(r => r.Planned), Sum(r => r.Paid), Sum(r => r.Left), Sum(r => r.QuotaLeft));
    }

    private TreasuryAccountSummary TreasuryAccountOf(DemoPlan plan)
    {
        static TreasuryDay Day(string date, TreasuryBook b) => new(
            date, b.Opening.ToWire(), b.Cleared.ToWire(), b.Allocated.ToWire(), (b.Refunded + b.AllocationRefunded).ToWire(), b.Closing.ToWire());
        var pboc = network.Pboc.PbocDesk!;
        var divisions = network.Master.Divisions;

        // Every division's account added up; each one's closing is its stored balance, so Balances checks every movement against it.
        TreasuryBook Sum(IEnumerable<TreasuryBook> books) => books.Aggregate((a, b) => new TreasuryBook(
            a.Opening + b.Opening, a.Cleared + b.Cleared, a.Allocated + b.Allocated, a.Refunded + b.Refunded, a.AllocationRefunded + b.AllocationRefunded, a.Closing + b.Closing));
        TreasuryBook Book(DateOnly? day) => Sum(divisions.Select(d => pboc.TreasuryBook(day, d.AdmDivCode)));
        var years = divisions.Select(d => pboc.TreasuryBook(null, d.AdmDivCode)).ToList();
        var year = Sum(years);
        return new TreasuryAccountSummary(
            year.Opening.ToWire(), year.Cleared.ToWire(), year.Allocated.ToWire(), (year.Refunded + year.AllocationRefunded).ToWire(), year.Closing.ToWire(),
            years.All(b => b.Balances),
            [.. Enumerable.Range(0, plan.Days).Select(plan.DateOf).Select(d => Day(Text(d), Book(d)))]);
    }

    private FlowCounts FlowsOf(DemoPlan plan)
    {
        var finance = network.Finance.Library;
        var receipts = finance.List("5201", limit: 100_000).Where(v => v.IsReply && v.Origin == "received").Select(v => v.Content).ToList();
        var direct = new DirectCounts(
            plan.DirectPayments.Count,
            receipts.Count,
            receipts.Sum(r => r.Details.Count(d => d["XPayAmt"] == "0.00")),
            Amount.Sum(receipts.Select(r => Amount.ParseWire(r.Require("XPayAmt")))).ToWire());
        var allocations = finance.List("5207", limit: 100_000).Where(v => v.Origin == "own" && !v.IsReply).ToList();
        var paid = allocations.Where(v => finance.Deliveries(v.Id).Any(d => d.Status == VoucherStatus.ReplyArrived)).ToList();
        var refunds = finance.List("3208", limit: 100_000).Where(v => v.Origin == "received").Select(v => Amount.ParseWire(v.Content.Require("PayAmt")));
        using var connection = finance.Database.Connect();
        var allocation = new AllocationCounts(
            allocations.Count,
            paid.Count,
            allocations.Count(v => v.State == "voided"),
            (int)connection.ExecuteScalar<long>("SELECT COUNT(*) FROM voucher_links WHERE kind = 'reissue'"),
            new Amount(paid.Sum(v => v.AmountFen ?? 0)).ToWire(),
            (-Amount.Sum(refunds)).ToWire(),
            TreasuryBalance().ToWire());
        var refundsBack = network.Banks.Sum(b =>
        {
            using var bank = b.Library.Database.Connect();
            return bank.ExecuteScalar<long>("SELECT COUNT(*) FROM bank_refunds WHERE cancelled_reason IS NULL");
        });
        var statements = network.Finance.FinanceDesk!.VoucherReconciliations()
            .Concat(network.Banks.SelectMany(b => b.BankDesk!.VoucherReconciliations()))
            .ToList();
        return new FlowCounts(direct, allocation)
        {
            Ledgers = LedgersOf(),
            Refunds = (int)refundsBack,
            Statements = new StatementCounts(statements.Count, statements.Count(s => s.Balanced), statements.Sum(s => s.MismatchCount)),
            // By statement and party, not by arrival: the same answers read the same whichever came first.
            ClearingAnswers = [.. network.Pboc.PbocDesk!.ClearingReconciliations()
                .OrderBy(a => a.StatementNo, StringComparer.Ordinal).ThenBy(a => a.Party, StringComparer.Ordinal)
                .Select(a => new ClearingAnswerCount(a.Party, a.VtCode, a.XCheckResult, a.XDiffNum))],
        };
    }
}
