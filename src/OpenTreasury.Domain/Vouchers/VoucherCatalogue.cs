using System.Collections.Frozen;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Domain.Vouchers;

/// <summary>
/// The voucher types of the seed's flows (domain guide §4) as data. Layouts marked [std] follow what
/// public code that talks to real deployments writes (domain/voucher-fields.md); [ours] are our own
/// where the public record is silent. Each province may configure its own: this is data, not logic.
/// </summary>
public static class VoucherCatalogue
{
    private const string Common = "Id, AdmDivCode, StYear, VtCode, VouDate, VoucherNo";
    private const string CommonNoId = "AdmDivCode, StYear, VtCode, VouDate, VoucherNo";
    private const string Holds = "Hold1, Hold2, Hold3, Hold4";
    private const PartyKind Finance = PartyKind.Finance;
    private const PartyKind Pboc = PartyKind.Pboc;
    private const PartyKind Bank = PartyKind.Bank;

    public static IReadOnlyList<VoucherType> All { get; } =
    [
        // 授权支付 quota and payment.
        Type("5105", "财政授权支付额度通知单", Finance, [Bank], reply: false,
            header: $"{Common}, TreCode, FinOrgCode, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, SetMonth, PlanAmt, PayBankCode, PayBankName, PayBankNo, ClearBankCode, ClearBankName, Remark, Hold1, Hold2",
            detail: $"Id, SupDepCode, SupDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, AgencyAcctNo, AgencyAcctName, PlanAmt, Remark, {Holds}",
            requiredHeader: "FundTypeCode, PayTypeCode, SetMonth, PlanAmt, PayBankCode", requiredDetail: "AgencyCode, ExpFuncCode, PlanAmt", amount: "PlanAmt"),
        Type("2105", "财政授权支付额度到账通知书", Bank, [Finance], reply: false,
            header: $"{Common}, OriVoucherNo, SetMonth, PlanAmt, PayBankCode, PayBankName, Remark, Hold1, Hold2",
            detail: $"Id, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, AgencyAcctNo, AgencyAcctName, PlanAmt, {Holds}",
            requiredHeader: "OriVoucherNo, SetMonth, PlanAmt, PayBankCode", requiredDetail: "AgencyCode, ExpFuncCode, PlanAmt", amount: "PlanAmt"),
        Type("5106", "财政授权支付汇总清算额度通知单", Finance, [Pboc], reply: true,
            header: $"{Common}, TreCode, FinOrgCode, PlanAmt, ClearVoucherNo, PayAcctNo, PayAcctName, PayeeAcctNo, PayeeAcctName, SetMonth, DeptNum, FundTypeCode, FundTypeName, ClearBankCode, ClearBankName, PayBankCode, PayBankName, PayBankNo, XAcceptDate, Hold1, Hold2",
            detail: $"Id, SupDepCode, SupDepName, ExpFuncCode, ExpFuncName, ProCatCode, ProCatName, PlanAmt, {Holds}, FundTypeCode, FundTypeName, AgencyCode, AgencyName, ExpEcoCode, ExpEcoName, DepProCode, DepProName, AgencyAccoCode, AgencyBankName",
            requiredHeader: "PlanAmt, SetMonth, PayBankCode, PayBankNo", requiredDetail: "AgencyCode, ExpFuncCode, PlanAmt", amount: "PlanAmt"),
        Type("8202", "财政授权支付凭证", Finance, [Bank], reply: false,
            header: $"{Common}, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, SetModeCode, SetModeName, SupDepCode, SupDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, PayAcctNo, PayAcctName, PayAcctBankName, PayBankCode, PayBankName, PayBankNo, PaySummaryCode, PaySummaryName, PayAmt, Hold1, Hold2",
            detail: $"Id, VoucherBillId, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayAmt, Remark, {Holds}",
            requiredHeader: "PayTypeCode, AgencyCode, ExpFuncCode, PayeeAcctNo, PayeeAcctName, PayAcctNo, PayBankCode, PayAmt", requiredDetail: "AgencyCode, ExpFuncCode, PayAmt", amount: "PayAmt"),

        // 直接支付.
        Type("5201", "财政直接支付凭证", Finance, [Bank], reply: true,
            header: $"{Common}, FundTypeCode, FundTypeName, BgtTypeCode, BgtTypeName, PayTypeCode, PayTypeName, ProCatCode, ProCatName, MOFDepCode, MOFDepName, SupDepCode, SupDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, SetModeCode, SetModeName, PayBankCode, PayBankName, ClearBankCode, ClearBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, PayAcctNo, PayAcctName, PayAcctBankName, PaySummaryCode, PaySummaryName, PayAmt, XPayDate, XAgentBusinessNo, XPayAmt, XAddWord, Hold1, Hold2",
            detail: $"Id, VoucherBillId, VoucherBillNo, FundTypeCode, FundTypeName, SupDepCode, SupDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, PayAmt, Remark, XPayDate, XAgentBusinessNo, XPayAmt, XAddWord, {Holds}",
            requiredHeader: "PayTypeCode, AgencyCode, PayBankCode, PayAmt", requiredDetail: "AgencyCode, ExpFuncCode, PayAmt", amount: "PayAmt"),
        Type("5108", "财政直接支付汇总清算额度通知单", Finance, [Pboc], reply: true,
            header: $"{Common}, TreCode, FinOrgCode, PayAmt, FundTypeCode, FundTypeName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAcctNo, PayAcctName, PayAcctBankName, PayBankCode, PayBankName, PayBankNo, PayVoucherNo, XAcceptDate, Hold1, Hold2",
            detail: $"SupDepCode, SupDepName, ExpFuncCode, ExpFuncName, ProCatCode, ProCatName, PayAmt, {Holds}, DirectVoucherNo, FundTypeCode, FundTypeName, AgencyCode, AgencyName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName",
            requiredHeader: "PayAmt, PayBankCode", requiredDetail: "ExpFuncCode, PayAmt", amount: "PayAmt"),

        // Clearing between the agent bank and PBOC.
        Type("2301", "申请划款凭证", Bank, [Pboc], reply: true,
            header: $"{Common}, TreCode, FinOrgCode, BgtTypeCode, BgtTypeName, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, AgentAcctNo, AgentAcctName, AgentAcctBankName, ClearAcctNo, ClearAcctName, ClearAcctBankName, PayAmt, PayBankName, PayBankNo, Remark, MoneyCorpCode, XPaySndBnkNo, XAddWord, XClearDate, XPayAmt, Hold1, Hold2",
            detail: $"Id, VoucherNo, SupDepCode, SupDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, PayAmt, PaySummaryName, {Holds}",
            requiredHeader: "PayTypeCode, PayAmt, PayBankNo", requiredDetail: "AgencyCode, ExpFuncCode, PayAmt", amount: "PayAmt"),
        Type("2302", "申请退款凭证", Bank, [Pboc], reply: true,
            header: $"{Common}, TreCode, FinOrgCode, BgtTypeCode, BgtTypeName, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, AgentAcctNo, AgentAcctName, AgentAcctBankName, ClearAcctNo, ClearAcctName, ClearAcctBankName, PayDictateNo, PayMsgNo, PayEntrustDate, PayAmt, PayBankName, PayBankNo, Remark, MoneyCorpCode, XPaySndBnkNo, XAddWord, XClearDate, XPayAmt, Hold1, Hold2",
            detail: $"Id, VoucherNo, OriVoucherNo, OriVouDetailNo, SupDepCode, SupDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, PayAmt, PaySummaryName, {Holds}",
            requiredHeader: "PayTypeCode, PayAmt, PayBankNo", requiredDetail: "OriVoucherNo, ExpFuncCode, PayAmt", amount: "PayAmt"),

        // The agent bank's reports and notices to Finance.
        Type("2206", "财政直接支付日报表", Bank, [Finance], reply: false,
            header: $"{Common}, PayAmt, PosAmt, NegAmt, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, PayBankCode, PayBankName, Hold1, Hold2",
            detail: $"Id, VoucherBillId, DayBillNo, VoucherNo, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAcctNo, PayAcctName, PayAcctBankName, PayBankCode, PayBankName, PayDate, PayAmt, Remark, {Holds}",
            requiredHeader: "PayAmt, PayBankCode", requiredDetail: "VoucherNo, AgencyCode, ExpFuncCode, PayAmt", amount: "PayAmt"),
        Type("2207", "财政授权支付日报表", Bank, [Finance], reply: false,
            header: $"{Common}, PayAmt, PosAmt, NegAmt, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, PayBankCode, PayBankName, Hold1, Hold2",
            detail: $"Id, VoucherBillId, DayBillNo, VoucherNo, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAcctNo, PayAcctName, PayAcctBankName, PayBankCode, PayBankName, PayDate, AgentBusinessNo, PayAmt, Remark, {Holds}",
            requiredHeader: "PayAmt, PayBankCode", requiredDetail: "VoucherNo, AgencyCode, ExpFuncCode, PayAmt", amount: "PayAmt"),
        Type("2208", "财政授权支付退款日报表", Bank, [Finance], reply: false,
            header: $"{Common}, PayAmt, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, PayBankCode, PayBankName, Hold1, Hold2",
            detail: $"Id, VoucherNo, OriVoucherNo, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, PayDate, PayAmt, Remark, {Holds}",
            requiredHeader: "PayAmt, PayBankCode", requiredDetail: "VoucherNo, OriVoucherNo, AgencyCode, ExpFuncCode, PayAmt", amount: "PayAmt"),
        Type("2209", "财政直接支付入账通知书", Bank, [Finance], reply: false,
            header: $"{Common}, PayBankCode, PayBankName, AgentBusinessNo, OriBillNo, PayAcctNo, PayAcctName, PayAcctBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAmt, Remark, PayDate, Hold1, Hold2",
            detail: $"Id, VoucherBillId, VoucherNo, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAmt, Remark, {Holds}",
            requiredHeader: "OriBillNo, PayAmt", requiredDetail: "PayAmt", amount: "PayAmt"),
        Type("2203", "财政直接支付退款通知书", Bank, [Finance], reply: false,
            header: $"{Common}, PayBankCode, PayBankName, AgentBusinessNo, OriBillNo, RefundType, PayAcctNo, PayAcctName, PayAcctBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAmt, Remark, PayDate, Hold1, Hold2",
            detail: $"Id, VoucherBillId, VoucherNo, BgtTypeCode, BgtTypeName, ProCatCode, ProCatName, PayKindCode, PayKindName, MOFDepCode, MOFDepName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, DepProCode, DepProName, PayAcctNo, PayAcctName, PayAcctBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, PayAmt, Remark, {Holds}",
            requiredHeader: "OriBillNo, PayAmt", requiredDetail: "PayAmt", amount: "PayAmt"),
        Type("2204", "财政授权支付退款通知书", Bank, [Finance], reply: false,
            header: $"{Common}, PayBankCode, PayBankName, AgentBusinessNo, OriBillNo, PayAcctNo, PayAcctName, PayAcctBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayAmt, Remark, PayDate, Hold1, Hold2",
            detail: $"Id, VoucherBillId, VoucherNo, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayAmt, Remark, {Holds}",
            requiredHeader: "OriBillNo, PayAmt", requiredDetail: "PayAmt", amount: "PayAmt"),

        // 实拨.
        Type("5207", "实拨拨款凭证", Finance, [Pboc], reply: true,
            header: $"{Common}, TreCode, FinOrgCode, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, ClearBankCode, ClearBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, PayAcctNo, PayAcctName, PayAcctBankName, PaySummaryCode, PaySummaryName, PayAmt, AgencyCode, AgencyName, BusinessTypeCode, BusinessTypeName, XPayAmt, XPayDate, XAgentBusinessNo, XAddWord, Hold1, Hold2",
            detail: $"Id, VoucherBillId, VoucherDetailNo, BgtTypeCode, BgtTypeName, ProCatCode, ProCatName, AgencyCode, AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankNo, PayeeAcctBankName, PaySummaryCode, PaySummaryName, PayAmt, Remark, XPayAmt, XPayDate, XAgentBusinessNo, XAddWord, {Holds}",
            requiredHeader: "PayTypeCode, PayeeAcctNo, PayeeAcctName, PayAmt", requiredDetail: "ExpFuncCode, PayAmt", amount: "PayAmt"),
        Type("3208", "实拨退款通知书", Pboc, [Finance], reply: false,
            header: $"{Common}, AgentBusinessNo, OriBillNo, OriVouDate, OriPayDate, FundTypeCode, FundTypeName, PayTypeCode, PayTypeName, ProCatCode, ProCatName, AgencyCode, AgencyName, PayAcctNo, PayAcctName, PayAcctBankName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, CurrencyCode, CurrencyName, PeriodType, PeriodTypeCode, PayeeAcctBankNo, PaySummaryCode, PaySummaryName, Remark, PayAmt, Hold1, Hold2",
            detail: $"Id, VoucherBillId, BgtTypeCode, BgtTypeName, ProCatCode, ProCatName, AgencyCode, AgencyName, PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName, Amt, VoucherDetailNo, {Holds}",
            requiredHeader: "OriBillNo, PayAmt", requiredDetail: "Amt", amount: "PayAmt", detailAmount: "Amt"),

        // Reconciliation (对账).
        Type("3501", "人民银行与财政凭证对账单", Pboc, [Finance], reply: false,
            header: $"{CommonNoId}, TreCode, ClearBankCode, ClearBankName, CheckDate, EVoucherType, AllNum, AllAmt, {Holds}",
            detail: "Id, VoucherNo, Amt, ProState, Hold1, Hold2",
            requiredHeader: "CheckDate, EVoucherType, AllNum, AllAmt", requiredDetail: "VoucherNo, Amt, ProState", amount: "AllAmt", detailAmount: "Amt"),
        Type("3502", "人民银行与代理银行凭证对账单", Pboc, [Bank], reply: false,
            header: $"{CommonNoId}, TreCode, PayBankCode, CheckDate, EVoucherType, AllNum, AllAmt, {Holds}",
            detail: "Id, VoucherNo, Amt, ProState, Hold1, Hold2",
            requiredHeader: "CheckDate, EVoucherType, AllNum, AllAmt", requiredDetail: "VoucherNo, Amt, ProState", amount: "AllAmt", detailAmount: "Amt"),
        Type("3507", "清算信息对账单", Pboc, [Finance, Bank], reply: false,
            header: $"{CommonNoId}, VoucherCheckNo, ChildPackNum, CurPackNo, TreCode, ClearBankCode, ClearBankName, ClearAccNo, ClearAccNanme, BeginDate, EndDate, AllNum, AllAmt, Hold1, Hold2",
            detail: $"Id, PayAgentBillNo, PayDetailId, VoucherNo, SupDepCode, SupDepName, FundTypeCode, FundTypeName, PayBankCode, PayBankName, PayBankNo, ExpFuncCode, ExpFuncName, ProCatCode, ProCatName, PayTypeCode, PayTypeName, PayAmt, PlanAmt, RefundAmt, PlanRemainAmt, {Holds}",
            requiredHeader: "BeginDate, EndDate, AllNum, AllAmt", requiredDetail: "PayAmt", amount: "AllAmt", detailAmount: "PayAmt"),
        Type("5507", "清算信息对账回执(财政)", Finance, [Pboc], reply: false,
            header: $"{CommonNoId}, VoucherCheckNo, ChildPackNum, CurPackNo, TreCode, ClearBankCode, ClearBankName, ClearAccNo, ClearAccNanme, BeginDate, EndDate, AllNum, AllAmt, XCheckResult, XDiffNum, Hold1, Hold2",
            detail: $"Id, PayAgentBillNo, PayDetailId, SupDepCode, SupDepName, FundTypeCode, FundTypeName, PayBankCode, PayBankName, PayBankNo, ExpFuncCode, ExpFuncName, ProCatCode, ProCatName, PayTypeCode, PayTypeName, PayAmt, XCheckResult, XCheckReason, {Holds}",
            requiredHeader: "AllNum, AllAmt, XCheckResult", requiredDetail: "PayAmt, XCheckResult", amount: "AllAmt", detailAmount: "PayAmt"),
        Type("2507", "清算信息对账回执(代理银行)", Bank, [Pboc], reply: false,
            header: $"{CommonNoId}, VoucherCheckNo, ChildPackNum, CurPackNo, TreCode, ClearBankCode, ClearBankName, ClearAccNo, ClearAccNanme, BeginDate, EndDate, AllNum, AllAmt, XCheckResult, XDiffNum, Hold1, Hold2",
            detail: $"Id, PayAgentBillNo, PayDetailId, SupDepCode, SupDepName, FundTypeCode, FundTypeName, PayBankCode, PayBankName, PayBankNo, ExpFuncCode, ExpFuncName, ProCatCode, ProCatName, PayTypeCode, PayTypeName, PayAmt, XCheckResult, XCheckReason, {Holds}",
            requiredHeader: "AllNum, AllAmt, XCheckResult", requiredDetail: "PayAmt, XCheckResult", amount: "AllAmt", detailAmount: "PayAmt"),
        Type("4004", "支付对账单(财政)", Pboc, [Finance], reply: false,
            header: $"{Common}, TreCode, CheckDate, Hold1, Hold2",
            detail: "EVoucherType, EVoucherTypeName, AllNum, AllAmt, Hold1, Hold2",
            requiredHeader: "CheckDate", requiredDetail: "EVoucherType, AllNum, AllAmt", amount: null, detailAmount: "AllAmt"),
        Type("4005", "支付对账单(代理银行)", Pboc, [Bank], reply: false,
            header: $"{Common}, TreCode, PayBankCode, PayBankName, CheckDate, Hold1, Hold2",
            detail: "EVoucherType, EVoucherTypeName, PayTypeCode, PayTypeName, AllNum, AllAmt, Hold1, Hold2",
            requiredHeader: "CheckDate, PayBankCode", requiredDetail: "EVoucherType, AllNum, AllAmt", amount: null, detailAmount: "AllAmt"),
    ];

