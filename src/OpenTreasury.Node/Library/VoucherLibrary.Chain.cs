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

    /// <summary>
    /// Reissues an own voucher its receiver returned (or refused): voids it if needed, issues the same
    /// content under <paramref name="newVoucherNo"/> (after <paramref name="amend"/> corrects what was
    /// wrong) to the same receivers, entered and approved by two people, and links the two, all in the
    /// caller's transaction. Nothing is edited in place; a rerun carries the reissue on.
    /// </summary>
    public LibraryResult Reissue(LibrarySession session, long returnedId, string newVoucherNo, Func<Domain.Vouchers.Voucher, Domain.Vouchers.Voucher> amend, People.Signer maker, People.Signer checker, string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(amend);
        ArgumentNullException.ThrowIfNull(maker);
        var returned = Find(session, returnedId);
        if (returned is null || returned.Origin != "own" || returned.IsReply)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {returnedId} at {Party}");
        }

        if (ReissuedAs(session, returnedId) is { } already)
        {
            var existing = Find(session, already)!;
            return existing.VoucherNo == newVoucherNo
                ? Complete(session, already, maker, checker)
                : LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{returned.Key} was already reissued as {existing.VoucherNo}", returnedId);
        }

        if (returned.State != "voided")
        {
            var voided = Void(session, returnedId, checker.UserId, reason);
            if (!voided.Ok)
            {
                return voided;
            }
        }

        var receivers = DeliveriesOf(session.Connection, session.Transaction, returnedId).Select(d => Domain.Parties.PartyId.Parse(d.Receiver)).ToList();
        var content = amend(returned.Content).With("VoucherNo", newVoucherNo);
        if (content["Id"] == returned.VoucherNo)
        {
            content = content.With("Id", newVoucherNo);
        }

        var issued = Issue(session, content, receivers, maker, checker, $"重开: 原凭证 {returned.VoucherNo}");
        if (issued.Ok)
        {
            Link(session, returnedId, issued.VoucherId, ReissueLink);
            session.Audit(maker.UserId, "reissue", returned.Key.ToString(), $"as {newVoucherNo}: {reason}");
        }

        return issued;
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
    /// a number this node never issued gives an empty list. <paramref name="admDivCode"/> names the division when the
    /// number is used in more than one (the first issued under it otherwise).
    /// </summary>
    public IReadOnlyList<ChainEntry> Chain(string vtCode, string voucherNo, string? admDivCode = null)
    {
        using var connection = database.Connect();
        var start = connection.QueryFirstOrDefault<long?>(
            """
            SELECT id FROM vouchers WHERE origin = 'own' AND sender = @sender AND vt_code = @vtCode AND voucher_no = @voucherNo AND flag = 0
              AND (@adm IS NULL OR adm_div_code = @adm) ORDER BY id LIMIT 1
            """,
            new { sender = Party.ToString(), vtCode, voucherNo, adm = admDivCode });
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
