using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Domain;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.People;
using OpenTreasury.Server.Auth;
using OpenTreasury.Server.Vouchers;

namespace OpenTreasury.Server.Messages;

/// <summary>What became of a retried or discarded message.</summary>
public sealed record MessageActionResult(long Id, string MessageId, string State, string? Reason);

/// <summary>
/// The operator's tools on the node's outbox over HTTP (差错处理): the messages that did not get through,
/// one parked message sent again now, or one discarded with a reason (kept, never delivered again).
/// All three are for a post that may <see cref="NodeAction.ManageMessages"/>.
/// </summary>
public static class MessageEndpoints
{
    public static void Map(IEndpointRouteBuilder app, NodeContext context)
    {
        var messages = app.MapGroup("/messages").WithTags("Messages 报文").AddEndpointFilter(new SessionFilter(context))
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        messages.MapGet("/", (HttpContext http) =>
            Authorized(context, http, "outbox", () => Results.Ok(OutboxOperator.List(context.Library))))
            .WithName("ListMessages").WithSummary("Parked, discarded and rejected outbox messages, with why 未送达报文")
            .Produces<IReadOnlyList<OutboxEntry>>();

        messages.MapPost("/{id:long}/retry", (HttpContext http, long id, CancellationToken cancellationToken) =>
            AuthorizedAsync(context, http, $"message {id}", async actor =>
            {
                var retried = context.Library.Run(session => OutboxOperator.Retry(session, id, actor));
                if (!retried.Ok)
                {
                    return Problems.Of(retried.Rejection, retried.Message);
                }

                await context.Node.Worker.DeliverDueAsync(Limits.DeliveryBatchMax, retried.VoucherId, cancellationToken).ConfigureAwait(false);
                var after = OutboxOperator.Find(context.Library, id)!;
                return Results.Ok(new MessageActionResult(id, after.MessageId, after.State, after.Reason));
            }))
            .WithName("RetryMessage").WithSummary("Put a parked message back for delivery now and try it once 重发")
            .WithDescription("state in the answer: delivered, or queued when this attempt failed too (reason says why; the worker tries again).")
            .Produces<MessageActionResult>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        messages.MapPost("/{id:long}/discard", (HttpContext http, long id, ReasonRequest? request) =>
            Authorized(context, http, $"message {id}", () =>
            {
                var actor = SessionFilter.SessionOf(http).Actor.UserId;
                var discarded = context.Library.Run(session => OutboxOperator.Discard(session, id, actor, request?.Reason ?? string.Empty));
                if (!discarded.Ok)
                {
                    return Problems.Of(discarded.Rejection, discarded.Message);
                }

                var after = OutboxOperator.Find(context.Library, id)!;
                return Results.Ok(new MessageActionResult(id, after.MessageId, after.State, after.Reason));
            }))
            .WithName("DiscardMessage").WithSummary("Discard a parked message with a reason; it is kept and never delivered again 作废报文")
            .Produces<MessageActionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static IResult Authorized(NodeContext context, HttpContext http, string subject, Func<IResult> work)
    {
        var session = SessionFilter.SessionOf(http);
        var rejection = context.Authorize(session, NodeAction.ManageMessages, subject, null);
        return rejection != AuthorizationRejection.None
            ? Problems.Of(rejection, $"{session.Actor.UserId} ({session.Actor.Post}) may not manage messages at {context.Node.Party}")
            : work();
    }

    private static async Task<IResult> AuthorizedAsync(NodeContext context, HttpContext http, string subject, Func<string, Task<IResult>> work)
    {
        var session = SessionFilter.SessionOf(http);
        var rejection = context.Authorize(session, NodeAction.ManageMessages, subject, null);
        return rejection != AuthorizationRejection.None
            ? Problems.Of(rejection, $"{session.Actor.UserId} ({session.Actor.Post}) may not manage messages at {context.Node.Party}")
            : await work(session.Actor.UserId).ConfigureAwait(false);
    }
}
