using Microsoft.AspNetCore.Mvc;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Desk.Pages;

/// <summary>One stamp position of the form: the seal drawn from the stamp itself, and the stamp's verification.</summary>
public sealed record FormStamp(string Position, string ChineseName, string? PictureDataUri, string? SealName, string? Signer, string? SignedAt, bool? Valid, string Check);

/// <summary>One step of the voucher's way (全流程跟踪), from this library's audit chain and its receivers' statuses.</summary>
public sealed record TimelineStep(string At, string What, string Who);

/// <summary>
/// The voucher as the people know it: its one-联 official form with Chinese labels, every detail line, the total
/// with 大写金额, the red seals drawn at their positions with each stamp's verification, its timeline, the PDF
/// (可控打印, counted), and the actions the person may take here (盖章, 审核并盖章, 签收, 退回).
/// </summary>
public sealed class VoucherModel : DeskPageModel
{
    public StoredVoucher Voucher { get; private set; } = null!;

    public Voucher Form { get; private set; } = null!;

    public IReadOnlyList<(string Label, string Value)> Fields { get; private set; } = [];

    public IReadOnlyList<string> Columns { get; private set; } = [];

    /// <summary>
    /// Detail lines the page shows: a payroll (代发工资) has up to 10,000, which the printed PDF carries in full; the page
    /// shows the first ones and says how many there are.
    /// </summary>
    public const int LinesShownMax = 200;

    public IReadOnlyList<FormStamp> Stamps { get; private set; } = [];

    public IReadOnlyList<TimelineStep> Timeline { get; private set; } = [];

    public IReadOnlyList<DeliveryState> Deliveries { get; private set; } = [];

    public int PrintCount { get; private set; }

    public bool CanStampAsMaker { get; private set; }

    public bool CanApprove { get; private set; }

    public bool CanAnswer { get; private set; }

    [BindProperty]
    public string? Reason { get; set; }

    public IActionResult OnGet(long id, int? entered, string? stamped)
    {
        if (!Load(id))
        {
            return NotFound();
        }

        if (entered == 1)
        {
            Message = ("已保存草稿：请点击“盖章”，用 USBKey 在本机支撑控件上加盖个人名章", false);
        }
        else if (stamped is "maker" or "checker")
        {
            Message = (stamped == "maker" ? $"已完成：已盖经办人名章，凭证{DeskFormat.State(Voucher.State)}，待另一人审核" : $"已完成：已审核并盖章，凭证{DeskFormat.State(Voucher.State)}", false);
        }

        return Page();
    }

    public IActionResult OnPostSignFor(long id) => Answer(id, NodeAction.SignFor, (s, v) => Node.Library.SignFor(s, v.Id, Person.Actor.UserId), "已签收");

    public IActionResult OnPostReturn(long id) => Answer(id, NodeAction.Return, (s, v) => Node.Library.Return(s, v.Id, Person.Actor.UserId, Reason ?? string.Empty), "已退回");

    private IActionResult Answer(long id, NodeAction action, Func<LibrarySession, StoredVoucher, LibraryResult> work, string done)
    {
        if (!Load(id))
        {
            return NotFound();
        }

        var refused = Node.Authorize(Person, action, Voucher.Key.ToString(), Voucher.Scope);
        if (refused != AuthorizationRejection.None)
        {
            Show(refused);
            return Page();
        }

        var result = Node.Library.Run(s => work(s, Voucher));
        Show(result, done);
        Load(id);
        return Page();
    }

    private bool Load(long id)
    {
        var voucher = Node.Library.Find(id);
        if (voucher is null || Authorization.Check(Person.Actor, NodeAction.ReadVouchers, Node.Node.Party, voucher.Scope) != AuthorizationRejection.None)
        {
            return false;
        }

        Voucher = Node.Library.RequireIntact(voucher);
        Form = Voucher.Content;
        Fields = [.. Form.Header.Where(f => f.Value.Length > 0 && !FieldNames.IsReserved(f.Name)).Select(f => (FieldNames.Chinese(f.Name), f.Value))];
        Columns = [.. Form.Details.SelectMany(d => d.Fields.Select(f => f.Name)).Distinct(StringComparer.Ordinal).Where(f => !FieldNames.IsReserved(f))];
        Stamps = StampsOf(Voucher);
        Deliveries = Node.Library.Deliveries(id);
        Timeline = TimelineOf(Voucher);
        PrintCount = Node.Library.PrintCount(id);
        var me = Person.Actor.UserId;
        var unstamped = Stamps.Where(s => s.PictureDataUri is null).Select(s => s.Position).ToHashSet(StringComparer.Ordinal);
        var positions = Node.Library.PositionsToStamp(Voucher);
        CanStampAsMaker = Voucher.Origin == "own" && Voucher.State == "draft" && Voucher.EnteredBy == me
            && positions.Any(p => p.Role == StampRole.Maker && unstamped.Contains(p.Name));
        CanApprove = Voucher.Origin == "own" && Voucher.State == "draft" && May(NodeAction.ApproveVoucher, Voucher.Scope)
            && !positions.Any(p => p.Role == StampRole.Maker && unstamped.Contains(p.Name));
        CanAnswer = Voucher.Origin == "received" && Voucher.State == "received" && May(NodeAction.Return, Voucher.Scope);
        return true;
    }

