using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// The agent bank's business desk (代理银行): books quota from 5105 and answers 2105; pays 8202 within
/// quota or returns it; pays 5201 and answers with the 回单; gathers paid vouchers into 2301 for PBOC;
/// refunds with 2302; sends the 2207/2206/2209 reports; answers PBOC's statements. Each received voucher
/// is handled by its use case in <c>Received/</c> (looked up in <see cref="BankRoutes"/>), each in one
/// transaction together with the books it moves; the desk's own use cases are one file each beside it.
/// </summary>
public sealed class BankDesk(VoucherLibrary library, MasterData master, ISignerSource signers, IPayeeAccountCheck? accounts = null)
{
    /// <summary>PayTypeCode of 直接支付 on 2301/2206 (12 is 授权支付).</summary>
    public const string DirectPayType = "11";

    /// <summary>PayTypeCode of 授权支付 on 2301/2302 (11 is 直接支付).</summary>
    public const string AuthorizedPayType = "12";

    private readonly BankContext _bank = new(library, master, master.Bank(library.Party.Bank!.Value.Value), signers, accounts ?? new ClosedAccountList(master.ClosedAccounts));

    /// <summary>The counter's clerk (经办) and reviewer (复核), who act for the desk.</summary>
    public (string Clerk, string Reviewer) CounterPeople => (_bank.Clerk, _bank.Reviewer);

    /// <summary>Handles every received voucher waiting to be signed for, 100 at a time.</summary>
    public BankPass ProcessReceived(DateOnly businessDate)
    {
        // The people at the desk log in before any transaction starts (a login writes its own audit entry).
        var shift = new BankShift(_bank, signers.SignerFor(_bank.Clerk), signers.SignerFor(_bank.Reviewer), businessDate);
        var pass = new BankPass(0, 0, 0, 0, 0);
        foreach (var (voucher, outcome) in library.WorkReceived(_bank.Clerk, (session, v) => BankRoutes.Handle(shift, session, v)))
        {
            pass = BankRoutes.Count(pass, voucher, outcome);
        }

        return pass;
    }

    /// <summary>
    /// Gathers paid, not yet cleared payments into a 2301 per pay type (12 授权支付, 11 直接支付), division
    /// and year, detail per unit × class (RequestClearing.cs).
    /// </summary>
    public IReadOnlyList<LibraryResult> RequestClearing(DateOnly businessDate) => Bank.RequestClearing.Handle(_bank, businessDate);

    /// <summary>The 2207 daily report of authorized payments cleared up to a business day, one line per paid voucher line (SendDailyReport.cs).</summary>
    public LibraryResult? SendDailyReport(DateOnly businessDate) => Bank.SendDailyReport.Handle(_bank, businessDate);

    /// <summary>
    /// 2209 credit notices (one per paid 5201, its paid lines) and the 2206 daily report of direct payments
    /// made up to <paramref name="businessDate"/> and not yet reported (a later one is a supplement -2, -3 …)
    /// (SendDirectPaymentReports.cs).
    /// </summary>
    public IReadOnlyList<LibraryResult> SendDirectPaymentReports(DateOnly businessDate) => Bank.SendDirectPaymentReports.Handle(_bank, businessDate);

    /// <summary>过渡期: sets how a unit of this bank pays (electronic, paper, or both in parallel), by the clerk and the reviewer (PaperPayments.cs).</summary>
    /// <summary>A unit's quota book at this bank (QuotaBook.cs): issued, paid and left per functional class.</summary>
    public IReadOnlyList<QuotaBalance> Quota(string agencyCode) => QuotaBook.Of(_bank, agencyCode);

    public LibraryResult SetUnitMode(string agencyCode, UnitPaymentMode mode) => PaperPayments.SetMode(_bank, agencyCode, mode);

    /// <summary>Registers a paper 财政授权支付凭证 at the counter: its number is then paid once, never also electronically (PaperPayments.cs).</summary>
    public LibraryResult RegisterPaperPayment(PaperPayment paper, DateOnly payDate) => PaperPayments.Register(_bank, paper, payDate);

    /// <summary>
    /// Registers a paper voucher printed 应急纸质 under the emergency plan (Finance took it to paper while the link was
    /// down): taken whatever the unit's payment mode, otherwise as <see cref="RegisterPaperPayment"/> — once, within the
    /// quota, never a number already paid electronically; the electronic voucher, should it still arrive, is then refused.
    /// </summary>
    public LibraryResult RegisterEmergencyPaperPayment(PaperPayment paper, DateOnly payDate) => PaperPayments.Register(_bank, paper, payDate, emergency: true);

    /// <summary>
    /// Books money returned on line <paramref name="originalLine"/> of the paid 8202 or 5201
    /// <paramref name="originalVoucherNo"/> and sends PBOC the 2302 申请退款凭证 for it, in one transaction
    /// (RefundPayment.cs). Refused, changing nothing, with a <see cref="BankRejection"/> in the message when
    /// the line was never paid here or is not yet cleared, or when the refund would exceed what was paid. The original
    /// is of division <paramref name="admDivCode"/> (the home division when null).
    /// </summary>
    public LibraryResult RefundPayment(string refundNo, string originalVoucherNo, int originalLine, Amount amount, string reason, DateOnly date, string? admDivCode = null) =>
        master.TryDivision(admDivCode, out var division)
            ? Bank.RefundPayment.Handle(_bank, division, refundNo, originalVoucherNo, originalLine, amount, reason, date)
            : LibraryResult.Refused(LibraryRejection.NotFound, MasterData.NotServed(admDivCode));

    /// <summary>
    /// Runs again, for a node recovering from its backup (ADR 0016), the use case that made <paramref name="step"/>'s voucher — the
    /// copy PBOC or Finance holds of one of this bank's own vouchers — with what the voucher says: its business date, and
    /// for a 2302 the refund it asks for. The library then takes what the use case makes only if it is that very voucher.
    /// False for a voucher no use case of the bank makes on its own (the 2507, a 回单: the desk's work on what it answers).
    /// </summary>
    public bool Redo(ReplayStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Made is not { } voucher || !DateOnly.TryParseExact(voucher["VouDate"], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
        {
            return false;
        }

        switch (voucher["VtCode"])
        {
            case "2301":
                _ = RequestClearing(date);
                return true;
            case "2207":
                _ = SendDailyReport(date);
                return true;
            case "2206" or "2209":
                _ = SendDirectPaymentReports(date);
                return true;
            case "2302" when voucher.Details.Count == 1 && int.TryParse(voucher.Details[0]["OriVouDetailNo"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var line):
                _ = RefundPayment(voucher["VoucherNo"]!, voucher.Details[0]["OriVoucherNo"]!, line, -Amount.ParseWire(voucher["PayAmt"]!), voucher["Remark"] ?? string.Empty, date, voucher["AdmDivCode"]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The voucher statements from PBOC checked so far, optionally of one day (their CheckDate).</summary>
    public IReadOnlyList<StatementCheck> VoucherReconciliations(DateOnly? date = null) => VoucherStatements.Read(library, date);
}
