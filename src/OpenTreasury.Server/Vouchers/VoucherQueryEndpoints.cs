using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Server.Auth;

namespace OpenTreasury.Server.Vouchers;

/// <summary>One voucher a search found, with the class (凭证分类) the catalogue files its type under.</summary>
public sealed record VoucherSearchItem(
    long Id, string VtCode, string VtName, string Category, string CategoryName, string VoucherNo, long Version, bool Reply,
    string Origin, string Sender, string State, string? Amount, string VouDate, string? AgencyCode);

/// <summary>One page of a search and how many vouchers match in all.</summary>
public sealed record VoucherSearchResult(IReadOnlyList<VoucherSearchItem> Items, long Total, int Page, long Pages, int PageSize);

/// <summary>
/// The library's search over HTTP (凭证查询管理): own and received vouchers by type or class, state, date,
/// unit, counterparty and amount, a page of at most <see cref="Limits.SearchPageSizeMax"/> at a time. A person
/// who may read vouchers may search; a unit's people find only their unit's.
/// </summary>
public static class VoucherQueryEndpoints
{
    public static void Map(IEndpointRouteBuilder app, NodeContext context)
    {
        var vouchers = app.MapGroup("/vouchers").WithTags("Vouchers 凭证库").AddEndpointFilter(new SessionFilter(context))
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        vouchers.MapGet("/search", (HttpContext http, string? origin, string? vt, string? category, string? state, string? from, string? to,
                string? agency, string? counterparty, string? minAmount, string? maxAmount, int? page, int? pageSize) =>
            Search(context, http, new SearchRequest(origin, vt, category, state, from, to, agency, counterparty, minAmount, maxAmount, page, pageSize)))
            .WithName("SearchVouchers").WithSummary("Search the library 凭证查询")
            .WithDescription($"Own and received vouchers in id order, page (from 1) of pageSize (1–{Limits.SearchPageSizeMax}) with the total that match. "
                + "Filters: origin (own, received), vt (VtCode), category (凭证分类), state, from/to (VouDate yyyyMMdd), agency, counterparty (sender or receiver), minAmount/maxAmount (yuan, two decimals). A unit's people find only their unit's.")
            .Produces<VoucherSearchResult>().ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static IResult Search(NodeContext context, HttpContext http, SearchRequest request)
    {
        var session = SessionFilter.SessionOf(http);
        var rejection = context.Authorize(session, NodeAction.ReadVouchers, "voucher search", null);
        if (rejection != AuthorizationRejection.None)
        {
            return Problems.Of(rejection, $"{session.Actor.Post} may not read vouchers at {context.Node.Party}");
        }

        VoucherCategory? category = null;
        if (request.Category is not null)
        {
            if (!VoucherCategories.TryParse(request.Category, out var parsed))
            {
                return Invalid();
            }

            category = parsed;
        }

        if (request.Origin is not (null or "own" or "received")
            || request.Vt is not null && !VoucherCatalogue.TryGet(request.Vt, out _)
            || request.State is not null && !VoucherSearch.States.Contains(request.State)
            || request.From is not null && !IsDate(request.From) || request.To is not null && !IsDate(request.To)
            || !VoucherSearch.TryAmountBound(request.MinAmount, out var min) || !VoucherSearch.TryAmountBound(request.MaxAmount, out var max)
            || request.Page is < 1 || request.PageSize is < 1 or > Limits.SearchPageSizeMax)
        {
            return Invalid();
        }

        // A unit's people search within their unit, a division's people within their division, whatever they ask for.
        var agency = session.Actor.AgencyCode ?? request.Agency;
        var found = context.Library.Search(new VoucherSearch(
            request.Vt, category, request.State, request.From, request.To, agency, request.Counterparty, min, max, request.Origin,
            request.Page ?? 1, request.PageSize ?? Limits.SearchPageSizeMax, session.Actor.AdmDivCode));
        return Results.Ok(new VoucherSearchResult(
            [.. found.Vouchers.Select(v => new VoucherSearchItem(
                v.Id, v.VtCode, v.Type.Name, VoucherCategories.Name(v.Type.Category), VoucherCategories.Chinese(v.Type.Category), v.VoucherNo, v.Version, v.IsReply,
                v.Origin, v.Sender, v.State, v.AmountFen is { } fen ? new Amount(fen).ToWire() : null, v.VouDate, v.AgencyCode))],
            found.Total, found.Page, found.Pages, found.PageSize));
    }

    private static IResult Invalid() =>
        Problems.Of(RequestRejection.InvalidRequest,
            $"origin is own or received, vt a VtCode of the catalogue, category one of {string.Join(", ", Enum.GetValues<VoucherCategory>().Select(VoucherCategories.Name))}, "
            + $"state one of {string.Join(", ", VoucherSearch.States)}, from/to yyyyMMdd, minAmount/maxAmount yuan with two decimals, page ≥ 1, pageSize 1–{Limits.SearchPageSizeMax}");


    private static bool IsDate(string text) =>
        DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private sealed record SearchRequest(
        string? Origin, string? Vt, string? Category, string? State, string? From, string? To, string? Agency, string? Counterparty,
        string? MinAmount, string? MaxAmount, int? Page, int? PageSize);
}
