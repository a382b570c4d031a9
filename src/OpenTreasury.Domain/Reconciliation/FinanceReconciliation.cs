using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Reconciliation;

/// <summary>The kinds of disagreement reconciliation (对账) reports.</summary>
public enum MismatchKind
{
    Missing = 1,       // Finance expects it, the other party does not report it
    Extra = 2,         // the other party reports it, Finance has no such record
    AmountDiffers = 3, // both have it, with different amounts
    Overspent = 4,     // paid beyond issued quota
    FailedReportedAsPaid = 5, // 直接支付: a line the bank's 回单 says failed appears as paid in its daily report
    StatementDiffers = 6,     // PBOC's 3501/4004 of the day disagrees with Finance's vouchers (实拨 5207 and 3208 among them)
}

/// <summary>
/// PBOC's voucher statement (3501 per voucher type, 4004 of every type) as Finance checked it that day: the
/// 实拨 5207 回单 and 3208 are reconciled through it.
/// </summary>
public sealed record StatementRecord(string StatementVtCode, string StatementNo, string? EVoucherType, int MismatchCount, string Description);

/// <summary>One disagreement, naming the voucher(s) and the books involved.</summary>
public sealed record Mismatch(MismatchKind Kind, string Subject, IReadOnlyList<string> VoucherNos, Amount Expected, Amount Actual, string Description);

