using Dapper;
using OpenTreasury.Domain;

namespace OpenTreasury.Node.Library;

/// <summary>
/// What to read from the library: own or received vouchers, optionally of one VtCode, one state, a
/// range of voucher dates (yyyyMMdd, inclusive) and one budget unit, after a cursor (the last id read).
/// </summary>
public sealed record VoucherQuery(
    string Origin,
    string? VtCode = null,
    string? State = null,
    string? FromDate = null,
    string? ToDate = null,
    string? AgencyCode = null,
    long AfterId = 0,
    int Limit = Limits.ReadBatchMax);

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Reads vouchers in id order, at most <see cref="Limits.ReadBatchMax"/> a call; the caller continues
    /// after the last id it got. A unit's people pass their AgencyCode, so they see only their unit's.
    /// </summary>
    public IReadOnlyList<StoredVoucher> Query(VoucherQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, Limits.ReadBatchMax);
        using var connection = database.Connect();
        return [.. connection.Query<StoredVoucher>(
            $"""
            {SelectVoucher}
            WHERE origin = @Origin AND id > @AfterId
              AND (@VtCode IS NULL OR vt_code = @VtCode)
              AND (@State IS NULL OR state = @State)
              AND (@FromDate IS NULL OR vou_date >= @FromDate)
              AND (@ToDate IS NULL OR vou_date <= @ToDate)
              AND (@AgencyCode IS NULL OR agency_code = @AgencyCode)
            ORDER BY id LIMIT @limit
            """,
            new { query.Origin, query.AfterId, query.VtCode, query.State, query.FromDate, query.ToDate, query.AgencyCode, limit })];
    }
}
