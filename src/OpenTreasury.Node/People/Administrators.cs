namespace OpenTreasury.Node.People;

/// <summary>Why an administrative action was refused; stable codes.</summary>
public enum AdminRejection
{
    None = 0,
    NoAdministratorLogin = 1,   // no administrator logged in for the action
    LoginRefused = 2,           // the administrator's USBKey or PIN was refused, or the user is locked or unknown
    NotAnAdministrator = 3,     // the person logged in does not hold the administrator post
    SameAdministratorTwice = 4, // maker and checker of a seal action must be two different administrators
}

public sealed record AdminCheck(AdminRejection Rejection, string Message)
{
    public bool Ok => Rejection == AdminRejection.None;
}

/// <summary>
/// Administration (users, unlocks, seals) needs an administrator (系统管理员) of the party logged in on their own
/// USBKey; making or revoking a seal needs two different Finance administrators, a maker and a checker (双人管理).
/// Every refusal is written to the node's audit chain.
/// </summary>
public static class Administrators
{
    /// <summary>The post (岗位) of a party's administrators.</summary>
    public const string Post = Authorization.Administrator;

    /// <summary>Logs <paramref name="userId"/> in on their USBKey and checks they are an administrator of this party.</summary>
    public static AdminCheck Login(UserDirectory users, string? userId, string? pin, string action)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(pin))
        {
            return Refuse(users, userId ?? "-", action, AdminRejection.NoAdministratorLogin, $"{action} 需要本单位系统管理员以其 USBKey 登录 (--admin, --admin-pin)");
        }

        var login = users.Login(userId, pin, out var signer);
        using (signer)
        {
            if (!login.Ok)
            {
                return Refuse(users, userId, action, AdminRejection.LoginRefused, $"管理员 {userId} 登录失败: {login.Rejection} ({(int)login.Rejection}) {login.Message}");
            }

            if (signer!.Post != Post)
            {
                return Refuse(users, userId, action, AdminRejection.NotAnAdministrator, $"{userId} 的岗位是 {signer.Post}, 不是{Post}, 不能{action}");
            }
        }

        return new(AdminRejection.None, $"{userId} ({Post}) 已登录");
    }

    /// <summary>Two different administrators, maker and checker, both logged in on their USBKeys (seal making and revocation).</summary>
    public static AdminCheck LoginTwo(UserDirectory users, string? makerId, string? makerPin, string? checkerId, string? checkerPin, string action)
    {
        var maker = Login(users, makerId, makerPin, action);
        if (!maker.Ok)
        {
            return maker;
        }

        if (string.IsNullOrEmpty(checkerId) || string.IsNullOrEmpty(checkerPin))
        {
            return Refuse(users, makerId!, action, AdminRejection.NoAdministratorLogin, $"{action} 需要两名不同的系统管理员 (--admin 与 --checker) 分别以 USBKey 登录");
        }

        if (string.Equals(makerId, checkerId, StringComparison.Ordinal))
        {
            return Refuse(users, makerId!, action, AdminRejection.SameAdministratorTwice, $"{action} 的经办与复核必须是两名不同的系统管理员, 不能都是 {makerId}");
        }

        return Login(users, checkerId, checkerPin, action);
    }

    private static AdminCheck Refuse(UserDirectory users, string userId, string action, AdminRejection rejection, string message)
    {
        users.AuditRefusal(userId, action, $"{rejection} ({(int)rejection}): {message}");
        return new(rejection, message);
    }
}
