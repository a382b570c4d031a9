using OpenTreasury.Business.Pboc.Received;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// PBOC's treasury desk (人民银行国库): books each bank's clearing quota from 5106/5108 and answers with the
/// 回单; matches each 2301 against that quota, clears it from the treasury single account and sends the 回单
/// to the bank and to Finance, or returns (退回) it with the reason; pays 5207 实拨, credits 2302 refunds,
/// sends 3208 and the statements (3501/3502/4004/4005, 3507). Each received voucher is handled by its use
/// case in <c>Received/</c> (looked up in <see cref="PbocRoutes"/>); the desk's own use cases are one file
/// each beside it.
/// </summary>
public sealed class PbocDesk(VoucherLibrary library, MasterData master, ISignerSource signers, Bank.IPayeeAccountCheck? accounts = null)
{
    /// <summary>PayTypeCode of 直接支付 on a 2301 (12 is 授权支付).</summary>
    public const string DirectPayType = "11";

    /// <summary>Our stand-in for the payee bank's refusal: an account number ending so is closed (已销户).</summary>

    private readonly PbocContext _pboc = new(library, master, signers, accounts ?? new Bank.ClosedAccountList(master.ClosedAccounts));

    public PbocPass ProcessReceived(DateOnly businessDate)
    {
        // The people at the desk log in before any transaction starts (a login writes its own audit entry).
        var shift = new PbocShift(_pboc, signers.SignerFor(PbocContext.Bookkeeper), signers.SignerFor(PbocContext.Reviewer), businessDate);
        var pass = new PbocPass(0, 0, 0, 0);
        foreach (var (voucher, outcome) in library.WorkReceived(PbocContext.Bookkeeper, (session, v) => PbocRoutes.Handle(shift, session, v)))
        {
            pass = PbocRoutes.Count(pass, voucher, outcome);
        }

        return pass;
    }

    /// <summary>
    /// Books the opening balance of the treasury single account of division <paramref name="admDivCode"/> (the home
    /// division when null) and the year, once (OpenTreasuryAccount.cs).
    /// </summary>
    public LibraryResult OpenTreasuryAccount(Amount amount, string? admDivCode = null) =>
        master.TryDivision(admDivCode, out var division)
            ? Pboc.OpenTreasuryAccount.Handle(_pboc, amount, division.AdmDivCode)
            : LibraryResult.Refused(LibraryRejection.NotFound, MasterData.NotServed(admDivCode));

    /// <summary>The balance of the treasury single account (zero when it was never opened).</summary>
    public Amount TreasuryBalance(string? admDivCode = null) => Pboc.OpenTreasuryAccount.Balance(_pboc, admDivCode ?? master.AdmDivCode);

    /// <summary>Whether the treasury single account of the division and year was opened.</summary>
    public bool TreasuryAccountOpen(string? admDivCode = null) => Pboc.OpenTreasuryAccount.IsOpen(_pboc, admDivCode ?? master.AdmDivCode);

    /// <summary>The treasury single account's book of one business day, or of the year so far when <paramref name="day"/> is null (TreasuryAccount.cs).</summary>
    public TreasuryBook TreasuryBook(DateOnly? day, string? admDivCode = null) => TreasuryAccount.Book(_pboc, day, admDivCode ?? master.AdmDivCode);

    /// <summary>
    /// Sends a 3208 实拨退款通知书 to Finance for money returned on the paid 5207
    /// <paramref name="originalVoucherNo"/>: entered by the bookkeeper (rh_jz), approved by the reviewer
    /// (rh_fh), and the treasury account credited, in one transaction (SendAllocationRefund.cs). Refused,
    /// changing nothing, with a <see cref="PbocRejection"/> in the message when the 5207 was never paid here
    /// or the refund exceeds what was paid on it less earlier refunds. The 5207 is of division <paramref name="admDivCode"/>
    /// (the home division when null).
    /// </summary>
    public LibraryResult SendAllocationRefund(string originalVoucherNo, Amount amount, string reason, string refundVoucherNo, DateOnly refundDate, string? admDivCode = null) =>
        master.TryDivision(admDivCode, out var division)
            ? Pboc.SendAllocationRefund.Handle(_pboc, division, originalVoucherNo, amount, reason, refundVoucherNo, refundDate)
            : LibraryResult.Refused(LibraryRejection.NotFound, MasterData.NotServed(admDivCode));

    /// <summary>
    /// Sends the 3507 of <paramref name="begin"/>..<paramref name="end"/> (by PBOC's clearing date) to Finance
    /// and to each bank with something cleared (SendClearingReconciliation.cs).
    /// </summary>
    public IReadOnlyList<LibraryResult> SendClearingReconciliation(DateOnly begin, DateOnly end) => Pboc.SendClearingReconciliation.Handle(_pboc, begin, end);

    /// <summary>The answers (5507/2507) to PBOC's 3507s recorded so far, in the order received.</summary>
    public IReadOnlyList<ClearingAnswer> ClearingReconciliations() => RecordClearingAnswer.Read(library);

    /// <summary>
    /// Sends the day's voucher statements (3501/3502 per voucher type, 4004/4005) to Finance and each bank
    /// with something exchanged that day (SendVoucherReconciliation.cs).
    /// </summary>
    public IReadOnlyList<LibraryResult> SendVoucherReconciliation(DateOnly date) => Pboc.SendVoucherReconciliation.Handle(_pboc, date);

    /// <summary>
    /// Runs again, for a node recovering from its backup (ADR 0016), the use case that made <paramref name="step"/>'s voucher
    /// — the copy Finance or a bank holds of one of PBOC's own — with what it says: the 3208's refund; a statement (3501,
    /// 3502, 4004, 4005, 3507) is made again as sent, by the people whose seals are on it. The library takes what it makes only
    /// if it is that very voucher, with the stamps the peer holds. False for a voucher no use case of PBOC makes on its own (a
    /// 回单: the desk's work on what it answers).
    /// </summary>
    public bool Redo(ReplayStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Made is not { } voucher || Day(voucher["VouDate"]) is not { } date)
        {
            return false;
        }

        switch (voucher["VtCode"])
        {
            case "3208":
                _ = SendAllocationRefund(voucher["OriBillNo"]!, -Amount.ParseWire(voucher["PayAmt"]!), voucher["Remark"] ?? string.Empty, voucher["VoucherNo"]!, date, voucher["AdmDivCode"]);
                return true;
            case "3501" or "3502" or "4004" or "4005" or "3507" when step is { Maker: { } maker, Checker: { } checker }:
                // A statement states PBOC's books when it was made; they have moved on since: it is made again as sent.
                _ = library.RemakeAsHeld(step, signers.SignerFor(maker), signers.SignerFor(checker));
                return true;
            default:
                return false;
        }

        static DateOnly? Day(string? text) =>
            DateOnly.TryParseExact(text, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day) ? day : null;
    }
}
