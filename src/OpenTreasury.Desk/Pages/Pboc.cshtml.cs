using OpenTreasury.Business.Pboc;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Desk.Pages;

/// <summary>
/// 人民银行国库: clearing with the matching result of each 2301 (cleared, or returned with the reason), allocations
/// (5207) paid or returned, the treasury single account's book, and the statements sent (3501/3502/3507, 4004/4005).
/// </summary>
public sealed class PbocModel : DeskPageModel
{
    public IReadOnlyList<StoredVoucher> Clearing { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Allocations { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Statements { get; private set; } = [];

    /// <summary>Each division's treasury single account (国库单一账户), the home one first; null for one not yet opened.</summary>
    public IReadOnlyList<(Node.Network.Division Division, TreasuryBook? Book)> Books { get; private set; } = [];

    protected override bool Allowed() => Kind == PartyKind.Pboc && Person.Actor.Post != Authorization.Administrator;

    public void OnGet()
    {
        ViewData["Poll"] = true;
        Clearing = Node.Library.Latest("received", ["2301", "5106", "5108"], admDivCode: Person.Actor.AdmDivCode, limit: 50);
        Allocations = Node.Library.Latest("received", ["5207"], admDivCode: Person.Actor.AdmDivCode, limit: 30);
        Statements = Node.Library.Latest("own", ["3501", "3502", "3507", "4004", "4005", "3208"], admDivCode: Person.Actor.AdmDivCode, limit: 30);
        var pboc = Node.Node.PbocDesk!;
        Books = [.. Node.Node.Master.Divisions.Where(d => Person.Actor.AdmDivCode is null || d.AdmDivCode == Person.Actor.AdmDivCode).Select(d => (d, pboc.TreasuryAccountOpen(d.AdmDivCode) ? pboc.TreasuryBook(null, d.AdmDivCode) : (TreasuryBook?)null))];
    }
}
