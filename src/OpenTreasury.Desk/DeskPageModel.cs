using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Server;
using OpenTreasury.Server.Auth;

namespace OpenTreasury.Desk;

/// <summary>One item of a desk's left menu.</summary>
public sealed record MenuItem(string Href, string Text);

/// <summary>
/// What every desk page stands on: the node, the person's session (no session: to the login page), the
/// page's menu and the refusal to show. Pages read; their form handlers call the business and show its answer.
/// </summary>
public abstract class DeskPageModel : PageModel
{
    public NodeContext Node { get; private set; } = null!;

    public NodeSession Person { get; private set; } = null!;

    public DeskOptions Options { get; private set; } = null!;

    /// <summary>A refusal or a success to show above the page, in Chinese with its code.</summary>
    public (string Text, bool Error)? Message { get; set; }

    public PartyKind Kind => Node.Node.Party.Kind;

    public bool IsUnitPerson => Person.Actor.AgencyCode is not null;

    /// <summary>The business day (Beijing time), as the node's worker counts it.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Node.Clock.GetUtcNow().ToOffset(ServerLimits.BusinessTimeOffset).DateTime);

    public IReadOnlyList<MenuItem> Menu => Kind switch
    {
        PartyKind.Finance when IsUnitPerson => [new("/desk/unit", "单位支付"), new("/desk/unit#notices", "通知书与回单")],
        PartyKind.Finance => [new("/desk/finance", "工作台"), new("/desk/finance#allocations", "实拨资金"), new("/desk/finance#reconcile", "对账")],
        PartyKind.Bank when IsUnitPerson => [new("/desk/self", "自助柜面"), new("/desk/self#payments", "支付与回单"), new("/desk/self#notices", "额度通知")],
        PartyKind.Bank => [new("/desk/bank", "柜面待办"), new("/desk/bank#clearing", "清算与回单")],
        PartyKind.Pboc => [new("/desk/pboc", "清算"), new("/desk/pboc#treasury", "国库单一账户")],
        _ => [],
    };

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Node = HttpContext.RequestServices.GetRequiredService<NodeContext>();
        Options = HttpContext.RequestServices.GetRequiredService<DeskOptions>();
        var (session, _) = DeskSession.Of(HttpContext, Node);
        if (session is null)
        {
            context.Result = Redirect("/desk/login");
            return;
        }

        Person = session;
        if (!Allowed())
        {
            context.Result = Redirect("/desk");
        }
    }

    /// <summary>Whether this page is for the session's person (their party kind and post).</summary>
    protected virtual bool Allowed() => true;

    /// <summary>Shows a refusal the way every face shows it: the Chinese line and the stable code.</summary>
    protected void Show(LibraryResult result, string done)
    {
        ArgumentNullException.ThrowIfNull(result);
        Message = result.Ok ? (done, false) : ($"拒绝 [{Business.Texts.RejectionTexts.Code(result.Rejection)}]：{Business.Texts.RejectionTexts.Chinese(result.Rejection)}（{result.Message}）", true);
    }

    protected void Show(AuthorizationRejection rejection) =>
        Message = ($"拒绝 [{Business.Texts.RejectionTexts.Code(rejection)}]：{Business.Texts.RejectionTexts.Chinese(rejection)}", true);

    protected bool May(NodeAction action, VoucherScope? voucher = null) =>
        Authorization.Check(Person.Actor, action, Node.Node.Party, voucher) == AuthorizationRejection.None;

    /// <summary>
    /// Why the person may not do <paramref name="action"/> over every division the node serves at once (closing a bank's
    /// day for all of them), or None: the post must allow it, and a person of one division does only their own.
    /// </summary>
    protected AuthorizationRejection EveryDivisionRefusal(NodeAction action) =>
        Authorization.CheckEveryDivision(Person.Actor, action, Node.Node.Party, Node.Node.Master.Divisions.Count);

    /// <summary>What a voucher's receivers did with it, in a few words (with the reason of a return).</summary>
    public string DeliveryOf(StoredVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var deliveries = Node.Library.Deliveries(voucher.Id);
        return deliveries.Count == 0 ? "未发送" : string.Join("；", deliveries.Select(x => $"{x.Receiver} {DeskFormat.Delivery(x.Status)}{(x.Reason is null ? string.Empty : "（" + x.Reason + "）")}"));
    }
}

/// <summary>Formats for the desks: money with thousands separators and 大写, dates, states in Chinese.</summary>
public static class DeskFormat
{
    public static string Money(long? fen) => fen is { } f ? Thousands(new Amount(f).ToWire()) : string.Empty;

    public static string Capitals(long? fen) => fen is { } f ? "人民币" + new Amount(f).ToChineseCapitals() : string.Empty;

    public static string Thousands(string wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var negative = wire.StartsWith('-');
        var body = negative ? wire[1..] : wire;
        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? body : body[..dot];
        var grouped = new System.Text.StringBuilder();
        for (var i = 0; i < whole.Length; i++)
        {
            if (i > 0 && (whole.Length - i) % 3 == 0)
            {
                grouped.Append(',');
            }

            grouped.Append(whole[i]);
        }

        return (negative ? "-" : string.Empty) + grouped + (dot < 0 ? string.Empty : body[dot..]);
    }

    public static string Date(string vouDate) =>
        vouDate is { Length: 8 } ? $"{vouDate[..4]}-{vouDate[4..6]}-{vouDate[6..]}" : vouDate;

    public static string State(string state) => state switch
    {
        "draft" => "待审核",
        "approved" => "已审核",
        "signed" => "已签章",
        "sent" => "已发送",
        "voided" => "已作废",
        "received" => "待处理",
        "signed_for" => "已签收",
        "refused" => "签收失败",
        "returned" => "已退回",
        _ => state,
    };

    public static string StateTag(string state) => state switch
    {
        "signed_for" or "sent" or "signed" => "ok",
        "draft" or "approved" or "received" => "warn",
        "returned" or "refused" or "voided" => "bad",
        _ => string.Empty,
    };

    public static string Delivery(Domain.Vouchers.VoucherStatus status) => status switch
    {
        Domain.Vouchers.VoucherStatus.Sent => "已发送，未接收",
        Domain.Vouchers.VoucherStatus.Received => "对方已接收",
        Domain.Vouchers.VoucherStatus.ReceiveFailed => "接收失败",
        Domain.Vouchers.VoucherStatus.SignedFor => "对方已签收",
        Domain.Vouchers.VoucherStatus.SignForFailed => "签收失败",
        Domain.Vouchers.VoucherStatus.Returned => "被退回",
        Domain.Vouchers.VoucherStatus.ReplySent => "回单已发送",
        Domain.Vouchers.VoucherStatus.ReplyReceived => "回单已接收",
        Domain.Vouchers.VoucherStatus.ReplySignedFor => "回单已签收",
        Domain.Vouchers.VoucherStatus.ReplyArrived => "已收到回单",
        Domain.Vouchers.VoucherStatus.NotSent => "未发送",
        Domain.Vouchers.VoucherStatus.Voided => "已作废",
        _ => status.ToString(),
    };
}
