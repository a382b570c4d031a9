using Microsoft.AspNetCore.Mvc;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Desk.Pages;

/// <summary>
/// 代理银行柜面: received vouchers and the exceptions queue (those waiting for a person: sign for or return with a
/// reason), the clearing requests (2301) and their 回单, the daily reports, and the day's end (清算, 日报).
/// </summary>
public sealed class BankModel : DeskPageModel
{
    public IReadOnlyList<StoredVoucher> Received { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Waiting { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Clearing { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Reports { get; private set; } = [];

    /// <summary>Closing the day (clearing, the daily report) is for every division at once: a person of the whole node's.</summary>
    public bool MayCloseDay => EveryDivisionRefusal(NodeAction.EnterVoucher) == AuthorizationRejection.None;

    protected override bool Allowed() => Kind == PartyKind.Bank && !IsUnitPerson && Person.Actor.Post != Authorization.Administrator;

    public void OnGet() => Load();

    /// <summary>发起清算: the day's paid, not yet cleared payments gathered into 2301s to PBOC.</summary>
    public IActionResult OnPostClear()
    {
        Load();
        if (EveryDivisionRefusal(NodeAction.EnterVoucher) is var refusedDay && refusedDay != AuthorizationRejection.None)
        {
            Show(refusedDay);
            return Page();
        }

        var results = Node.Node.BankDesk!.RequestClearing(Today);
        var refused = results.FirstOrDefault(r => !r.Ok);
        if (refused is not null)
        {
            Show(refused, string.Empty);
        }
        else
        {
            Node.Audit(Person.Actor.UserId, "desk-clearing", $"2301 {Today:yyyy-MM-dd}", $"{results.Count} clearing request(s)");
            Message = (results.Count == 0 ? "没有待清算的支付" : $"已发起清算：{results.Count} 张划款申请（2301）发往人民银行", false);
        }

        Load();
        return Page();
    }

    /// <summary>发送日报: the day's 2207 to Finance.</summary>
    public IActionResult OnPostReport()
    {
        Load();
        if (EveryDivisionRefusal(NodeAction.EnterVoucher) is var refusedDay && refusedDay != AuthorizationRejection.None)
        {
            Show(refusedDay);
            return Page();
        }

        var sent = Node.Node.BankDesk!.SendDailyReport(Today);
        if (sent is null)
        {
            Message = ("今日没有已清算的支付，无需日报", false);
        }
        else
        {
            Show(sent, "已发送日报（2207）");
        }

        Load();
        return Page();
    }

    private void Load()
    {
        ViewData["Poll"] = true;
        Received = Node.Library.Latest("received", ["8202", "5201", "5105", "2302", "3502", "3507"], admDivCode: Person.Actor.AdmDivCode, limit: 50);
        Waiting = [.. Node.Library.Latest("received", admDivCode: Person.Actor.AdmDivCode).Where(v => v.State == "received")];
        Clearing = Node.Library.Latest("own", ["2301"], admDivCode: Person.Actor.AdmDivCode, limit: 30);
        Reports = Node.Library.Latest("own", ["2207", "2206", "2209", "2507"], admDivCode: Person.Actor.AdmDivCode, limit: 30);
    }
}
