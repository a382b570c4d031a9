using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTreasury.Business.Texts;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Server;
using OpenTreasury.Server.Auth;

namespace OpenTreasury.Desk;

public sealed record DeskLoginRequest(string UserId, string Challenge, string Signature);

public sealed record DeskStampPosition(string Position, string ChineseName, string SealDer, string PropertyInfo);

/// <summary>What the page hands the support control: the voucher's bytes (base64 GBK XML) and the positions to stamp.</summary>
public sealed record DeskStampRequests(long Id, string Voucher, IReadOnlyList<DeskStampPosition> Positions);

public sealed record DeskStamp(string Position, string Der);

public sealed record DeskStamps(IReadOnlyList<DeskStamp> Stamps);

public sealed record DeskOutcome(long Id, string State, string Message);

/// <summary>
/// The desk pages' JSON calls, behind the desk's cookie session and its antiforgery header: the login with a
/// signature from the support control, the stamp requests the control needs, the stamps it made, the approval,
/// and the change mark the lists poll.
/// </summary>
internal static class DeskApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/desk/api").ExcludeFromDescription();
        api.MapPost("/login", async (HttpContext http, DeskLoginRequest request) =>
        {
            if (!await DeskHost.ValidAntiforgeryAsync(http).ConfigureAwait(false))
            {
                return Refused(AuthorizationRejection.NotLoggedIn, "页面已过期，请刷新后重新登录");
            }

            var context = http.RequestServices.GetRequiredService<NodeContext>();
            var (session, problem) = AuthEndpoints.OpenSession(context, new LoginRequest(request.UserId, request.Challenge, request.Signature));
            if (session is null)
            {
                return problem!;
            }

            DeskSession.Open(http, session.Token, session.ExpiresAt);
            return Results.Ok(new { redirect = "/desk" });
        }).RequireRateLimiting(DeskHost.LoginPolicy);

        app.MapPost("/desk/logout", async (HttpContext http) =>
        {
            if (!await DeskHost.ValidAntiforgeryAsync(http).ConfigureAwait(false))
            {
                return Refused(AuthorizationRejection.NotLoggedIn, "页面已过期，请刷新后重试");
            }

            var context = http.RequestServices.GetRequiredService<NodeContext>();
            if (DeskSession.Of(http, context).Session is { } session)
            {
                context.Audit(session.Actor.UserId, "logout", session.Actor.UserId, "desk");
            }

            DeskSession.Close(http, context);
            return Results.NoContent();
        }).ExcludeFromDescription();

        // 可控打印: every print is counted; a reprint needs a checking post and is marked 第 N 次打印（重打）.
        app.MapGet("/desk/vouchers/{id:long}/pdf", (HttpContext http, long id, bool? archive) =>
            WithSession(http, (context, session) =>
            {
                var voucher = context.Library.Find(id);
                if (voucher is null)
                {
                    return Problems.Of(LibraryRejection.NotFound, $"no voucher {id}");
                }

                var printed = context.Library.Print(id, session.Actor, archive ?? false);
                return printed.Printed is { } pdf
                    ? Results.File(pdf.Pdf, "application/pdf", $"{voucher.VtCode}-{voucher.VoucherNo}-v{voucher.Version}.pdf")
                    : Problems.Of(printed.Rejection, printed.Message);
            })).ExcludeFromDescription();

        api.MapGet("/changes", (HttpContext http) =>
            WithSession(http, (context, _) => Results.Ok(new { mark = context.Library.ChangeMark() })));

        api.MapGet("/vouchers/{id:long}/stamp-requests", (HttpContext http, long id, string role) =>
            WithSession(http, (context, session) =>
            {
                var stampRole = role == "checker" ? StampRole.Checker : StampRole.Maker;
                if (OwnVoucher(context, session, id, stampRole == StampRole.Maker ? NodeAction.EnterVoucher : NodeAction.ApproveVoucher, out var voucher) is { } refused)
                {
                    return refused;
                }

                var positions = context.Library.StampRequests(id, stampRole, session.Actor.UserId)
                    .Select(r => new DeskStampPosition(r.Position, r.ChineseName, Convert.ToBase64String(r.SealDer), r.PropertyInfo)).ToList();
                return positions.Count == 0
                    ? Problems.Of(LibraryRejection.NoUsableSeal, $"nothing for {session.Actor.UserId} to stamp as {stampRole} on {voucher!.Key}")
                    : Results.Ok(new DeskStampRequests(id, Convert.ToBase64String(voucher!.InnerXml), positions));
            }));

        api.MapPost("/vouchers/{id:long}/stamps", async (HttpContext http, long id, DeskStamps stamps) =>
            await WithFormSession(http, (context, session) =>
            {
                var signer = RemoteSigner(session, stamps);
                return Act(context, session, id, NodeAction.EnterVoucher, () => context.Library.Run(s => context.Library.StampAll(s, id, StampRole.Maker, signer)));
            }).ConfigureAwait(false));

        api.MapPost("/vouchers/{id:long}/approve", async (HttpContext http, long id, DeskStamps stamps) =>
            await WithFormSession(http, (context, session) =>
            {
                var signer = RemoteSigner(session, stamps);
                return Act(context, session, id, NodeAction.ApproveVoucher, () => context.Node.FinanceDesk is { } finance
                    ? finance.ApprovePayment(id, signer)
                    : context.Library.Run(s =>
                    {
                        var approved = context.Library.Approve(s, id, signer.UserId);
                        return approved.Ok ? context.Library.Complete(s, id, signer, signer) : approved;
                    }));
            }).ConfigureAwait(false));
    }

    private static Signer RemoteSigner(NodeSession session, DeskStamps stamps)
    {
        var presented = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var stamp in stamps?.Stamps ?? [])
        {
            try
            {
                presented[stamp.Position] = Convert.FromBase64String(stamp.Der);
            }
            catch (FormatException)
            {
                // A stamp that is not base64 is no stamp: the position stays unfilled and is refused as such.
            }
        }

        return Signer.Remote(session.Actor, session.Name, presented);
    }

    private static IResult Act(NodeContext context, NodeSession session, long id, NodeAction action, Func<LibraryResult> work)
    {
        if (OwnVoucher(context, session, id, action, out _) is { } refused)
        {
            return refused;
        }

        var result = work();
        return result.Ok
            ? Results.Ok(new DeskOutcome(id, context.Library.Find(id)!.State, "已完成"))
            : Problems.Of(result.Rejection, result.Message);
    }

    /// <summary>An own voucher the person may act on with <paramref name="action"/>, or the problem to answer (the refusal audited).</summary>
    private static IResult? OwnVoucher(NodeContext context, NodeSession session, long id, NodeAction action, out StoredVoucher? voucher)
    {
        voucher = context.Library.Find(id);
        if (voucher is null || voucher.Origin != "own")
        {
            return Problems.Of(LibraryRejection.NotFound, $"no own voucher {id}");
        }

        var refused = context.Authorize(session, action, voucher.Key.ToString(), voucher.Scope);
        return refused == AuthorizationRejection.None ? null : Problems.Of(refused, $"{session.Actor.Post} may not {action}");
    }

    private static IResult WithSession(HttpContext http, Func<NodeContext, NodeSession, IResult> work)
    {
        var context = http.RequestServices.GetRequiredService<NodeContext>();
        var (session, rejection) = DeskSession.Of(http, context);
        return session is null ? Problems.Of(rejection, "log in on the desk") : work(context, session);
    }

    private static async Task<IResult> WithFormSession(HttpContext http, Func<NodeContext, NodeSession, IResult> work) =>
        await DeskHost.ValidAntiforgeryAsync(http).ConfigureAwait(false)
            ? WithSession(http, work)
            : Refused(AuthorizationRejection.NotLoggedIn, "页面已过期，请刷新后重试");

    private static IResult Refused(AuthorizationRejection rejection, string title) =>
        Results.Problem(title: title, statusCode: StatusCodes.Status403Forbidden, extensions: new Dictionary<string, object?>
        {
            ["code"] = rejection.ToString(),
            ["codeNumber"] = (int)rejection,
        });
}
