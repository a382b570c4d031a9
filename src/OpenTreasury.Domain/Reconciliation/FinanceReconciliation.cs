using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Reconciliation;

/// <summary>The kinds of disagreement reconciliation (对账) reports.</summary>
public enum MismatchKind
{
    Missing = 1,       // Finance expects it, the other party does not report it
    Extra = 2,         // the other party reports it, Finance has no such record
    AmountDiffers = 3, // both have it, with different amounts
    Overspent = 4,     // paid beyond issued quota
}

/// <summary>One disagreement, naming the voucher(s) and the books involved.</summary>
public sealed record Mismatch(MismatchKind Kind, string Subject, IReadOnlyList<string> VoucherNos, Amount Expected, Amount Actual, string Description);

/// <summary>A payment as one party recorded it.</summary>
public sealed record PaymentRecord(string VoucherNo, string Bank, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>Cleared totals per bank × unit × functional class, from PBOC's 2301 回单.</summary>
public sealed record ClearedRecord(string ClearingVoucherNo, string Bank, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>Quota issued per bank × unit × functional class (5105).</summary>
public sealed record QuotaRecord(string VoucherNo, string Bank, string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>Everything Finance knows at the end of the day.</summary>
public sealed record FinanceBooks(
    IReadOnlyList<QuotaRecord> QuotaIssued,
    IReadOnlyList<PaymentRecord> PaymentsAccepted,  // 8202s the bank signed for (paid)
    IReadOnlyList<PaymentRecord> PaymentsReported,  // lines of the banks' 2207 daily reports
    IReadOnlyList<ClearedRecord> Cleared);          // lines of PBOC's 2301 回单

public sealed record ReconciliationReport(IReadOnlyList<Mismatch> Mismatches, Amount QuotaIssued, Amount Paid, Amount Cleared)
{
    public bool Balanced => Mismatches.Count == 0;

    public Amount QuotaRemaining => QuotaIssued - Paid;
}

/// <summary>
/// Finance's end-of-day reconciliation: its own payment records against the banks' daily reports
/// (per voucher), the reports against PBOC's clearing (per bank × unit × class), and payments
/// against issued quota. Pure: the books come in, the report goes out.
/// </summary>
public static class FinanceReconciliation
{
    public static ReconciliationReport Reconcile(FinanceBooks books)
    {
        ArgumentNullException.ThrowIfNull(books);
        var mismatches = new List<Mismatch>();
        ComparePayments(books, mismatches);
        CompareClearing(books, mismatches);
        CompareQuota(books, mismatches);
        return new ReconciliationReport(
            mismatches,
            Amount.Sum(books.QuotaIssued.Select(q => q.Amount)),
            Amount.Sum(books.PaymentsReported.Select(p => p.Amount)),
            Amount.Sum(books.Cleared.Select(c => c.Amount)));
    }

    private static void ComparePayments(FinanceBooks books, List<Mismatch> mismatches)
    {
        var reported = books.PaymentsReported.GroupBy(p => p.VoucherNo, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Amount.Sum(g.Select(p => p.Amount)), StringComparer.Ordinal);
        var accepted = books.PaymentsAccepted.GroupBy(p => p.VoucherNo, StringComparer.Ordinal)
            .Select(g => g.First() with { Amount = Amount.Sum(g.Select(p => p.Amount)) })
            .ToDictionary(p => p.VoucherNo, StringComparer.Ordinal);
        foreach (var payment in accepted.Values.OrderBy(p => p.VoucherNo, StringComparer.Ordinal))
        {
            if (!reported.TryGetValue(payment.VoucherNo, out var amount))
            {
                mismatches.Add(new(MismatchKind.Missing, $"8202 {payment.VoucherNo}", [payment.VoucherNo], payment.Amount, Amount.Zero,
                    $"支付凭证 {payment.VoucherNo} 已被银行签收, 但未出现在日报表中"));
            }
            else if (amount != payment.Amount)
            {
                mismatches.Add(new(MismatchKind.AmountDiffers, $"8202 {payment.VoucherNo}", [payment.VoucherNo], payment.Amount, amount,
                    $"支付凭证 {payment.VoucherNo} 金额 {payment.Amount.ToWire()} 与日报表金额 {amount.ToWire()} 不符"));
            }
        }

        foreach (var (voucherNo, amount) in reported.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!accepted.ContainsKey(voucherNo))
            {
                mismatches.Add(new(MismatchKind.Extra, $"2207 line {voucherNo}", [voucherNo], Amount.Zero, amount,
                    $"日报表列有支付凭证 {voucherNo}, 财政无对应的已签收支付凭证"));
            }
        }
    }

    private static void CompareClearing(FinanceBooks books, List<Mismatch> mismatches)
    {
        var reported = Totals(books.PaymentsReported.Select(p => (Key(p.Bank, p.AgencyCode, p.ExpFuncCode), p.Amount)));
        var cleared = Totals(books.Cleared.Select(c => (Key(c.Bank, c.AgencyCode, c.ExpFuncCode), c.Amount)));
        foreach (var key in reported.Keys.Union(cleared.Keys).Order(StringComparer.Ordinal))
        {
            var paid = reported.GetValueOrDefault(key);
            var clear = cleared.GetValueOrDefault(key);
            if (paid != clear)
            {
                var vouchers = books.Cleared.Where(c => Key(c.Bank, c.AgencyCode, c.ExpFuncCode) == key)
                    .Select(c => c.ClearingVoucherNo).Distinct().Order(StringComparer.Ordinal).ToList();
                mismatches.Add(new(MismatchKind.AmountDiffers, $"clearing {key}", vouchers, paid, clear,
                    $"{key}: 日报表支付合计 {paid.ToWire()} 与人民银行清算合计 {clear.ToWire()} 不符"));
            }
        }
    }

    private static void CompareQuota(FinanceBooks books, List<Mismatch> mismatches)
    {
        var issued = Totals(books.QuotaIssued.Select(q => (Key(q.Bank, q.AgencyCode, q.ExpFuncCode), q.Amount)));
        var paid = Totals(books.PaymentsReported.Select(p => (Key(p.Bank, p.AgencyCode, p.ExpFuncCode), p.Amount)));
        foreach (var (key, amount) in paid.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var quota = issued.GetValueOrDefault(key);
            if (amount > quota)
            {
                var vouchers = books.PaymentsReported.Where(p => Key(p.Bank, p.AgencyCode, p.ExpFuncCode) == key)
                    .Select(p => p.VoucherNo).Order(StringComparer.Ordinal).ToList();
                mismatches.Add(new(MismatchKind.Overspent, $"quota {key}", vouchers, quota, amount,
                    $"{key}: 支付合计 {amount.ToWire()} 超过下达额度 {quota.ToWire()}"));
            }
        }
    }

    private static string Key(string bank, string agency, string expFunc) => $"bank {bank} / unit {agency} / class {expFunc}";

    private static Dictionary<string, Amount> Totals(IEnumerable<(string Key, Amount Amount)> rows)
    {
        var totals = new Dictionary<string, Amount>(StringComparer.Ordinal);
        foreach (var (key, amount) in rows)
        {
            totals[key] = totals.GetValueOrDefault(key) + amount;
        }

        return totals;
    }
}
