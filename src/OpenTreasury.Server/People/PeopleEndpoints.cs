using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Domain;
using OpenTreasury.Node.People;
using OpenTreasury.Server.Auth;

namespace OpenTreasury.Server.People;

public sealed record PersonView(string UserId, string Name, string Post, string? AgencyCode, string? CertificateSerial, bool Locked);

/// <summary>
/// The node's people, for its administrators (系统管理员) only: who is a user here, and locking one
/// (离岗, a lost USBKey). A lock also ends the person's open sessions at once.
/// </summary>
public static class PeopleEndpoints
{
    public static void Map(IEndpointRouteBuilder app, NodeContext context)
    {
        var people = app.MapGroup("/people").WithTags("People 用户管理").AddEndpointFilter(new SessionFilter(context))
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        people.MapGet("/", (HttpContext http) =>
        {
            var session = SessionFilter.SessionOf(http);
            var rejection = context.Authorize(session, NodeAction.Administer, "people", null);
            return rejection != AuthorizationRejection.None
                ? Problems.Of(rejection, $"{session.Actor.Post} does not administer {context.Node.Party}")
                : Results.Ok(context.Node.Users.List().Select(u => new PersonView(u.Id, u.Name, u.Role, u.AgencyCode, u.CertSerial, u.Locked != 0)).ToList());
        })
        .WithName("ListPeople").WithSummary("The people of this node 用户列表")
        .Produces<IReadOnlyList<PersonView>>();

        people.MapPost("/{userId}/lock", (HttpContext http, string userId, Vouchers.ReasonRequest? request) =>
        {
            var session = SessionFilter.SessionOf(http);
            var rejection = context.Authorize(session, NodeAction.Administer, userId, null);
            if (rejection != AuthorizationRejection.None)
            {
                return Problems.Of(rejection, $"{session.Actor.Post} does not administer {context.Node.Party}");
            }

            if (string.IsNullOrWhiteSpace(request?.Reason) || request.Reason.Length > Limits.ReasonLengthMax)
            {
                return Problems.Of(RequestRejection.InvalidRequest, $"a lock needs a reason of 1–{Limits.ReasonLengthMax} characters");
            }

            var locked = context.Node.Users.Lock(userId, $"{request.Reason} (by {session.Actor.UserId})");
            if (!locked.Ok)
            {
                return Problems.Of(LoginRejection.UnknownUser, locked.Message);
            }

            var ended = context.Sessions.CloseAllOf(userId);
            context.Audit(session.Actor.UserId, "lock-user", userId, $"{request.Reason}; {ended} session(s) ended");
            return Results.NoContent();
        })
        .WithName("LockPerson").WithSummary("Lock a person: no login, no stamp, open sessions end 锁定用户")
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest);
    }
}
