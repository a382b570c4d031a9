using System.Collections.Frozen;
using System.Globalization;
using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Seals;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Business.Texts;

/// <summary>
/// The Chinese line a person reads for every stable rejection code of the library, the desks, the people
/// and their USBKeys. The CLI prints it beside the code; the English detail goes to <c>--json</c> and the
/// audit log. A test checks that every value of every enum here has its line.
/// </summary>
public static class RejectionTexts
{
    /// <summary>The enums whose every refusal has a Chinese line here.</summary>
    public static readonly IReadOnlyList<Type> Covered =
    [
        typeof(LibraryRejection), typeof(UserRejection), typeof(AdminRejection), typeof(LoginRejection), typeof(AuthorizationRejection),
        typeof(SealNoticeRejection), typeof(FinanceRejection), typeof(PbocRejection), typeof(BankRejection), typeof(TokenError),
    ];

    private static readonly FrozenDictionary<Enum, string> Texts = new Dictionary<Enum, string>
    {
        [LibraryRejection.InvalidVoucher] = "凭证内容不符合凭证规范",
        [LibraryRejection.WrongSender] = "本机构不能发送该类凭证",
        [LibraryRejection.WrongReceiver] = "该类凭证不能发给所选的接收方",
        [LibraryRejection.DuplicateVoucherNo] = "凭证号已被使用（内容不同），新凭证需要新的凭证号",
        [LibraryRejection.NotFound] = "凭证不存在",
        [LibraryRejection.IllegalTransition] = "凭证当前状态不允许该操作",
        [LibraryRejection.SameMakerAndChecker] = "录入与审核不能是同一人（不相容岗位）",
        [LibraryRejection.NotStamped] = "凭证尚有必需的签章位置未签章",
        [LibraryRejection.ReasonRequired] = "请填写原因",
        [LibraryRejection.NoReplyForType] = "该类凭证没有回单",
        [LibraryRejection.UnknownUser] = "用户不存在",
        [LibraryRejection.NoSuchPosition] = "凭证模板中没有该签章位置",
        [LibraryRejection.AlreadyStamped] = "该位置已签章",
        [LibraryRejection.NotAuthorizedToStamp] = "无权在该位置签章",
        [LibraryRejection.NoUsableSeal] = "没有可用的有效印章",
        [LibraryRejection.TokenRefused] = "USBKey 拒绝签名（PIN 码错误或已锁定）",
        [LibraryRejection.UserLocked] = "用户已被管理员锁定",
        [LibraryRejection.ProcessingFailed] = "处理收到的凭证时出错，已拒绝并注明原因",
        [LibraryRejection.Tampered] = "凭证库中的凭证已被篡改：内容与摘要或签章不符",
        [LibraryRejection.Reissued] = "凭证已作废重开，不能恢复",
        [LibraryRejection.PresentedStampInvalid] = "支撑控件提交的签章无效（印章、凭证、位置或时间不符）",
        [LibraryRejection.PostMayNot] = "该岗位无权办理此项操作",

        [UserRejection.UnknownUser] = "用户不存在",
        [UserRejection.UserExists] = "用户已存在",
        [UserRejection.UserLocked] = "用户已被管理员锁定",
        [UserRejection.TokenRefused] = "USBKey 拒绝（PIN 码错误或已锁定）",
        [UserRejection.InvalidInput] = "输入无效",
        [UserRejection.UnknownDivision] = "行政区划不在本网络的主数据中",

        [AdminRejection.NoAdministratorLogin] = "需要本机构的系统管理员用 USBKey 登录（--admin 与 --admin-pin）",
        [AdminRejection.LoginRefused] = "系统管理员登录被拒绝（USBKey、PIN 码或用户状态有误）",
        [AdminRejection.NotAnAdministrator] = "登录的人不是系统管理员",
        [AdminRejection.SameAdministratorTwice] = "印章的制作与复核须由两名不同的系统管理员完成",

        [LoginRejection.UnknownUser] = "用户不存在",
        [LoginRejection.UnknownChallenge] = "登录挑战无效或已使用，请重新获取",
        [LoginRejection.ChallengeExpired] = "登录挑战已过期，请重新获取",
        [LoginRejection.UserLocked] = "用户已被管理员锁定",
        [LoginRejection.CertificateInvalid] = "证书无效、已过期或已吊销",
        [LoginRejection.BadSignature] = "登录签名验证失败",
        [LoginRejection.InvalidInput] = "请求参数无效",
        [LoginRejection.TooManyChallenges] = "登录请求过多，请稍后再试",

        [AuthorizationRejection.NotLoggedIn] = "未登录或会话已过期",
        [AuthorizationRejection.SessionExpired] = "会话已过期，请重新登录",
        [AuthorizationRejection.PostMayNot] = "您的岗位无权执行该操作",
        [AuthorizationRejection.OtherUnit] = "凭证属于其他预算单位",
        [AuthorizationRejection.OtherDivision] = "凭证属于其他行政区划，本人只办理所属区划的业务",
        [AuthorizationRejection.OtherParty] = "无权访问其他机构的凭证库",
        [AuthorizationRejection.ReprintNotAllowed] = "该凭证已打印过，重打须由审核岗位（国库股审核、复核员、复核）办理",

        [SealNoticeRejection.Malformed] = "印章通知格式有误",
        [SealNoticeRejection.BadSignature] = "印章通知不是印章制作方签名的",
        [SealNoticeRejection.SealNotGenuine] = "印章通知中的印章不是印章制作方制作的",
        [SealNoticeRejection.OutOfOrder] = "印章通知顺序有误",

        [FinanceRejection.UnknownVoucherType] = "财政不处理该类凭证",
        [FinanceRejection.NotOurAllocation] = "退款所指的实拨凭证不是本财政开具的",
        [FinanceRejection.AllocationNotAnswered] = "实拨凭证尚未收到人民银行回单",
        [FinanceRejection.RefundAmountZero] = "退款金额为零",
        [FinanceRejection.RefundExceedsPaid] = "退款超过已支付金额",
        [FinanceRejection.NoIndicator] = "无预算指标",
        [FinanceRejection.IndicatorExceeded] = "用款计划超过指标余额",
        [FinanceRejection.ReallocationExceedsRefund] = "重新拨款超过退款余额",
        [FinanceRejection.NotARefund] = "所指凭证不是已登记的实拨退款",
        [FinanceRejection.UnknownDivision] = "本财政不服务该行政区划",

        [PbocRejection.UnknownVoucherType] = "人民银行不处理该类凭证",
        [PbocRejection.WrongBank] = "付款行与发送银行不符",
        [PbocRejection.TotalMismatch] = "汇总金额与明细合计不符",
        [PbocRejection.NoClearingQuota] = "没有清算额度",
        [PbocRejection.ClearingQuotaExceeded] = "超过剩余清算额度",
        [PbocRejection.UnknownBank] = "该银行不是本国库的代理银行",
        [PbocRejection.MissingAgencyCode] = "明细缺少预算单位代码",
        [PbocRejection.UnknownPayType] = "支付方式有误（应为授权支付或直接支付）",
        [PbocRejection.AmountNotNegative] = "退款金额应为负数",
        [PbocRejection.DuplicateRefund] = "该退款已入账",
        [PbocRejection.RefundExceedsCleared] = "退款超过已清算金额",
        [PbocRejection.DuplicateVoucherNo] = "该实拨凭证已支付",
        [PbocRejection.WrongPayType] = "支付方式应为实拨",
        [PbocRejection.PayeeBankRefused] = "收款账户已销户",
        [PbocRejection.TreasuryAccountNotOpen] = "国库单一账户尚未开立",
        [PbocRejection.InsufficientTreasuryBalance] = "国库单一账户余额不足",
        [PbocRejection.WrongSender] = "发送方不符",
        [PbocRejection.RefundOfUnpaidAllocation] = "退款所指的实拨凭证未在本行支付",
        [PbocRejection.AmountNotPositive] = "金额应大于零",
        [PbocRejection.RefundExceedsPaid] = "退款超过已支付金额",
        [PbocRejection.UnknownDivision] = "本国库不服务该行政区划",

        [BankRejection.NotOurBank] = "凭证的代理银行不是本行",
        [BankRejection.QuotaExceeded] = "额度不足",
        [BankRejection.UnknownVoucherType] = "代理银行不处理该类凭证",
        [BankRejection.NoQuota] = "无授权支付额度",
        [BankRejection.UnknownRefund] = "本行无此退款",
        [BankRejection.RefundOfUnpaidLine] = "退款所指的支付明细未在本行支付",
        [BankRejection.RefundOfUnclearedLine] = "退款所指的支付明细尚未清算",
        [BankRejection.AmountNotPositive] = "金额应大于零",
        [BankRejection.RefundExceedsPaid] = "退款超过已支付金额",
        [BankRejection.PaidOnPaper] = "该凭证号已按纸质凭证支付",
        [BankRejection.PaidElectronically] = "该凭证号已通过电子凭证支付",
        [BankRejection.UnitOnPaper] = "预算单位为纸质支付模式",
        [BankRejection.UnitNotOnPaper] = "预算单位为电子化支付模式",
        [BankRejection.NotOurUnit] = "预算单位不在本行开户",
        [BankRejection.UnknownDivision] = "本行不服务该行政区划",

        [TokenError.FileCorrupt] = "USBKey 存储已损坏或被改动",
        [TokenError.InvalidParameter] = "USBKey 参数无效",
        [TokenError.KeyNotFound] = "USBKey 中没有密钥",
        [TokenError.PinIncorrect] = "PIN 码错误",
        [TokenError.PinLocked] = "PIN 码已锁定，请联系管理员解锁",
        [TokenError.PinInvalid] = "PIN 码长度不符合要求",
        [TokenError.UserNotLoggedIn] = "USBKey 未登录",
    }.ToFrozenDictionary();

    /// <summary>The Chinese line of <paramref name="code"/>; every covered value has one (a test checks).</summary>
    public static string Chinese(Enum code) =>
        Texts.TryGetValue(code, out var text) ? text : $"操作被拒绝（{code.GetType().Name}.{code}）";

    /// <summary>The stable code as printed: the name and the number, e.g. <c>QuotaExceeded-2</c>.</summary>
    public static string Code(Enum code) =>
        $"{code}-{Convert.ToInt64(code, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}";

    public static bool Has(Enum code) => Texts.ContainsKey(code);
}
