using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// Finance's treasury desk (财政国库股) and the budget units' platform: approves quota plans into 5105
/// (to each bank) and 5106 (to PBOC), carries the units' 8202 payment vouchers to their banks, sends 5201/5108
/// direct payments and 5207 allocations, signs for what comes back, and reconciles at the end of the day.
/// Each received voucher is handled by its use case in <c>Received/</c> (looked up in <see cref="FinanceRoutes"/>);
/// the desk's own use cases are one file each beside it.
/// </summary>
public sealed class FinanceDesk(VoucherLibrary library, MasterData master, ISignerSource signers)
{
    private readonly FinanceContext _finance = new(library, master, signers);

    /// <summary>The monthly plan becomes one 5105 per bank (its units' lines) and one 5106 per bank to PBOC (IssueQuota.cs).</summary>
    public IReadOnlyList<LibraryResult> IssueQuota(int month, DateOnly vouDate, IReadOnlyList<QuotaPlanLine> plan) =>
        Finance.IssueQuota.Handle(_finance, month, vouDate, plan);

    /// <summary>
    /// 预算指标: enters (cz_lr) and approves (cz_sh) budget indicators under <paramref name="reference"/>, the
    /// budget document's number; the same reference again changes nothing (BudgetIndicators.cs).
    /// </summary>
    public LibraryResult RegisterIndicators(string reference, IReadOnlyList<IndicatorLine> lines) => BudgetIndicators.Register(_finance, reference, lines);

    /// <summary>Every indicator with what was planned on it as quota, what the units paid, and what is left.</summary>
    public IReadOnlyList<IndicatorRow> Indicators() => BudgetIndicators.Book(_finance);

    /// <summary>
    /// 差错处理: resolves an open mismatch of <paramref name="day"/>'s reconciliation (by its subject) with a
    /// correction voucher or a documented adjustment, entered by cz_lr and approved by cz_sh; refused for a
    /// subject that is not an open mismatch of that day (ReconciliationAdjustments.cs).
    /// </summary>
    public LibraryResult ResolveMismatch(DateOnly day, string subject, AdjustmentKind kind, string reference, string reason) =>
        ReconciliationAdjustments.Resolve(_finance, day, subject, kind, reference, reason);

    /// <summary>A unit's 8202: entered by its clerk (经办人), approved by its finance head (财务负责人), sent to its bank.</summary>
    public LibraryResult SubmitPayment(PaymentOrder order, DateOnly vouDate, string? approver = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        return SubmitPayment(order, vouDate, signers.SignerFor($"dw{order.AgencyCode}_jbr"), signers.SignerFor(approver ?? $"dw{order.AgencyCode}_fzr"));
    }

    /// <summary>A unit's 8202 entered by <paramref name="clerk"/> and approved by <paramref name="approver"/>, who must be two people of the unit (SubmitPayment.cs).</summary>
    public LibraryResult SubmitPayment(PaymentOrder order, DateOnly vouDate, Signer clerk, Signer approver) =>
        Finance.SubmitPayment.Handle(_finance, order, vouDate, clerk, approver);

    /// <summary>录入: a unit's 8202 as a draft entered by <paramref name="clerk"/>, who stamps it next (SubmitPayment.cs).</summary>
    public LibraryResult DraftPayment(PaymentOrder order, DateOnly vouDate, string clerk) => Finance.SubmitPayment.Draft(_finance, order, vouDate, clerk);

    /// <summary>审核: another person of the unit approves a stamped 8202 draft and stamps it; it is sealed and sent (SubmitPayment.cs).</summary>
    public LibraryResult ApprovePayment(long id, Signer approver) => Finance.SubmitPayment.Approve(_finance, id, approver);

    /// <summary>
    /// 直接支付: Finance's clerk (cz_lr) enters and its approver (cz_sh) approves the 5201 to the unit's
    /// agent bank and the matching 5108 to PBOC, in one transaction (SubmitDirectPayment.cs).
    /// </summary>
    public LibraryResult SubmitDirectPayment(DirectPaymentOrder order, DateOnly vouDate) => Finance.SubmitDirectPayment.Handle(_finance, order, vouDate);

    /// <summary>The 5108 number of a direct payment's clearing quota: the 5201's number with a suffix.</summary>
    public static string ClearingQuotaNumberOf(string directVoucherNo) => $"{directVoucherNo}-QE";

