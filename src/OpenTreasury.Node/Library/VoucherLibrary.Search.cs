using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Library;

/// <summary>
/// A search of the library (凭证查询管理, seed 五.1): every filter optional. Dates are VouDate as stored
/// (yyyyMMdd, inclusive); amounts in fen, inclusive; <paramref name="Counterparty"/> is the sender of a
/// received voucher or a receiver of an own one; <paramref name="Category"/> the catalogue's class
/// (凭证分类). Pages count from 1 and hold at most <see cref="Limits.SearchPageSizeMax"/> vouchers.
/// </summary>
public sealed record VoucherSearch(
    string? VtCode = null,
    VoucherCategory? Category = null,
    string? State = null,
    string? FromDate = null,
    string? ToDate = null,
    string? AgencyCode = null,
    string? Counterparty = null,
    long? MinAmountFen = null,
    long? MaxAmountFen = null,
    string? Origin = null,
    int Page = 1,
    int PageSize = Limits.SearchPageSizeMax,
    string? AdmDivCode = null)
{
    /// <summary>
    /// The statuses the search takes: a stored voucher's state (the vouchers table's CHECK), and for an own
    /// voucher also what its receiver did with it (its delivery status, seed 五.1 状态码): an own 8202 the
    /// bank signed for is <c>signed_for</c> though its own state is <c>sent</c>; <c>reply_arrived</c> when
    /// its 回单 came back.
    /// </summary>
    public static IReadOnlyList<string> States { get; } =
        ["draft", "approved", "signed", "sent", "voided", "received", "signed_for", "refused", "returned", "reply_arrived"];

    /// <summary>An optional amount bound in yuan with two decimals (the wire's form) as the search takes it, in fen; false when it is not one.</summary>
    public static bool TryAmountBound(string? yuan, out long? fen)
    {
        fen = null;
        if (yuan is null)
        {
            return true;
        }

        if (!Domain.Money.Amount.TryParseWire(yuan, out var amount))
        {
            return false;
        }

        fen = amount.Fen;
        return true;
    }

    /// <summary>The delivery status an own voucher's receiver gave it, for the statuses that have one.</summary>
    public static VoucherStatus? DeliveryStatusOf(string? state) => state switch
    {
        "received" => VoucherStatus.Received,
        "signed_for" => VoucherStatus.SignedFor,
        "refused" => VoucherStatus.SignForFailed,
        "returned" => VoucherStatus.Returned,
        "reply_arrived" => VoucherStatus.ReplyArrived,
        _ => null,
    };
}

/// <summary>One page of a search: its vouchers in id order and how many match in all.</summary>
public sealed record VoucherSearchPage(IReadOnlyList<StoredVoucher> Vouchers, long Total, int Page, int PageSize)
{
    /// <summary>Pages in all (at least 1, so an empty result is "page 1 of 1").</summary>
    public long Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed partial class VoucherLibrary
{
    private const string SearchWhere = """
        WHERE (@Origin IS NULL OR origin = @Origin)
          AND (@VtCode IS NULL OR vt_code = @VtCode)
          AND (@State IS NULL OR state = @State
               OR (origin = 'own' AND @DeliveryStatus IS NOT NULL AND EXISTS (SELECT 1 FROM deliveries d WHERE d.voucher_id = vouchers.id AND d.status = @DeliveryStatus)))
          AND (@FromDate IS NULL OR vou_date >= @FromDate)
          AND (@ToDate IS NULL OR vou_date <= @ToDate)
          AND (@AgencyCode IS NULL OR agency_code = @AgencyCode)
          AND (@AdmDivCode IS NULL OR adm_div_code = @AdmDivCode)
          AND (@MinAmountFen IS NULL OR amount_fen >= @MinAmountFen)
          AND (@MaxAmountFen IS NULL OR amount_fen <= @MaxAmountFen)
          AND (@Counterparty IS NULL
               OR (origin = 'received' AND sender = @Counterparty)
               OR (origin = 'own' AND EXISTS (SELECT 1 FROM deliveries d WHERE d.voucher_id = vouchers.id AND d.receiver = @Counterparty)))
        """;

    /// <summary>
    /// One page of the vouchers that match, in id order (stable across pages), with the total that match:
    /// one parameterised query each, the filtering, counting and paging done by the database.
    /// </summary>
    public VoucherSearchPage Search(VoucherSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        var pageSize = Math.Clamp(search.PageSize, 1, Limits.SearchPageSizeMax);
        var page = Math.Max(1, search.Page);
        // A category is the catalogue's list of VtCodes: an IN list Dapper expands into parameters.
        var types = search.Category is { } category
            ? VoucherCatalogue.All.Where(t => t.Category == category).Select(t => t.VtCode.Value).ToArray()
            : null;
        var where = types is null ? SearchWhere : $"{SearchWhere}\n  AND vt_code IN @types";
        var parameters = new
        {
            search.Origin,
            search.VtCode,
            search.State,
            DeliveryStatus = VoucherSearch.DeliveryStatusOf(search.State) is { } status ? (int?)status : null,
            search.FromDate,
            search.ToDate,
            search.AgencyCode,
            search.AdmDivCode,
            search.MinAmountFen,
            search.MaxAmountFen,
            search.Counterparty,
            types,
            limit = pageSize,
            offset = (long)(page - 1) * pageSize,
        };
        using var connection = database.Connect();
        // One read transaction: the total and the page are of the same snapshot, whatever is written meanwhile.
        using var read = connection.BeginTransaction();
        var total = connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM vouchers {where}", parameters, read);
        var vouchers = connection.Query<StoredVoucher>($"{SelectVoucher} {where} ORDER BY id LIMIT @limit OFFSET @offset", parameters, read).ToList();
        read.Commit();
        return new VoucherSearchPage(vouchers, total, page, pageSize);
    }
}
