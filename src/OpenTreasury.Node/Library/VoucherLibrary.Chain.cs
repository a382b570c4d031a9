using Dapper;

namespace OpenTreasury.Node.Library;

/// <summary>
/// One voucher of a void-and-reissue chain: the number, its state at this node and its status at each
/// receiving party (5 returned, 99 voided, 12 回单 arrived, …), and the reason it was returned or voided.
/// </summary>
public sealed record ChainEntry(long VoucherId, string VoucherNo, string State, string? Reason, IReadOnlyList<DeliveryState> Deliveries);

public sealed partial class VoucherLibrary
{
    /// <summary>Link kind: the voucher issued under a new number in place of a returned and voided one.</summary>
    public const string ReissueLink = "reissue";

    /// <summary>Link kind: a refund (e.g. 3208) of an earlier voucher (e.g. 5207).</summary>
    public const string RefundLink = "refund";

    /// <summary>
    /// Records a link between two vouchers of this node in the caller's transaction (with the business
    /// effect that made it). A voucher is reissued at most once, and a reissue replaces at most one voucher.
    /// </summary>
    public static void Link(LibrarySession session, long fromVoucherId, long toVoucherId, string kind)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Connection.Execute(
            "INSERT INTO voucher_links (from_voucher_id, to_voucher_id, kind, created_at) VALUES (@fromVoucherId, @toVoucherId, @kind, @now)",
            new { fromVoucherId, toVoucherId, kind, now = session.NowText },
            session.Transaction);
    }

    /// <summary>The voucher a reissue link leads to from <paramref name="voucherId"/>, if any.</summary>
    public static long? ReissuedAs(LibrarySession session, long voucherId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.ExecuteScalar<long?>(
            "SELECT to_voucher_id FROM voucher_links WHERE from_voucher_id = @voucherId AND kind = 'reissue'",
            new { voucherId }, session.Transaction);
    }

    /// <summary>
    /// The void-and-reissue chain a voucher number belongs to, from the first number to the last, each
    /// with its state and delivery status: original → returned → voided → reissued (→ …). Asked with any
    /// number of the chain it answers the same list; an own voucher never reissued is a chain of one;
    /// a number this node never issued gives an empty list.
    /// </summary>
    public IReadOnlyList<ChainEntry> Chain(string vtCode, string voucherNo)
    {
        using var connection = database.Connect();
        var start = connection.QueryFirstOrDefault<long?>(
            "SELECT id FROM vouchers WHERE origin = 'own' AND sender = @sender AND vt_code = @vtCode AND voucher_no = @voucherNo AND flag = 0 ORDER BY id LIMIT 1",
            new { sender = Party.ToString(), vtCode, voucherNo });
        if (start is not { } id)
        {
            return [];
        }

        var seen = new HashSet<long> { id };
        while (connection.QueryFirstOrDefault<long?>(
            "SELECT from_voucher_id FROM voucher_links WHERE to_voucher_id = @id AND kind = 'reissue'", new { id }) is { } previous && seen.Add(previous))
        {
            id = previous;
        }

        var chain = new List<ChainEntry>();
        seen.Clear();
        for (long? next = id; next is { } current && seen.Add(current);
             next = connection.QueryFirstOrDefault<long?>("SELECT to_voucher_id FROM voucher_links WHERE from_voucher_id = @current AND kind = 'reissue'", new { current }))
        {
            var voucher = connection.QuerySingle<StoredVoucher>($"{SelectVoucher} WHERE id = @current", new { current });
            chain.Add(new ChainEntry(voucher.Id, voucher.VoucherNo, voucher.State, voucher.Reason, DeliveriesOf(connection, null, voucher.Id)));
        }

        return chain;
    }
}