    private List<FormStamp> StampsOf(StoredVoucher voucher)
    {
        var stamps = Node.Library.Stamps(voucher.Id).ToDictionary(s => s.Position, StringComparer.Ordinal);
        var template = Node.Library.TemplateOf(voucher).For(voucher.IsReply);
        var list = new List<FormStamp>();
        var dataHash = DataHash.Of(voucher.InnerXml);
        foreach (var position in template)
        {
            if (!stamps.TryGetValue(position.Name, out var stamp))
            {
                list.Add(new FormStamp(position.Name, position.ChineseName, null, null, null, null, null, "未签章"));
                continue;
            }

            var check = Node.Library.Signing.VerifyStamp(dataHash, stamp.Der, SignatureServer.PropertyInfo(voucher.Key, (int)voucher.Version, position.Name, (int)voucher.TemplateVersion), _ => null);
            var parsed = SealSignature.TryParse(stamp.Der, out var read, out _) ? read : null;
            var picture = parsed?.Seal.Info.Picture;
            list.Add(new FormStamp(
                position.Name,
                position.ChineseName,
                picture is null ? null : $"data:image/{picture.Type.ToLowerInvariant()};base64,{Convert.ToBase64String(picture.Data)}",
                parsed?.Seal.Info.Property.Name,
                stamp.Signer,
                parsed?.TimeInfo.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                check.IsValid,
                check.IsValid ? "验证通过：印章有效，签名、证书与时间戳正确" : $"验证失败 [{check.Failure}-{(int)check.Failure}]：{check.Message}"));
        }

        return list;
    }

    private List<TimelineStep> TimelineOf(StoredVoucher voucher)
    {
        using var connection = Node.Library.Database.Connect();
        var steps = AuditQuery.Find(connection, new AuditFilter(voucher.VtCode, voucher.VoucherNo))
            .Select(e => new TimelineStep(Beijing(e.At), Operation(e.Operation, e.Detail), e.Actor))
            .ToList();
        steps.AddRange(Deliveries.Select(d => new TimelineStep(Beijing(d.UpdatedAt), $"{d.Receiver}：{DeskFormat.Delivery(d.Status)}{(d.Reason is null ? string.Empty : "（" + d.Reason + "）")}", d.Receiver)));
        return [.. steps.OrderBy(s => s.At, StringComparer.Ordinal)];
    }

    /// <summary>A status notice's detail begins with its code (e.g. <c>3 SignedFor</c>): shown in Chinese.</summary>
    private static string StatusText(string detail)
    {
        var reason = detail.IndexOf(": ", StringComparison.Ordinal);
        return int.TryParse(detail.Split(' ')[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var code) && Enum.IsDefined(typeof(VoucherStatus), code)
            ? DeskFormat.Delivery((VoucherStatus)code) + (reason < 0 ? string.Empty : "（" + detail[(reason + 2)..] + "）")
            : detail;
    }

    private static string Beijing(string at) =>
        DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            : at;

    private static string Operation(string operation, string detail) => operation switch
    {
        "draft" => "录入（制单）",
        "stamp" => "签章：" + detail.Split(';')[0],
        "approve" => "审核",
        "send" => "发送",
        "receive" => "接收并验签",
        "receive-reply" => "回单到达并验签",
        "status" => "对方回执：" + StatusText(detail),
        "void" => "作废：" + detail,
        "print" => "打印：" + detail,
        "reply" => "回单",
        "reissue" => "重开：" + detail,
        _ => $"{operation} {detail}".Trim(),
    };
}
