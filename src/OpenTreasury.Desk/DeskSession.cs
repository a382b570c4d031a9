using Microsoft.AspNetCore.Http;
using OpenTreasury.Node.People;
using OpenTreasury.Server;
using OpenTreasury.Server.Auth;

namespace OpenTreasury.Desk;

/// <summary>The desk's session: the node's own session, its token in an HttpOnly, SameSite=Strict cookie.</summary>
public static class DeskSession
{
    public const string CookieName = "OT-Desk";

    public const string AntiforgeryHeader = "X-OT-Antiforgery";

    public static void Open(HttpContext http, string token, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            Expires = expiresAt,
        });
    }

    /// <summary>The session of this request's cookie, touched (so it stays alive), or why there is none.</summary>
    public static (NodeSession? Session, AuthorizationRejection Rejection) Of(HttpContext http, NodeContext context)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(context);
        var token = http.Request.Cookies[CookieName];
        var (session, rejection) = context.Sessions.Touch(token);
        if (rejection == AuthorizationRejection.SessionExpired)
        {
            context.Audit(session!.Actor.UserId, "session-expired", session.Actor.UserId, $"desk {http.Request.Path}");
            return (null, rejection);
        }

        return rejection == AuthorizationRejection.None ? (session, rejection) : (null, rejection);
    }

    public static void Close(HttpContext http, NodeContext context)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(context);
        if (http.Request.Cookies[CookieName] is { } token)
        {
            context.Sessions.Close(token);
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
    }
}
