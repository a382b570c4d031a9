using Microsoft.AspNetCore.Http;
using OpenTreasury.Node.People;

namespace OpenTreasury.Server.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;token&gt;</c> of a live session on every endpoint of a group and
/// hands the session to the endpoint. An expired session is refused (and audited, the person being
/// known); a missing or unknown token is refused without an audit entry, so anonymous noise cannot
/// grow the audit chain.
/// </summary>
public sealed class SessionFilter(NodeContext node) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var (session, rejection) = node.Sessions.Touch(TokenOf(http));
        if (rejection == AuthorizationRejection.SessionExpired)
        {
            node.Audit(session!.Actor.UserId, "session-expired", session.Actor.UserId, $"{http.Request.Method} {http.Request.Path}");
            return Problems.Of(rejection, "the session ended; log in again with your USBKey");
        }

        if (rejection != AuthorizationRejection.None)
        {
            return Problems.Of(rejection, "send Authorization: Bearer <token> from POST /auth/login");
        }

        http.Items[typeof(NodeSession)] = session;
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The session the filter put on this request.</summary>
    public static NodeSession SessionOf(HttpContext http) =>
        http?.Items[typeof(NodeSession)] as NodeSession ?? throw new InvalidOperationException("the endpoint is not behind the session filter");

    public static string? TokenOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }
}
