using Microsoft.AspNetCore.Http;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Server;

/// <summary>Why a request was refused before any rule was asked; stable codes.</summary>
public enum RequestRejection
{
    None = 0,
    InvalidRequest = 1, // a parameter is missing, malformed or out of its bounds
}

/// <summary>
/// Every refusal of the node's HTTP interface as an RFC 7807 problem: a Chinese title for people, the
/// stable code (<c>code</c>: the enum name, <c>codeNumber</c>: its number) for programs, the same codes
/// as the library, the CLI and the audit log. One switch per rejection enum.
/// </summary>
public static class Problems
{
    public const string TypePrefix = "urn:opentreasury:problem:";

    public static IResult Of(AuthorizationRejection rejection, string detail) => rejection switch
    {
        AuthorizationRejection.NotLoggedIn => Make(StatusCodes.Status401Unauthorized, "未登录或会话已过期", "authorization", rejection, detail),
        AuthorizationRejection.SessionExpired => Make(StatusCodes.Status401Unauthorized, "会话已过期，请重新登录", "authorization", rejection, detail),
        AuthorizationRejection.PostMayNot => Make(StatusCodes.Status403Forbidden, "您的岗位无权执行该操作", "authorization", rejection, detail),
        AuthorizationRejection.OtherUnit => Make(StatusCodes.Status403Forbidden, "无权查看该凭证：凭证属于其他预算单位", "authorization", rejection, detail),
        AuthorizationRejection.OtherDivision => Make(StatusCodes.Status403Forbidden, "无权办理该凭证：凭证属于其他行政区划", "authorization", rejection, detail),
        AuthorizationRejection.OtherParty => Make(StatusCodes.Status403Forbidden, "无权访问其他机构的凭证库", "authorization", rejection, detail),
        AuthorizationRejection.ReprintNotAllowed => Make(StatusCodes.Status403Forbidden, "该凭证已打印过，重打须由审核岗位办理", "authorization", rejection, detail),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a refusal"),
    };

    public static IResult Of(LoginRejection rejection, string detail) => rejection switch
    {
        LoginRejection.UnknownUser => Make(StatusCodes.Status401Unauthorized, "用户不存在", "login", rejection, detail),
        LoginRejection.UnknownChallenge => Make(StatusCodes.Status401Unauthorized, "登录挑战无效或已使用，请重新获取", "login", rejection, detail),
        LoginRejection.ChallengeExpired => Make(StatusCodes.Status401Unauthorized, "登录挑战已过期，请重新获取", "login", rejection, detail),
        LoginRejection.UserLocked => Make(StatusCodes.Status403Forbidden, "用户已被管理员锁定", "login", rejection, detail),
        LoginRejection.CertificateInvalid => Make(StatusCodes.Status401Unauthorized, "证书无效、已过期或已吊销", "login", rejection, detail),
        LoginRejection.BadSignature => Make(StatusCodes.Status401Unauthorized, "登录签名验证失败", "login", rejection, detail),
        LoginRejection.InvalidInput => Make(StatusCodes.Status400BadRequest, "请求参数无效", "login", rejection, detail),
        LoginRejection.TooManyChallenges => Make(StatusCodes.Status503ServiceUnavailable, "登录请求过多，请稍后再试", "login", rejection, detail),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a refusal"),
    };

    public static IResult Of(LibraryRejection rejection, string detail) => rejection switch
    {
        LibraryRejection.NotFound => Make(StatusCodes.Status404NotFound, "凭证不存在", "library", rejection, detail),
        LibraryRejection.IllegalTransition => Make(StatusCodes.Status409Conflict, "凭证当前状态不允许该操作", "library", rejection, detail),
        LibraryRejection.ReasonRequired => Make(StatusCodes.Status400BadRequest, "请填写原因（1–500 字）", "library", rejection, detail),
        LibraryRejection.InvalidVoucher => Make(StatusCodes.Status400BadRequest, "请求参数无效", "library", rejection, detail),
        LibraryRejection.UnknownUser => Make(StatusCodes.Status403Forbidden, "用户不存在", "library", rejection, detail),
        LibraryRejection.UserLocked => Make(StatusCodes.Status403Forbidden, "用户已被管理员锁定", "library", rejection, detail),
        LibraryRejection.Tampered => Make(StatusCodes.Status409Conflict, "凭证库中的凭证已被篡改：内容与摘要或签章不符", "library", rejection, detail),
        LibraryRejection.None => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a refusal"),
        _ => Make(StatusCodes.Status422UnprocessableEntity, Business.Texts.RejectionTexts.Chinese(rejection), "library", rejection, detail),
    };

    public static IResult Of(RequestRejection rejection, string detail) => rejection switch
    {
        RequestRejection.InvalidRequest => Make(StatusCodes.Status400BadRequest, "请求参数无效", "request", rejection, detail),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a refusal"),
    };

    /// <summary>The node was restored from a backup and does no business until it has recovered (ADR 0016): 503, code <c>NodeRecovering</c>.</summary>
    public static IResult Recovering(Node.Recovery.NodeRecoveringException recovering)
    {
        ArgumentNullException.ThrowIfNull(recovering);
        return Results.Problem(title: recovering.Message, statusCode: StatusCodes.Status503ServiceUnavailable, type: TypePrefix + "NodeRecovering",
            extensions: new Dictionary<string, object?> { ["code"] = "NodeRecovering", ["codeNumber"] = 0 });
    }

    /// <summary>For a failure nobody planned: no exception text, no stack trace, only that it happened.</summary>
    public static IResult Internal() =>
        Results.Problem(title: "服务器内部错误，请联系系统管理员", statusCode: StatusCodes.Status500InternalServerError, type: TypePrefix + "InternalError",
            extensions: new Dictionary<string, object?> { ["code"] = "InternalError", ["codeNumber"] = 0 });

    private static IResult Make<T>(int status, string title, string family, T code, string detail)
        where T : struct, Enum =>
        Results.Problem(
            title: title,
            detail: detail,
            statusCode: status,
            type: $"{TypePrefix}{family}:{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code.ToString(), ["codeNumber"] = Convert.ToInt32(code, System.Globalization.CultureInfo.InvariantCulture) });
}