    private static readonly FrozenDictionary<string, VoucherType> s_byCode =
        All.ToFrozenDictionary(t => t.VtCode.Value, StringComparer.Ordinal);

    public static bool TryGet(VtCode code, out VoucherType type) => s_byCode.TryGetValue(code.Value, out type!);

    public static bool TryGet(string code, out VoucherType type) => s_byCode.TryGetValue(code, out type!);

    public static VoucherType Get(VtCode code) =>
        TryGet(code, out var type) ? type : throw new KeyNotFoundException($"VtCode {code} is not in the catalogue.");

    private static VoucherType Type(
        string code, string name, PartyKind sender, PartyKind[] receivers, bool reply,
        string header, string detail, string requiredHeader, string requiredDetail, string? amount, string? detailAmount = null)
    {
        var positions = new List<StampPosition>
        {
            new($"{Prefix(sender)}_qm", sender, $"{Chinese(sender)}签名"),
        };
        if (reply)
        {
            var replier = receivers[0];
            positions.Add(new StampPosition($"{Prefix(replier)}_hd_qm", replier, $"{Chinese(replier)}回单签名", OnReply: true));
        }

        return new VoucherType
        {
            VtCode = VtCode.Parse(code),
            Name = name,
            Category = CategoryOf(code),
            Sender = sender,
            Receivers = receivers,
            HeaderFields = Split(header),
            DetailFields = Split(detail),
            RequiredHeaderFields = [.. Split(CommonNoId), .. Split(requiredHeader)],
            RequiredDetailFields = Split(requiredDetail),
            HeaderAmountField = amount,
            DetailAmountField = detailAmount ?? amount,
            SignedAmounts = code is "2302" or "2203" or "2204" or "2208" or "3208" or "2206" or "3501" or "3502" or "3507" or "5507" or "2507" or "4004" or "4005",
            HasReply = reply,
            StampPositions = positions,
        };
    }

    /// <summary>The catalogue's groups of flows (凭证分类), one per VtCode.</summary>
    private static VoucherCategory CategoryOf(string code) => code switch
    {
        "5105" or "2105" or "5106" or "8202" => VoucherCategory.AuthorizedPayment,
        "5201" or "5108" => VoucherCategory.DirectPayment,
        "2301" or "2302" => VoucherCategory.Clearing,
        "2206" or "2207" or "2208" or "2209" or "2203" or "2204" => VoucherCategory.BankReport,
        "5207" or "3208" => VoucherCategory.Allocation,
        _ => VoucherCategory.Reconciliation,
    };

    private static string[] Split(string fields) =>
        fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Prefix(PartyKind party) => party switch
    {
        PartyKind.Finance => "cz",
        PartyKind.Pboc => "rh",
        _ => "yh",
    };

    private static string Chinese(PartyKind party) => party switch
    {
        PartyKind.Finance => "财政",
        PartyKind.Pboc => "人民银行",
        _ => "代理银行",
    };
}