/// <summary>A payment as one party recorded it.</summary>
public sealed record PaymentRecord(string VoucherNo, string Bank, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>Cleared totals per bank × unit × functional class, from PBOC's 2301 回单.</summary>
public sealed record ClearedRecord(string ClearingVoucherNo, string Bank, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>Quota issued per bank × unit × functional class (5105).</summary>
public sealed record QuotaRecord(string VoucherNo, string Bank, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>
/// A line of a direct payment (直接支付, 5201) as the bank states it: in the 回单 (paid, or failed with the
/// reason in <paramref name="FailureReason"/> and the requested amount), or in its 2206 daily report.
/// </summary>
public sealed record DirectPaymentRecord(string VoucherNo, string Bank, string AgencyCode, string ExpFuncCode, string PayeeAcctNo, Amount Amount, string? FailureReason = null);

/// <summary>
/// A refund (退款, money back from a payee to the treasury) as one party states it: PBOC's 2302 回单, or the
/// bank's 2208 (授权支付退款日报表) or 2203 (直接支付退款通知书). <paramref name="Amount"/> is positive.
/// </summary>
public sealed record RefundRecord(string RefundNo, string Bank, string PayTypeCode, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>How a mismatch (by its <see cref="Mismatch.Subject"/>) was resolved: a correction voucher or a documented adjustment, by two people.</summary>
public sealed record AdjustmentRecord(string Subject, string Kind, string Reference, string Reason, string EnteredBy, string ApprovedBy);

/// <summary>A mismatch and the adjustment that resolved it.</summary>
public sealed record ResolvedMismatch(Mismatch Mismatch, AdjustmentRecord Adjustment);

/// <summary>Everything Finance knows at the end of the day.</summary>
public sealed record FinanceBooks(
    IReadOnlyList<QuotaRecord> QuotaIssued,
    IReadOnlyList<PaymentRecord> PaymentsAccepted,  // 8202s the bank signed for (paid)
    IReadOnlyList<PaymentRecord> PaymentsReported,  // lines of the banks' 2207 daily reports
    IReadOnlyList<ClearedRecord> Cleared)           // lines of PBOC's 2301 回单 of 授权支付 (PayTypeCode 12)
{
    /// <summary>直接支付: the lines the banks' 5201 回单 say were paid (detail XPayAmt).</summary>
    public IReadOnlyList<DirectPaymentRecord> DirectPaid { get; init; } = [];

    /// <summary>直接支付: the lines the banks' 5201 回单 say failed (XPayAmt 0.00), with the requested amount and the reason.</summary>
    public IReadOnlyList<DirectPaymentRecord> DirectFailed { get; init; } = [];

    /// <summary>直接支付: lines of the banks' 2206 daily reports.</summary>
    public IReadOnlyList<DirectPaymentRecord> DirectReported { get; init; } = [];

    /// <summary>直接支付: lines of PBOC's 回单 of 2301s of PayTypeCode 11.</summary>
    public IReadOnlyList<ClearedRecord> DirectCleared { get; init; } = [];

    /// <summary>退款: lines of PBOC's 2302 回单, the refunds the treasury took back.</summary>
    public IReadOnlyList<RefundRecord> RefundsCredited { get; init; } = [];

    /// <summary>退款: lines of the banks' 2208 (授权支付) and 2203 (直接支付) for the same refunds.</summary>
    public IReadOnlyList<RefundRecord> RefundsReported { get; init; } = [];

    /// <summary>凭证对账: PBOC's statements of the day that Finance found not to match (none when all matched).</summary>
    public IReadOnlyList<StatementRecord> StatementsDiffering { get; init; } = [];

    /// <summary>差错处理: the mismatches of the day resolved by two people, by subject.</summary>
    public IReadOnlyList<AdjustmentRecord> Adjustments { get; init; } = [];
}

public sealed record ReconciliationReport(IReadOnlyList<Mismatch> Mismatches, Amount QuotaIssued, Amount Paid, Amount Cleared)
{
    public bool Balanced => Mismatches.Count == 0;

    /// <summary>Mismatches a correction voucher or a two-person adjustment resolved: shown, not counted.</summary>
    public IReadOnlyList<ResolvedMismatch> Resolved { get; init; } = [];

    /// <summary>直接支付 paid, per the banks' 5201 回单.</summary>
    public Amount DirectPaid { get; init; }

    /// <summary>直接支付 cleared by PBOC (2301 of PayTypeCode 11).</summary>
    public Amount DirectCleared { get; init; }

    public Amount QuotaRemaining => QuotaIssued - Paid;
}

/// <summary>
/// Finance's end-of-day reconciliation: its own payment records against the banks' daily reports
/// (per voucher), the reports against PBOC's clearing (per bank × unit × class), and payments
/// against issued quota; for 直接支付, the lines each 5201 回单 paid against the 2206 daily reports (per
/// voucher and payee), a failed line never reported as paid, and the 2206 against PBOC's type-11
/// clearing (per bank × unit × class). Pure: the books come in, the report goes out.
/// </summary>
public static class FinanceReconciliation
{
    /// <summary>PayTypeCode of 授权支付 (12); 11 is 直接支付.</summary>
    private const string AuthorizedPayType = "12";

    public static ReconciliationReport Reconcile(FinanceBooks books)
    {
        ArgumentNullException.ThrowIfNull(books);
        var mismatches = new List<Mismatch>();
        ComparePayments(books, mismatches);
        CompareClearing(books, mismatches);
        CompareQuota(books, mismatches);
        CompareDirectPayments(books, mismatches);
        CompareDirectClearing(books, mismatches);
        CompareRefunds(books, mismatches);
        mismatches.AddRange(books.StatementsDiffering.Select(st => new Mismatch(MismatchKind.StatementDiffers, $"{st.StatementVtCode} {st.StatementNo}", [st.StatementNo], Amount.Zero, Amount.Zero,
            $"人民银行凭证对账单 {st.StatementVtCode} {st.StatementNo}{(st.EVoucherType is null ? string.Empty : $" ({st.EVoucherType})")} 与财政凭证不符 {st.MismatchCount} 笔: {st.Description}")));
        // 差错处理: a mismatch with an approved adjustment is resolved, listed with it, no longer open.
        var adjustments = books.Adjustments.ToDictionary(a => a.Subject, StringComparer.Ordinal);
        var resolved = mismatches.Where(m => adjustments.ContainsKey(m.Subject)).Select(m => new ResolvedMismatch(m, adjustments[m.Subject])).ToList();
        mismatches.RemoveAll(m => adjustments.ContainsKey(m.Subject));
        return new ReconciliationReport(
            mismatches,
            Amount.Sum(books.QuotaIssued.Select(q => q.Amount)),
            Amount.Sum(books.PaymentsReported.Select(p => p.Amount)),
            Amount.Sum(books.Cleared.Select(c => c.Amount)))
        {
            DirectPaid = Amount.Sum(books.DirectPaid.Select(p => p.Amount)),
            DirectCleared = Amount.Sum(books.DirectCleared.Select(c => c.Amount)),
            Resolved = resolved,
        };
    }

    /// <summary>
    /// 直接支付: per 5201 and payee line (unit, class, payee account), what the 回单 paid against what the 2206
    /// reports; a line the 回单 says failed and the 2206 lists anyway is named as such.
    /// </summary>
    private static void CompareDirectPayments(FinanceBooks books, List<Mismatch> mismatches)
    {
        static string LineKey(DirectPaymentRecord p) => $"{p.VoucherNo}|{p.AgencyCode}|{p.ExpFuncCode}|{p.PayeeAcctNo}";
        var paid = books.DirectPaid.GroupBy(LineKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First() with { Amount = Amount.Sum(g.Select(p => p.Amount)) }, StringComparer.Ordinal);
        var reported = books.DirectReported.GroupBy(LineKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First() with { Amount = Amount.Sum(g.Select(p => p.Amount)) }, StringComparer.Ordinal);
        var failed = books.DirectFailed.GroupBy(LineKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var key in paid.Keys.Union(reported.Keys).Order(StringComparer.Ordinal))
        {
            var line = paid.GetValueOrDefault(key) ?? reported[key];
            var paidAmount = paid.GetValueOrDefault(key)?.Amount ?? Amount.Zero;
            var reportedAmount = reported.GetValueOrDefault(key)?.Amount ?? Amount.Zero;
            if (paidAmount == reportedAmount)
            {
                continue;
            }

            var subject = $"5201 {line.VoucherNo}";
            var what = $"直接支付凭证 {line.VoucherNo} (单位 {line.AgencyCode} 科目 {line.ExpFuncCode} 收款人账号 {line.PayeeAcctNo})";
            if (!reported.ContainsKey(key))
            {
                mismatches.Add(new(MismatchKind.Missing, subject, [line.VoucherNo], paidAmount, Amount.Zero,
                    $"{what} 回单已支付 {paidAmount.ToWire()}, 但未出现在直接支付日报表中"));
            }
            else if (!paid.ContainsKey(key) && failed.TryGetValue(key, out var failure))
            {
                mismatches.Add(new(MismatchKind.FailedReportedAsPaid, subject, [line.VoucherNo], Amount.Zero, reportedAmount,
                    $"{what} 回单为支付失败 ({failure.FailureReason}), 但直接支付日报表列为已支付 {reportedAmount.ToWire()}"));
            }
            else if (!paid.ContainsKey(key))
            {
                mismatches.Add(new(MismatchKind.Extra, $"2206 line {line.VoucherNo}", [line.VoucherNo], Amount.Zero, reportedAmount,
                    $"直接支付日报表列有 {what} {reportedAmount.ToWire()}, 财政无对应的已支付回单"));
            }
            else
            {
                mismatches.Add(new(MismatchKind.AmountDiffers, subject, [line.VoucherNo], paidAmount, reportedAmount,
                    $"{what} 回单支付金额 {paidAmount.ToWire()} 与直接支付日报表金额 {reportedAmount.ToWire()} 不符"));
            }
        }
    }

    /// <summary>直接支付: the 2206 totals per bank × unit × class against PBOC's clearing of 2301s of PayTypeCode 11.</summary>
    private static void CompareDirectClearing(FinanceBooks books, List<Mismatch> mismatches) =>
        CompareClearingTotals(
            books.DirectReported.Select(p => new ReportedLine(p.Bank, p.AgencyCode, p.ExpFuncCode, p.Amount, p.VoucherNo)),
            books.DirectCleared, "direct clearing", "直接支付日报表合计", "人民银行直接支付清算合计", mismatches);

    private static void ComparePayments(FinanceBooks books, List<Mismatch> mismatches)
    {
        var reported = SumBy(books.PaymentsReported.Select(p => (p.VoucherNo, p.Amount)));
        var accepted = SumBy(books.PaymentsAccepted.Select(p => (p.VoucherNo, p.Amount)));

        // A day may hold a million payments: only the few that disagree are sorted, by voucher number.
        foreach (var (voucherNo, paid) in accepted.Where(a => !reported.TryGetValue(a.Key, out var r) || r != a.Value).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (!reported.TryGetValue(voucherNo, out var amount))
            {
                mismatches.Add(new(MismatchKind.Missing, $"8202 {voucherNo}", [voucherNo], paid, Amount.Zero,
                    $"支付凭证 {voucherNo} 已被银行签收, 但未出现在日报表中"));
            }
            else
            {
                mismatches.Add(new(MismatchKind.AmountDiffers, $"8202 {voucherNo}", [voucherNo], paid, amount,
                    $"支付凭证 {voucherNo} 金额 {paid.ToWire()} 与日报表金额 {amount.ToWire()} 不符"));
            }
        }

        foreach (var (voucherNo, amount) in reported.Where(r => !accepted.ContainsKey(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            mismatches.Add(new(MismatchKind.Extra, $"2207 line {voucherNo}", [voucherNo], Amount.Zero, amount,
                $"日报表列有支付凭证 {voucherNo}, 财政无对应的已签收支付凭证"));
        }
    }

    /// <summary>授权支付: the 2207 totals per bank × unit × class against PBOC's clearing of 2301s of PayTypeCode 12.</summary>
    private static void CompareClearing(FinanceBooks books, List<Mismatch> mismatches) =>
        CompareClearingTotals(
            books.PaymentsReported.Select(p => new ReportedLine(p.Bank, p.AgencyCode, p.ExpFuncCode, p.Amount, null)),
            books.Cleared, "clearing", "日报表支付合计", "人民银行清算合计", mismatches);

    /// <summary>
    /// A daily report's totals per bank × unit × class against PBOC's cleared totals for the same keys; a
    /// difference names the clearing vouchers of the key and the report lines that carry a voucher number.
    /// </summary>
    private static void CompareClearingTotals(
        IEnumerable<ReportedLine> reportedLines, IReadOnlyList<ClearedRecord> clearedLines,
        string subject, string reportedName, string clearedName, List<Mismatch> mismatches)
    {
        var reported = Totals(reportedLines.Select(l => (l.Bank, l.AgencyCode, l.ExpFuncCode, l.Amount)));
        var cleared = Totals(clearedLines.Select(c => (c.Bank, c.AgencyCode, c.ExpFuncCode, c.Amount)));
        foreach (var key in reported.Keys.Union(cleared.Keys).Order(StringComparer.Ordinal))
        {
            var paid = reported.GetValueOrDefault(key);
            var clear = cleared.GetValueOrDefault(key);
            if (paid != clear)
            {
                var vouchers = clearedLines.Where(c => Key(c.Bank, c.AgencyCode, c.ExpFuncCode) == key)
                    .Select(c => c.ClearingVoucherNo)
                    .Concat(reportedLines.Where(l => l.VoucherNo is not null && Key(l.Bank, l.AgencyCode, l.ExpFuncCode) == key).Select(l => l.VoucherNo!))
                    .Distinct().Order(StringComparer.Ordinal).ToList();
                mismatches.Add(new(MismatchKind.AmountDiffers, $"{subject} {key}", vouchers, paid, clear,
                    $"{key}: {reportedName} {paid.ToWire()} 与{clearedName} {clear.ToWire()} 不符"));
            }
        }
    }

    private sealed record ReportedLine(string Bank, string AgencyCode, string ExpFuncCode, Amount Amount, string? VoucherNo);

    /// <summary>
    /// 退款: per bank and refund, what PBOC's 2302 回单 credited against what the bank's 2208 or 2203 states
    /// (pay type, unit, class and amount); a refund on one side only is named.
    /// </summary>
    private static void CompareRefunds(FinanceBooks books, List<Mismatch> mismatches)
    {
        static string RefundKey(RefundRecord r) => $"{r.Bank}|{r.RefundNo}";
        static Dictionary<string, RefundRecord> ByRefund(IEnumerable<RefundRecord> records) => records
            .GroupBy(RefundKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First() with { Amount = Amount.Sum(g.Select(r => r.Amount)) }, StringComparer.Ordinal);
        var credited = ByRefund(books.RefundsCredited);
        var reported = ByRefund(books.RefundsReported);
        foreach (var key in credited.Keys.Union(reported.Keys).Order(StringComparer.Ordinal))
        {
            var (pboc, bank) = (credited.GetValueOrDefault(key), reported.GetValueOrDefault(key));
            var refund = pboc ?? bank!;
            var what = $"银行 {refund.Bank} 退款 {refund.RefundNo}";
            if (bank is null)
            {
                mismatches.Add(new(MismatchKind.Missing, $"refund {refund.RefundNo}", [refund.RefundNo], pboc!.Amount, Amount.Zero,
                    $"{what} 人民银行已退库 {pboc.Amount.ToWire()}, 但银行未报退款日报表或退款通知书"));
            }
            else if (pboc is null)
            {
                mismatches.Add(new(MismatchKind.Extra, $"refund {refund.RefundNo}", [refund.RefundNo], Amount.Zero, bank.Amount,
                    $"{what} 银行报退款 {bank.Amount.ToWire()}, 财政无人民银行退款回单"));
            }
            else if (pboc.Amount != bank.Amount || pboc.PayTypeCode != bank.PayTypeCode || pboc.AgencyCode != bank.AgencyCode || pboc.ExpFuncCode != bank.ExpFuncCode)
            {
                mismatches.Add(new(MismatchKind.AmountDiffers, $"refund {refund.RefundNo}", [refund.RefundNo], pboc.Amount, bank.Amount,
                    $"{what} 人民银行回单 {pboc.PayTypeCode}/{pboc.AgencyCode}/{pboc.ExpFuncCode} {pboc.Amount.ToWire()} 与银行 {bank.PayTypeCode}/{bank.AgencyCode}/{bank.ExpFuncCode} {bank.Amount.ToWire()} 不符"));
            }
        }
    }

    /// <summary>授权支付: per bank × unit × class, what the 2207s paid less what PBOC took back (2302 回单 of type 12) against the quota issued.</summary>
    private static void CompareQuota(FinanceBooks books, List<Mismatch> mismatches)
    {
        var issued = Totals(books.QuotaIssued.Select(q => (q.Bank, q.AgencyCode, q.ExpFuncCode, q.Amount)));
        var paid = Totals(books.PaymentsReported.Select(p => (p.Bank, p.AgencyCode, p.ExpFuncCode, p.Amount))
            .Concat(books.RefundsCredited.Where(r => r.PayTypeCode == AuthorizedPayType).Select(r => (r.Bank, r.AgencyCode, r.ExpFuncCode, -r.Amount))));
        foreach (var (key, amount) in paid.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var quota = issued.GetValueOrDefault(key);
            if (amount > quota)
            {
                var vouchers = books.PaymentsReported.Where(p => Key(p.Bank, p.AgencyCode, p.ExpFuncCode) == key)
                    .Select(p => p.VoucherNo).Order(StringComparer.Ordinal).ToList();
                mismatches.Add(new(MismatchKind.Overspent, $"quota {key}", vouchers, quota, amount,
                    $"{key}: 支付合计 (扣除退款) {amount.ToWire()} 超过下达额度 {quota.ToWire()}"));
            }
        }
    }

    private static string Key(string bank, string agency, string expFunc) => $"bank {bank} / unit {agency} / class {expFunc}";

    /// <summary>Totals per bank × unit × class, keyed by <see cref="Key"/> (the sums are taken on the parts, the key made once per total).</summary>
    private static Dictionary<string, Amount> Totals(IEnumerable<(string Bank, string AgencyCode, string ExpFuncCode, Amount Amount)> rows) =>
        SumBy(rows.Select(r => ((r.Bank, r.AgencyCode, r.ExpFuncCode), r.Amount)))
            .ToDictionary(t => Key(t.Key.Bank, t.Key.AgencyCode, t.Key.ExpFuncCode), t => t.Value, StringComparer.Ordinal);

    private static Dictionary<TKey, Amount> SumBy<TKey>(IEnumerable<(TKey Key, Amount Amount)> rows)
        where TKey : notnull
    {
        var totals = new Dictionary<TKey, Amount>();
        foreach (var (key, amount) in rows)
        {
            ref var total = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(totals, key, out _);
            total += amount;
        }

        return totals;
    }
}
