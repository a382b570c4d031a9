using System.Globalization;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>What every use case of Finance (财政国库股 and the units' platform) works with: its library, the master data, the people.</summary>
internal sealed class FinanceContext(VoucherLibrary library, MasterData master, ISignerSource signers)
{
    /// <summary>The treasury section's entry clerk's user id (国库股录入).</summary>
    public const string Entry = "cz_lr";

    /// <summary>The treasury section's approver's user id (国库股审核).</summary>
    public const string Approval = "cz_sh";

    public VoucherLibrary Library => library;

    public MasterData Master => master;

    /// <summary>Logs the people in: each outbound use case does it before its transaction starts.</summary>
    public ISignerSource Signers => signers;

    public static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One pass of the desk over its received vouchers: Finance and the two people logged in (they answer a 3507).</summary>
internal sealed record FinanceShift(FinanceContext Finance, Signer Entry, Signer Approval);
