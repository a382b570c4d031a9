using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Ledgers;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Printing.Reports;

namespace OpenTreasury.Desk.Pages;

/// <summary>
/// 财政国库股: quota plans (5105/5106) and their 回单, direct payments (5201/5108), allocations (5207) with
/// return → void → reissue, the day's reconciliation with each mismatch and its Excel export, and the trial balance.
/// </summary>
public sealed class FinanceModel : DeskPageModel
{
    public IReadOnlyList<StoredVoucher> Quotas { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Direct { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Allocations { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Received { get; private set; } = [];

    public ReconciliationReport Report { get; private set; } = null!;

    public TrialBalance Trial { get; private set; } = null!;

    public DateOnly? Day { get; private set; }

    /// <summary>The division (行政区划) reconciled: each reconciles on its own; the home one unless the query names another.</summary>
    public Division Division { get; private set; } = null!;

    /// <summary>
    /// The divisions the person may reconcile, for the reconciliation's choice (shown when there is more than one):
    /// every division the Finance node serves, or a division's own person's one.
    /// </summary>
    public IReadOnlyList<Division> Divisions =>
        [.. Node.Node.Master.Divisions.Where(d => Person.Actor.AdmDivCode is null || d.AdmDivCode == Person.Actor.AdmDivCode)];

    public bool MayReissue => May(NodeAction.ApproveVoucher);

    [BindProperty]
    public string? Returned { get; set; }

    [BindProperty]
    public string? NewNo { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    /// <summary>The corrected payee of a reissue: a unit's own account (空: the same payee as the returned voucher).</summary>
    [BindProperty]
    public string? PayeeAgency { get; set; }

    protected override bool Allowed() => Kind == PartyKind.Finance && !IsUnitPerson && Person.Actor.Post != Authorization.Administrator;

    public void OnGet(string? date, string? division) => Load(date, division);

    /// <summary>作废重开: a returned 5207 voided and reissued under a new number, by the approving post.</summary>
    public IActionResult OnPostReissue(string? date)
    {
        Load(date);
        // The returned 5207 as authorization sees it: a division's own person reissues only their division's.
        var returned = string.IsNullOrWhiteSpace(Returned) ? null : Node.Node.FinanceDesk!.Allocation(Returned);
        var refused = Authorization.Check(Person.Actor, NodeAction.ApproveVoucher, Node.Node.Party, returned?.Scope);
        if (refused != AuthorizationRejection.None)
        {
            Show(refused);
            return Page();
        }

        if (string.IsNullOrWhiteSpace(Returned) || string.IsNullOrWhiteSpace(NewNo) || !VoucherNo.TryParse(NewNo, out _))
        {
            ModelState.AddModelError(nameof(NewNo), "请填写有效的新凭证号");
            return Page();
        }

        var finance = Node.Node.FinanceDesk!;
        var payee = Node.Node.Master.Units.Any(u => u.AgencyCode == PayeeAgency) ? finance.UnitPayee(PayeeAgency!) : null;
        var result = finance.ReissueAllocation(Returned, NewNo, Today, payee, string.IsNullOrWhiteSpace(Reason) ? "收款账户更正后重开" : Reason);
        Show(result, $"已作废 {Returned} 并重开为 {NewNo}");
        Load(date);
        return Page();
    }

    /// <summary>The day's reconciliation as an Excel workbook (对账报告).</summary>
    public IActionResult OnGetExport(string? date, string? division)
    {
        Load(date, division);
        var day = Day ?? Today;
        Node.Audit(Person.Actor.UserId, "export", $"reconciliation {day:yyyy-MM-dd}", "xlsx from the desk");
        return File(ReconciliationExport.ToXlsx(Report, day), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"对账-{day:yyyyMMdd}.xlsx");
    }

    private void Load(string? date, string? division = null)
    {
        var master = Node.Node.Master;
        // A division's own person reconciles their division whatever the query names; others the one named, or the home one.
        Division = Person.Actor.AdmDivCode is { } own ? master.Division(own)
            : master.TryDivision(division, out var chosen) ? chosen : master.Division(master.AdmDivCode);
        ViewData["Poll"] = true;
        Day = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        Quotas = Node.Library.Latest("own", ["5105", "5106"], admDivCode: Person.Actor.AdmDivCode, limit: 40);
        Direct = Node.Library.Latest("own", ["5201", "5108"], admDivCode: Person.Actor.AdmDivCode, limit: 40);
        Allocations = Node.Library.Latest("own", ["5207"], admDivCode: Person.Actor.AdmDivCode, limit: 40);
        Received = Node.Library.Latest("received", ["2105", "2207", "2209", "2206", "2203", "2204", "2208", "3208", "3501", "4004", "3507"], admDivCode: Person.Actor.AdmDivCode, limit: 40);
        Report = FinanceReconciliation.Reconcile(FinanceBooksReader.Read(Node.Library, master, Day, Division.AdmDivCode));
        Trial = new FinanceJournal(Node.Library).TrialBalance(Divisions.Count > 1 || Person.Actor.AdmDivCode is not null ? Division.AdmDivCode : null);
    }

    public bool IsReturned(StoredVoucher voucher) =>
        voucher is not null && (voucher.State == "returned" || Node.Library.Deliveries(voucher.Id).Any(x => x.Status == Domain.Vouchers.VoucherStatus.Returned));
}
