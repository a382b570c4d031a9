using OpenTreasury.Business.Bank;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Desk.Pages;

/// <summary>
/// 自助柜面: the bank's portal for a unit's people, logged in with the bank-issued USBKey (seed 十三.五): the unit's
/// quota at this bank, its payments (paid, or returned with the reason) with their receipts, and the quota notices.
/// </summary>
public sealed class SelfModel : DeskPageModel
{
    public BudgetUnit Unit { get; private set; } = null!;

    public IReadOnlyList<QuotaBalance> Quota { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Payments { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Notices { get; private set; } = [];

    protected override bool Allowed() => Kind == PartyKind.Bank && IsUnitPerson;

    public void OnGet()
    {
        ViewData["Poll"] = true;
        Unit = Node.Node.Master.Unit(Person.Actor.AgencyCode!);
        Quota = Node.Node.BankDesk!.Quota(Unit.AgencyCode);
        Payments = Node.Library.Latest("received", ["8202"], Unit.AgencyCode);
        Notices = [.. Node.Library.Latest("own", ["2105"], Unit.AgencyCode, limit: 30)];
    }
}
