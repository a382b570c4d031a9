using Dapper;
using OpenTreasury.Domain;

namespace OpenTreasury.Node.Library;

/// <summary>
/// What to read from the library: own or received vouchers, optionally of one VtCode, one state, a
/// range of voucher dates (yyyyMMdd, inclusive), one budget unit and one division, after a cursor (the last id read).
/// </summary>
public sealed record VoucherQuery(
    string Origin,
    string? VtCode = null,
    string? State = null,
    string? FromDate = null,
    string? ToDate = null,
    string? AgencyCode = null,
    long AfterId = 0,
    int Limit = Limits.ReadBatchMax,
    string? AdmDivCode = null);

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// A number that grows with every change to this library (its audit chain's last sequence): a desk polls it
    /// and refreshes its lists when it moved.
    /// </summary>
    public long ChangeMark()
    {
        using var connection = database.Connect();
        return connection.ExecuteScalar<long>("SELECT COALESCE(MAX(seq), 0) FROM audit");
    }

    /// <summary>
    /// Reads vouchers in id order, at most <see cref="Limits.ReadBatchMax"/> a call; the caller continues
    /// after the last id it got. A unit's people pass their AgencyCode, so they see only their unit's; a person of one
    /// division their AdmDivCode.
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
              AND (@AdmDivCode IS NULL OR adm_div_code = @AdmDivCode)
            ORDER BY id LIMIT @limit
            """,
            new { query.Origin, query.AfterId, query.VtCode, query.State, query.FromDate, query.ToDate, query.AgencyCode, query.AdmDivCode, limit })];
    }

    /// <summary>
    /// The newest vouchers of one direction (own or received), optionally of some VtCodes, one unit and one division,
    /// newest first, at most <see cref="Limits.ReadBatchMax"/>.
    /// </summary>
    public IReadOnlyList<StoredVoucher> Latest(string origin, IReadOnlyCollection<string>? vtCodes = null, string? agencyCode = null, string? admDivCode = null, int limit = Limits.ReadBatchMax)
    {
        ArgumentNullException.ThrowIfNull(origin);
        limit = Math.Clamp(limit, 1, Limits.ReadBatchMax);
        var codes = vtCodes?.ToArray() ?? [];
        using var connection = database.Connect();
        return [.. connection.Query<StoredVoucher>(
            $"""
            {SelectVoucher}
            WHERE origin = @origin
              AND (@all OR vt_code IN @codes)
              AND (@agencyCode IS NULL OR agency_code = @agencyCode)
              AND (@admDivCode IS NULL OR adm_div_code = @admDivCode)
            ORDER BY id DESC LIMIT @limit
            """,
            new { origin, all = codes.Length == 0, codes, agencyCode, admDivCode, limit })];
    }
}
