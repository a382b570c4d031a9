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

    /// <summary>
    /// Who does the Finance node's own work for division <paramref name="admDivCode"/> (录入, 审核): the division's own
    /// 国库股 pair when the master data names one (<see cref="Division.ShiftEntry"/>), else the node's
    /// (<see cref="Entry"/>, <see cref="Approval"/>), which is also who answers for a division the node does not serve.
    /// </summary>
    public (string Entry, string Approval) ShiftOf(string admDivCode) =>
        master.TryDivision(admDivCode, out var division) && division.ShiftEntry is { } entry && division.ShiftApproval is { } approval
            ? (entry, approval)
            : (Entry, Approval);

    /// <summary>The division's shift, logged in (see <see cref="ShiftOf"/>).</summary>
    public (Signer Entry, Signer Approval) LogInShift(string admDivCode)
    {
        var (entry, approval) = ShiftOf(admDivCode);
        return (signers.SignerFor(entry), signers.SignerFor(approval));
    }

    public static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// One pass of the desk over its received vouchers: Finance and, for each division, the two people who do its work
/// there (<see cref="FinanceContext.ShiftOf"/>; they sign for what comes in and answer a 3507), all logged in when the
/// shift is made, before any transaction starts.
/// </summary>
internal sealed class FinanceShift(FinanceContext finance)
{
    private readonly Dictionary<string, (Signer Entry, Signer Approval)> _people =
        finance.Master.Divisions.ToDictionary(d => d.AdmDivCode, d => finance.LogInShift(d.AdmDivCode), StringComparer.Ordinal);

    public FinanceContext Finance => finance;

    /// <summary>The user id of the division's 录入, who signs for and refuses what comes in.</summary>
    public string EntryOf(string admDivCode) => finance.ShiftOf(admDivCode).Entry;

    /// <summary>The division's two people (the node's for a division it does not serve).</summary>
    public (Signer Entry, Signer Approval) For(string admDivCode) =>
        _people.TryGetValue(admDivCode, out var people) ? people : _people[finance.Master.AdmDivCode];
}
