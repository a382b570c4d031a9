using System.Globalization;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// What every use case of one agent bank (代理银行) works with: its library, the master data, the bank
/// itself, the people at its desk and their user ids.
/// </summary>
internal sealed class BankContext(VoucherLibrary library, MasterData master, AgentBank bank, ISignerSource signers, IPayeeAccountCheck accounts)
{
    /// <summary>The outcome message of a received voucher returned (退回) to its sender; the pass counts it apart.</summary>
    public const string Returned = "returned";

    public VoucherLibrary Library => library;

    /// <summary>账户核验: whether a payee's account can be paid (the port the bank configures).</summary>
    public IPayeeAccountCheck Accounts => accounts;

    public MasterData Master => master;

    public AgentBank Bank => bank;

    /// <summary>Logs the people in: each outbound use case does it before its transaction starts.</summary>
    public ISignerSource Signers => signers;

    /// <summary>The clerk's user id (经办).</summary>
    public string Clerk => $"yh{bank.BankCode}_jb";

    /// <summary>The reviewer's user id (复核).</summary>
    public string Reviewer => $"yh{bank.BankCode}_fh";

    public static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The header of a daily report (2206 直接支付 / 2207 授权支付) of one division: the day's total, all of it positive, for this bank.</summary>
    public List<VoucherField> DailyReportHeader(Division division, string vtCode, string payTypeCode, string payTypeName, string voucherNo, DateOnly businessDate, Amount total) =>
    [
        .. division.VoucherHeader(master.StYear, vtCode, voucherNo, Date(businessDate)),
        new("PayAmt", total.ToWire()),
        new("PosAmt", total.ToWire()),
        new("NegAmt", "0.00"),
        new("PayTypeCode", payTypeCode),
        new("PayTypeName", payTypeName),
        new("PayBankCode", bank.BankCode),
        new("PayBankName", bank.Name),
    ];
}

/// <summary>One pass of the desk over its received vouchers: the bank, the two people logged in, the business day.</summary>
internal sealed record BankShift(BankContext Bank, Signer Clerk, Signer Reviewer, DateOnly BusinessDate);
