using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance;

/// <summary>How a reconciliation mismatch is resolved: by a correction voucher (更正凭证) or a documented adjustment (调整).</summary>
public enum AdjustmentKind
{
    Correction,
    Adjustment,
}

/// <summary>
/// 差错处理: a mismatch of a day's reconciliation is resolved only by a correction voucher or a documented
/// adjustment, entered by the treasury section's clerk (cz_lr) and approved by its checker (cz_sh), audited,
/// append-only. The day then reconciles again with the mismatch listed as resolved.
/// </summary>
internal static class ReconciliationAdjustments
{
    /// <summary>The business date under which an adjustment of the whole run (no day) is kept.</summary>
    public const string WholeRun = "*";

    public static LibraryResult Resolve(FinanceContext finance, DateOnly day, string subject, AdjustmentKind kind, string reference, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        var (entry, approval) = (finance.Signers.SignerFor(FinanceContext.Entry), finance.Signers.SignerFor(FinanceContext.Approval));
        var open = finance.Master.Divisions
            .SelectMany(d => FinanceReconciliation.Reconcile(FinanceBooksReader.Read(finance.Library, finance.Master, day, d.AdmDivCode)).Mismatches).ToList();
        using var session = finance.Library.Begin();
        var audited = $"reconciliation/{FinanceContext.Date(day)}/{subject}";
        var refusal = string.IsNullOrWhiteSpace(reference) || string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax
                ? (LibraryRejection.ReasonRequired, $"差错处理须写明更正凭证号或调整依据, 及 1–{Limits.ReasonLengthMax} 字的原因")
            : !open.Any(m => m.Subject == subject)
                ? (LibraryRejection.NotFound, $"{day:yyyy-MM-dd} 的对账没有未处理的不符项 “{subject}”")
            : (LibraryRejection.None, string.Empty);
        if (refusal.Item1 != LibraryRejection.None)
        {
            session.AuditRefusal(entry.UserId, "reconciliation-adjustment-refused", audited, refusal.Item2);
            var refused = LibraryResult.Refused(refusal.Item1, refusal.Item2);
            finance.Library.Finish(session, refused);
            return refused;
        }

        session.Connection.Execute(
            """
            INSERT INTO finance_reconciliation_adjustments (business_date, subject, kind, reference, reason, entered_by, approved_by, recorded_at)
            VALUES (@date, @subject, @kind, @reference, @reason, @entry, @approval, @now)
            """,
            new { date = FinanceContext.Date(day), subject, kind = kind == AdjustmentKind.Correction ? "correction" : "adjustment", reference, reason, entry = entry.UserId, approval = approval.UserId, now = session.NowText },
            session.Transaction);
        session.Audit(entry.UserId, "reconciliation-adjustment", audited, $"{kind} {reference}: {reason}; approved by {approval.UserId}");
        var done = LibraryResult.Done(0, $"{subject} resolved by {kind} {reference}");
        finance.Library.Finish(session, done);
        return done;
    }
}
