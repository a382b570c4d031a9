using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Desk.Pages;

/// <summary>The payment a unit's clerk enters (录入), checked next to each field.</summary>
public sealed class PaymentForm
{
    [Required(ErrorMessage = "请选择功能分类")]
    public string ExpFuncCode { get; set; } = string.Empty;

    [Required(ErrorMessage = "请输入金额")]
    public string Amount { get; set; } = string.Empty;

    [Required(ErrorMessage = "请输入收款人")]
    [StringLength(60, ErrorMessage = "收款人不超过 60 字")]
    public string PayeeName { get; set; } = string.Empty;

    [Required(ErrorMessage = "请输入收款账号")]
    [RegularExpression("^[0-9]{6,32}$", ErrorMessage = "收款账号为 6–32 位数字")]
    public string PayeeAccount { get; set; } = string.Empty;

    [Required(ErrorMessage = "请输入收款银行")]
    [StringLength(60, ErrorMessage = "收款银行不超过 60 字")]
    public string PayeeBank { get; set; } = string.Empty;

    [Required(ErrorMessage = "请输入用途")]
    [StringLength(60, ErrorMessage = "用途不超过 60 字")]
    public string Summary { get; set; } = "办公用品采购";

    /// <summary>Optional detail lines (明细), e.g. a payroll (代发工资): the CSV <see cref="PaymentLines"/> reads; they must add up to <see cref="Amount"/>.</summary>
    public IFormFile? Lines { get; set; }
}

/// <summary>
/// 预算单位 on Finance's platform: the unit's quota, its 8202s and where each is (bank, PBOC), the entry form,
/// the drafts waiting for the second person's approval, and the notices that came for the unit.
/// </summary>
public sealed class UnitModel : DeskPageModel
{
    /// <summary>A 10,000-line payroll CSV is about 0.5 MB; anything far larger is not one.</summary>
    private const int LinesFileBytesMax = 4 * 1024 * 1024;

    [BindProperty]
    public PaymentForm Form { get; set; } = new();

    public BudgetUnit Unit { get; private set; } = null!;

    public IReadOnlyList<StoredVoucher> Payments { get; private set; } = [];

    public IReadOnlyList<StoredVoucher> Notices { get; private set; } = [];

    /// <summary>The unit's budget indicators (预算指标) with the quota planned on them and what was paid.</summary>
    public IReadOnlyList<IndicatorRow> Quota { get; private set; } = [];

    public bool MayEnter => May(NodeAction.EnterVoucher, UnitScope);

    public bool MayApprove => May(NodeAction.ApproveVoucher, UnitScope);

    /// <summary>The unit's vouchers as authorization sees them: the unit, in its division.</summary>
    private VoucherScope UnitScope => new(Unit.AgencyCode, Node.Node.Master.DivisionOf(Unit).AdmDivCode);

    protected override bool Allowed() => Kind == PartyKind.Finance && IsUnitPerson;

    public void OnGet() => Load();

    public IActionResult OnPostEnter()
    {
        Load();
        if (!MayEnter)
        {
            Show(AuthorizationRejection.PostMayNot);
            return Page();
        }

        if (!Domain.Money.Amount.TryParseWire(Form.Amount?.Replace(",", string.Empty, StringComparison.Ordinal), out var amount) || amount <= Domain.Money.Amount.Zero)
        {
            ModelState.AddModelError("Form.Amount", "金额应为以元为单位、两位小数的正数，如 1234.50");
        }

        if (Unit.Classes.All(c => c.ExpFuncCode != Form.ExpFuncCode))
        {
            ModelState.AddModelError("Form.ExpFuncCode", "请选择本单位的功能分类");
        }

        List<PaymentLine> lines = [];
        if (Form.Lines is { Length: > 0 } file && ReadLines(file, lines) is { } linesError)
        {
            ModelState.AddModelError("Form.Lines", linesError);
        }
        else if (lines.Count > 0 && ModelState.IsValid && Domain.Money.Amount.Sum(lines.Select(l => l.Amount)) is var total && total != amount)
        {
            ModelState.AddModelError("Form.Lines", $"明细 {lines.Count} 笔合计 {DeskFormat.Thousands(total.ToWire())} 元，与金额 {DeskFormat.Thousands(amount.ToWire())} 元不符");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var order = new PaymentOrder(null, Unit.AgencyCode, Form.ExpFuncCode, amount, new Payee(Form.PayeeAccount, Form.PayeeName, Form.PayeeBank, "102751100019"), Form.Summary)
        {
            Lines = lines,
        };
        var drafted = Node.Node.FinanceDesk!.DraftPayment(order, Today, Person.Actor.UserId);
        if (!drafted.Ok)
        {
            Show(drafted, string.Empty);
            return Page();
        }

        return Redirect($"/desk/vouchers/{drafted.VoucherId}?entered=1");
    }

    /// <summary>The uploaded CSV's lines; null when they read, else the Chinese line naming the fault.</summary>
    private static string? ReadLines(IFormFile file, List<PaymentLine> lines)
    {
        if (file.Length > LinesFileBytesMax)
        {
            return $"明细文件不超过 {LinesFileBytesMax / (1024 * 1024)} MB";
        }

        try
        {
            using var reader = new StreamReader(file.OpenReadStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
            return PaymentLines.TryRead(reader, lines, out var error) ? null : error;
        }
        catch (DecoderFallbackException)
        {
            return "明细文件应为 UTF-8 编码的 CSV（在 Excel 中另存为“CSV UTF-8”）";
        }
    }

    private void Load()
    {
        ViewData["Poll"] = true;
        var master = Node.Node.Master;
        Unit = master.Unit(Person.Actor.AgencyCode!);
        Payments = Node.Library.Latest("own", ["8202"], Unit.AgencyCode);
        Notices = Node.Library.Latest("received", ["2105", "2209", "2204", "2203", "2208"], Unit.AgencyCode, limit: 50);
        Quota = [.. Node.Node.FinanceDesk!.Indicators().Where(r => r.AgencyCode == Unit.AgencyCode)];
    }
}
