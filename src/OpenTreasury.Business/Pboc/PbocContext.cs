using System.Globalization;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>What every use case of PBOC's treasury (人民银行国库) works with: its library, the master data, the people at its desk.</summary>
internal sealed class PbocContext(VoucherLibrary library, MasterData master, ISignerSource signers, Bank.IPayeeAccountCheck accounts)
{
    /// <summary>The bookkeeper's user id (记账员).</summary>
    public const string Bookkeeper = "rh_jz";

    /// <summary>The reviewer's user id (复核员).</summary>
    public const string Reviewer = "rh_fh";

    /// <summary>The outcome message of a received voucher returned (退回) to its sender; the pass counts it apart.</summary>
    public const string Returned = "returned";

    public VoucherLibrary Library => library;

    /// <summary>账户核验 at the payee's bank when PBOC pays a 5207 (the port the deployment configures).</summary>
    public Bank.IPayeeAccountCheck Accounts => accounts;

    public MasterData Master => master;

    /// <summary>Logs the people in: each outbound use case does it before its transaction starts.</summary>
    public ISignerSource Signers => signers;

    public static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}

/// <summary>One pass of the desk over its received vouchers: PBOC, the two people logged in, the business day.</summary>
internal sealed record PbocShift(PbocContext Pboc, Signer Bookkeeper, Signer Reviewer, DateOnly BusinessDate);

/// <summary>A clearing quota line (5106 or 5108 ledger) of one bank × unit × class.</summary>
internal sealed record PbocQuotaRow(long IssuedFen, long ClearedFen);
