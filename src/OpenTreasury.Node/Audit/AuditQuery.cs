using System.Data.Common;
using Dapper;
using OpenTreasury.Domain;

namespace OpenTreasury.Node.Audit;

/// <summary>One entry of a node's audit chain as a query returns it.</summary>
public sealed record AuditEntry
{
    public long Seq { get; init; }

    public required string At { get; init; }

    public required string Actor { get; init; }

    public required string Operation { get; init; }

    public required string Subject { get; init; }

    public required string Detail { get; init; }

    public required string Hash { get; init; }
}

/// <summary>
/// What to look for in the audit chain (信息审计): entries about one voucher (its VtCode and number, in any of the
/// subjects the library writes: the key, the key and a stamp position, a message id, a desk's <c>VT:NO</c>), by one person, of one operation,
/// between two days (UTC, inclusive; yyyy-MM-dd). Every filter optional.
/// </summary>
public sealed record AuditFilter(
    string? VtCode = null,
    string? VoucherNo = null,
    string? Actor = null,
    string? Operation = null,
    DateOnly? From = null,
    DateOnly? To = null);

/// <summary>Reads the audit chain with a filter, in sequence order, at most <see cref="Limits.AuditQueryRowsMax"/> entries.</summary>
public static class AuditQuery
{
    public static IReadOnlyList<AuditEntry> Find(DbConnection connection, AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(filter);
        var voucher = filter.VtCode is not null && filter.VoucherNo is not null;
        var vt = Escape(filter.VtCode ?? string.Empty);
        var no = Escape(filter.VoucherNo ?? string.Empty);
        return [.. connection.Query<AuditEntry>(
            """
            SELECT seq AS Seq, at AS At, actor AS Actor, operation AS Operation, subject AS Subject, detail AS Detail, hash AS Hash
            FROM audit
            WHERE (@voucher = 0 OR subject LIKE @keyLike ESCAPE '\' OR subject LIKE @versionLike ESCAPE '\' OR subject LIKE @positionLike ESCAPE '\' OR subject = @deskSubject)
              AND (@Actor IS NULL OR actor = @Actor)
              AND (@Operation IS NULL OR operation = @Operation)
              AND (@from IS NULL OR at >= @from)
              AND (@before IS NULL OR at < @before)
            ORDER BY seq LIMIT @limit
            """,
            new
            {
                voucher = voucher ? 1 : 0,
                keyLike = $"%{vt}/%/{no}",
                versionLike = $"%{vt}/%/{no}/v%",
                positionLike = $"%{vt}/%/{no} %",
                deskSubject = $"{filter.VtCode}:{filter.VoucherNo}",
                filter.Actor,
                filter.Operation,
                from = filter.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                before = filter.To?.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                limit = Limits.AuditQueryRowsMax,
            })];
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
