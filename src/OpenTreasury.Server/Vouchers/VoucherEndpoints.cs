using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Server.Auth;

namespace OpenTreasury.Server.Vouchers;

/// <summary>
/// The library interface (电子凭证库接口) of the node: read own and received vouchers (≤ 100 a call),
/// one voucher with its stamps and status per receiver, its MOF file and its PDF, its stamp positions;
/// sign for, refuse, return and void. Every call is a person's, in a session, checked against the
/// node's authorization table.
/// </summary>
public static class VoucherEndpoints
{
    private static readonly string[] s_states = ["draft", "approved", "signed", "sent", "voided", "received", "signed_for", "refused", "returned"];

    public static void Map(IEndpointRouteBuilder app, NodeContext context)
    {
        var vouchers = app.MapGroup("/vouchers").WithTags("Vouchers 凭证库").AddEndpointFilter(new SessionFilter(context))
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        vouchers.MapGet("/own", (HttpContext http, string? vt, string? state, string? from, string? to, long? after, int? limit) =>
            List(context, http, "own", vt, state, from, to, after, limit))
            .WithName("ListOwnVouchers").WithSummary("List own vouchers 查询本方凭证")
            .WithDescription($"Vouchers this party made, in id order, at most {Limits.ReadBatchMax} a call; continue with after=next. Filters: vt (VtCode), state, from/to (VouDate yyyyMMdd). A unit's people see only their unit's.")
            .Produces<VoucherPage>().ProducesProblem(StatusCodes.Status400BadRequest);

        vouchers.MapGet("/received", (HttpContext http, string? vt, string? state, string? from, string? to, long? after, int? limit) =>
            List(context, http, "received", vt, state, from, to, after, limit))
            .WithName("ListReceivedVouchers").WithSummary("List received vouchers 读取来件凭证 (readVoucherAgain)")
            .WithDescription($"Vouchers received from other parties, at most {Limits.ReadBatchMax} a call; state=received gives those not yet signed for, refused or returned.")
            .Produces<VoucherPage>().ProducesProblem(StatusCodes.Status400BadRequest);

        vouchers.MapGet("/{id:long}", (HttpContext http, long id) =>
            WithVoucher(context, http, id, NodeAction.ReadVouchers, (_, v) => Results.Ok(VoucherViews.Detail(context.Library, v))))
            .WithName("ShowVoucher").WithSummary("Show one voucher: fields, stamps, status per receiver 查看凭证 (batchQueryAllVoucherStatus)")
            .Produces<VoucherDetail>().ProducesProblem(StatusCodes.Status404NotFound);

        vouchers.MapGet("/{id:long}/stamp-positions", (HttpContext http, long id) =>
            WithVoucher(context, http, id, NodeAction.ReadVouchers, (_, v) => Results.Ok(VoucherViews.Positions(context.Library, v))))
            .WithName("StampPositions").WithSummary("Stamp positions of the voucher's template 签章位置 (queryStampPositionWithName)")
            .Produces<IReadOnlyList<StampPositionView>>().ProducesProblem(StatusCodes.Status404NotFound);

        vouchers.MapGet("/{id:long}/mof", (HttpContext http, long id) =>
            WithVoucher(context, http, id, NodeAction.ExportVoucher, (s, v) =>
            {
                context.Audit(s.Actor.UserId, "export", $"{v.Key}/v{v.Version}", "MOF envelope over HTTP");
                return Results.File(context.Library.Export(v.Id), "application/xml", $"{v.VtCode}-{v.VoucherNo}-v{v.Version}.xml");
            }))
            .WithName("ExportVoucher").WithSummary("Export the MOF envelope (GBK XML) with its stamps 导出凭证报文")
            .Produces(StatusCodes.Status200OK, contentType: "application/xml").ProducesProblem(StatusCodes.Status404NotFound);

        vouchers.MapGet("/{id:long}/pdf", (HttpContext http, long id, bool? archive) =>
            WithVoucher(context, http, id, NodeAction.PrintVoucher, (s, v) =>
            {
                var result = context.Library.Print(v.Id, s.Actor, archive ?? false);
                if (result.Printed is not { } printed)
                {
                    return Problems.Of(result.Rejection, result.Message);
                }

                http.Response.Headers["X-Print-Count"] = printed.PrintNo.ToString(CultureInfo.InvariantCulture);
                return Results.File(printed.Pdf, "application/pdf", $"{v.VtCode}-{v.VoucherNo}-v{v.Version}.pdf");
            }))
            .WithName("PrintVoucher").WithSummary("Print the voucher to PDF; every print is counted 打印凭证 (exportPDF, 可控打印)")
            .WithDescription("The session's person prints: the first print needs PrintVoucher, a reprint (重打) a post that may reprint (ReprintVoucher: 国库股审核, 复核员, 复核), "
                + "else 403 ReprintNotAllowed. The response header X-Print-Count says which print this is (1 the first, more a reprint, marked 第 N 次打印（重打） on every page); "
                + "a voided voucher prints marked 作废; archive=true gives the black-and-white archive print (存档联).")
            .Produces(StatusCodes.Status200OK, contentType: "application/pdf").ProducesProblem(StatusCodes.Status404NotFound);

        vouchers.MapPost("/{id:long}/sign-for", (HttpContext http, long id) =>
            Act(context, http, id, NodeAction.SignFor, (session, s, v) => context.Library.SignFor(session, v.Id, s.Actor.UserId)))
            .WithName("SignForVoucher").WithSummary("Sign for a received voucher 签收 (confirmVoucher)")
            .Produces<VoucherActionResult>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        vouchers.MapPost("/{id:long}/refuse", (HttpContext http, long id, ReasonRequest? request) =>
            Act(context, http, id, NodeAction.Refuse, (session, s, v) => context.Library.Refuse(session, v.Id, s.Actor.UserId, request?.Reason ?? string.Empty)))
            .WithName("RefuseVoucher").WithSummary("Refuse a received voucher with a reason 签收失败 (confirmVoucherFail)")
            .Produces<VoucherActionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        vouchers.MapPost("/{id:long}/return", (HttpContext http, long id, ReasonRequest? request) =>
            Act(context, http, id, NodeAction.Return, (session, s, v) => context.Library.Return(session, v.Id, s.Actor.UserId, request?.Reason ?? string.Empty)))
            .WithName("ReturnVoucher").WithSummary("Return a received voucher to its sender with a reason 退回 (returnVoucher)")
            .Produces<VoucherActionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        vouchers.MapPost("/{id:long}/void", (HttpContext http, long id, ReasonRequest? request) =>
            Act(context, http, id, NodeAction.Void, (session, s, v) => context.Library.Void(session, v.Id, s.Actor.UserId, request?.Reason ?? string.Empty)))
            .WithName("VoidVoucher").WithSummary("Void an own voucher nobody accepted 作废 (discardVoucher)")
            .Produces<VoucherActionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static IResult List(NodeContext context, HttpContext http, string origin, string? vt, string? state, string? from, string? to, long? after, int? limit)
    {
        var session = SessionFilter.SessionOf(http);
        var rejection = context.Authorize(session, NodeAction.ReadVouchers, $"{origin} vouchers", null);
        if (rejection != AuthorizationRejection.None)
        {
            return Problems.Of(rejection, $"{session.Actor.Post} may not read vouchers at {context.Node.Party}");
        }

        if (vt is not null && !VtCode.TryParse(vt, out _)
            || state is not null && !s_states.Contains(state, StringComparer.Ordinal)
            || from is not null && !IsDate(from) || to is not null && !IsDate(to)
            || limit is < 1 or > Limits.ReadBatchMax || after is < 0)
        {
            return Problems.Of(RequestRejection.InvalidRequest,
                $"vt is a VtCode, state one of {string.Join(", ", s_states)}, from/to yyyyMMdd, limit 1–{Limits.ReadBatchMax}, after ≥ 0");
        }

        var size = limit ?? Limits.ReadBatchMax;
        var rows = context.Library.Query(new VoucherQuery(origin, vt, state, from, to, session.Actor.AgencyCode, after ?? 0, size, session.Actor.AdmDivCode));
        return Results.Ok(new VoucherPage([.. rows.Select(VoucherViews.Summary)], rows.Count == size ? rows[^1].Id : null));
    }

    private static IResult WithVoucher(NodeContext context, HttpContext http, long id, NodeAction action, Func<NodeSession, StoredVoucher, IResult> work)
    {
        var session = SessionFilter.SessionOf(http);
        var voucher = context.Library.Find(id);
        var subject = voucher is null ? $"voucher {id}" : $"{voucher.Key}/v{voucher.Version}";
        var rejection = context.Authorize(session, action, subject, voucher?.Scope);
        if (rejection != AuthorizationRejection.None)
        {
            return Problems.Of(rejection, $"{session.Actor.UserId} ({session.Actor.Post}) may not {action} {subject}");
        }

        if (voucher is null)
        {
            return Problems.Of(LibraryRejection.NotFound, $"no voucher {id} at {context.Node.Party}");
        }

        // Shown, exported, printed or acted on only when its bytes, columns and stamps agree.
        var integrity = context.Library.CheckIntegrity(voucher);
        return integrity.Intact ? work(session, voucher) : Problems.Of(LibraryRejection.Tampered, integrity.ToString());
    }

    private static IResult Act(NodeContext context, HttpContext http, long id, NodeAction action, Func<LibrarySession, NodeSession, StoredVoucher, LibraryResult> operation) =>
        WithVoucher(context, http, id, action, (s, v) =>
        {
            var result = context.Library.Run(session => operation(session, s, v));
            return result.Ok
                ? Results.Ok(new VoucherActionResult(v.Id, context.Library.Find(v.Id)!.State))
                : Problems.Of(result.Rejection, result.Message);
        });

    private static bool IsDate(string text) =>
        DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