    /// <summary>A budget unit's own account at its bank, as the payee of an allocation.</summary>
    public Payee UnitPayee(string agencyCode)
    {
        var unit = master.Unit(agencyCode);
        var bank = master.Bank(unit.BankCode);
        return new Payee(unit.AccountNo, unit.Name, bank.Name, bank.BankNo);
    }

    /// <summary>Enters, approves and sends a 5207 to PBOC in one transaction; a rerun carries on, never makes it twice (IssueAllocation.cs).</summary>
    public LibraryResult IssueAllocation(AllocationOrder order, DateOnly vouDate) => Finance.IssueAllocation.Handle(_finance, order, vouDate);

    /// <summary>
    /// 重新拨款: allocates money a 3208 brought back again as a new 5207 linked to it, never for more than the
    /// refund less earlier re-allocations (ReallocateRefund.cs).
    /// </summary>
    public LibraryResult ReallocateRefund(string refundVoucherNo, AllocationOrder order, DateOnly vouDate) => Finance.ReallocateRefund.Handle(_finance, refundVoucherNo, order, vouDate);

    /// <summary>The 5207s that allocated a 3208 again, oldest first.</summary>
    public IReadOnlyList<Reallocation> ReallocationsOf(string refundVoucherNo) => Finance.ReallocateRefund.Of(_finance, refundVoucherNo);

    /// <summary>The own 5207 numbered <paramref name="voucherNo"/> (a 5207 number is one division's), or null.</summary>
    public StoredVoucher? Allocation(string voucherNo) => FinanceAllocations.Own(_finance, voucherNo);

    /// <summary>Voids (作废) a 5207 PBOC returned, keeping PBOC's reason in the void's (VoidAllocation.cs).</summary>
    public LibraryResult VoidAllocation(string voucherNo, string reason) => Finance.VoidAllocation.Handle(_finance, voucherNo, reason);

    /// <summary>
    /// Reissues a returned 5207 under <paramref name="newVoucherNo"/> (voiding it first if it is not yet),
    /// optionally to a corrected payee, and links the two in the same transaction. Asked again with the
    /// same numbers it carries the reissue on; a voucher already reissued under another number is refused
    /// (ReissueAllocation.cs).
    /// </summary>
    public LibraryResult ReissueAllocation(string returnedVoucherNo, string newVoucherNo, DateOnly vouDate, Payee? payee = null, string? reason = null) =>
        Finance.ReissueAllocation.Handle(_finance, returnedVoucherNo, newVoucherNo, vouDate, payee, reason);

    /// <summary>The allocation refunds (3208) booked against a 5207, oldest first.</summary>
    public IReadOnlyList<AllocationRefund> AllocationRefunds(string oriVoucherNo) => FinanceAllocations.Refunds(_finance, oriVoucherNo);

    /// <summary>What may be allocated again out of a 5207: everything refunded of it (实拨退款).</summary>
    public Amount ReallocatableAmount(string oriVoucherNo) =>
        Amount.Sum(AllocationRefunds(oriVoucherNo).Select(r => r.Amount - Amount.Sum(ReallocationsOf(r.VoucherNo).Select(a => a.Amount))));

    /// <summary>Signs for arrival notices, PBOC's 回单 and the banks' daily reports (they are Finance's books), books 3208s, answers statements.</summary>
    public FinancePass ProcessReceived()
    {
        // 清算信息对账: each division's two people who answer a 3507 log in before any transaction starts.
        var shift = new FinanceShift(_finance);
        var pass = new FinancePass(0, 0, 0, 0);
        foreach (var (voucher, outcome) in library.WorkReceived(FinanceContext.Entry, (session, v) => FinanceRoutes.Handle(shift, session, v)))
        {
            pass = FinanceRoutes.Count(pass, voucher, outcome);
        }

        return pass;
    }

    /// <summary>
    /// Runs again, for a node recovering from its backup (ADR 0016), the use case that made <paramref name="step"/>'s voucher
    /// (RemakeOwnVoucher.cs): false for a voucher no use case of Finance makes on its own.
    /// </summary>
    public bool Redo(ReplayStep step) => RemakeOwnVoucher.Handle(_finance, step);

    /// <summary>The voucher statements from PBOC checked so far, optionally of one day (their CheckDate).</summary>
    public IReadOnlyList<StatementCheck> VoucherReconciliations(DateOnly? date = null) => VoucherStatements.Read(library, date);
}
