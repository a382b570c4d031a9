using System.Data;
using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Statements;

/// <summary>One voucher statement (3501/3502/4004/4005) received and checked against the own library.</summary>
public sealed record StatementCheck(
    string StatementVtCode, string StatementNo, string CheckDate, string? EVoucherType, bool Balanced, int MismatchCount, string Mismatches)
{
    /// <summary>The division (行政区划) the statement is of: PBOC sends one set of statements per division.</summary>
    public string AdmDivCode { get; init; } = string.Empty;
}

/// <summary>
/// The voucher statement as each library sees it (shared by PBOC, Finance and the banks), the check of a
/// received statement, and the record kept of it.
/// </summary>
internal static class VoucherStatements
{
    public static readonly string[] Types = ["3501", "3502", "4004", "4005"];

    // The statements themselves, and the clearing statements with their answers, are never listed on one.
    private static readonly string[] s_notListed = ["3501", "3502", "3507", "4004", "4005", "5507", "2507"];

    /// <summary>
    /// The vouchers of division <paramref name="admDivCode"/> and <paramref name="date"/> (their VouDate) exchanged between
    /// this node and <paramref name="counterpart"/>, ordered by type and number, each with a status both sides can read
    /// from their own library: for a voucher sent, its status at the receiver (0 sent, 1 received, 3 signed
    /// for, 4 refused, 5 returned, 12 回单 arrived, 99 voided); for one received, what this node did with it
    /// (1, 3, 4, 5, or 12 when it answered with its 回单); a 回单 passed on to a party that did not send
    /// the voucher (PBOC's 2301 回单 to Finance) is 12 on both sides. The amount is the voucher's header amount.
    /// </summary>
    public static IReadOnlyList<(string VtCode, ReconLine Line)> Lines(IDbConnection connection, IDbTransaction? transaction, PartyId self, PartyId counterpart, string admDivCode, DateOnly date)
    {
        var args = new { self = self.ToString(), cp = counterpart.ToString(), adm = admDivCode, date = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) };
        const string SameKey = "x.adm_div_code = v.adm_div_code AND x.st_year = v.st_year AND x.vt_code = v.vt_code AND x.voucher_no = v.voucher_no";
        var rows = connection.Query<Row>(
            $"""
            SELECT v.vt_code AS VtCode, v.voucher_no AS VoucherNo, COALESCE(v.amount_fen, 0) AS AmountFen, CAST(d.status AS TEXT) AS State
            FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id AND d.receiver = @cp
            WHERE v.origin = 'own' AND v.flag = 0 AND v.adm_div_code = @adm AND v.vou_date = @date
              AND EXISTS (SELECT 1 FROM outbox o WHERE o.voucher_id = v.id AND o.kind = 'voucher' AND o.receiver = @cp)
            UNION ALL
            SELECT v.vt_code, v.voucher_no, COALESCE(v.amount_fen, 0),
                   CASE v.state WHEN 'received' THEN '1' WHEN 'refused' THEN '4' WHEN 'returned' THEN '5'
                        ELSE CASE WHEN EXISTS (SELECT 1 FROM vouchers x WHERE x.origin = 'own' AND x.flag = 1 AND x.state = 'sent' AND {SameKey}) THEN '12' ELSE '3' END
                   END
            FROM vouchers v
            WHERE v.origin = 'received' AND v.flag = 0 AND v.sender = @cp AND v.adm_div_code = @adm AND v.vou_date = @date
            UNION ALL
            SELECT v.vt_code, v.voucher_no, COALESCE(v.amount_fen, 0), '12'
            FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id AND d.receiver = @cp
            WHERE v.origin = 'own' AND v.flag = 1 AND v.state = 'sent' AND v.adm_div_code = @adm AND v.vou_date = @date
              AND NOT EXISTS (SELECT 1 FROM vouchers x WHERE x.origin = 'received' AND x.flag = 0 AND x.sender = @cp AND {SameKey})
            UNION ALL
            SELECT v.vt_code, v.voucher_no, COALESCE(v.amount_fen, 0), '12'
            FROM vouchers v
            WHERE v.origin = 'received' AND v.flag = 1 AND v.sender = @cp AND v.adm_div_code = @adm AND v.vou_date = @date
              AND NOT EXISTS (SELECT 1 FROM vouchers x WHERE x.origin = 'own' AND x.flag = 0 AND x.sender = @self AND {SameKey})
            """,
            args, transaction);
        return [.. rows
            .Where(r => !s_notListed.Contains(r.VtCode, StringComparer.Ordinal))
            .OrderBy(r => r.VtCode, StringComparer.Ordinal).ThenBy(r => r.VoucherNo, StringComparer.Ordinal)
            .Select(r => (r.VtCode, new ReconLine(r.VoucherNo, new Amount(r.AmountFen), r.State)))];
    }

    /// <summary>
    /// Checks a received 3501/3502 (line by line, for its voucher type) or 4004/4005 (count and total per
    /// type) against this node's own library with PBOC, keeps the result and signs for the statement, all
    /// in the caller's transaction. A statement that does not balance is signed for all the same: what
    /// differs is recorded to be looked into, not refused.
    /// </summary>
    public static LibraryResult Check(VoucherLibrary library, LibrarySession session, StoredVoucher statement, string actor)
    {
        var content = statement.Content;
        var checkDate = content.Require("CheckDate");
        var date = DateOnly.ParseExact(checkDate, "yyyyMMdd", CultureInfo.InvariantCulture);
        var ours = Lines(session.Connection, session.Transaction, library.Party, statement.SenderParty, statement.AdmDivCode, date);
        string? type = null;
        IReadOnlyList<VoucherMismatch> mismatches;
        if (statement.VtCode is "3501" or "3502")
        {
            type = content.Require("EVoucherType");
            var theirs = content.Details.Select(d => new ReconLine(d["VoucherNo"]!, Amount.ParseWire(d["Amt"]!), d["ProState"]!)).ToList();
            var found = VoucherReconciliation.Compare(theirs, [.. ours.Where(l => l.VtCode == type).Select(l => l.Line)]).ToList();
            var allNum = int.Parse(content.Require("AllNum"), NumberStyles.None, CultureInfo.InvariantCulture);
            if (allNum != theirs.Count)
            {
                found.Insert(0, new(VoucherMismatchKind.CountDiffers, type, Num(allNum), Num(theirs.Count)));
            }

            mismatches = found;
        }
        else
        {
            var theirs = content.Details.Select(d => new TypeTotal(
                d["EVoucherType"]!, int.Parse(d["AllNum"]!, NumberStyles.None, CultureInfo.InvariantCulture), Amount.ParseWire(d["AllAmt"]!))).ToList();
            mismatches = VoucherReconciliation.CompareTotals(theirs, VoucherReconciliation.Totals(ours));
        }

        var text = VoucherReconciliation.Describe(mismatches);
        session.Connection.Execute(
            """
            INSERT INTO voucher_reconciliations (adm_div_code, st_year, vt_code, voucher_no, voucher_id, check_date, e_voucher_type, balanced, mismatch_count, mismatches, checked_at)
            VALUES (@adm, @year, @vt, @no, @id, @checkDate, @type, @balanced, @count, @text, @now)
            """,
            new
            {
                adm = statement.AdmDivCode,
                year = statement.StYear,
                vt = statement.VtCode,
                no = statement.VoucherNo,
                id = statement.Id,
                checkDate,
                type,
                balanced = mismatches.Count == 0 ? 1 : 0,
                count = mismatches.Count,
                text,
                now = session.NowText,
            },
            session.Transaction);
        session.Audit(actor, "reconcile", statement.Key.ToString(),
            mismatches.Count == 0 ? $"{checkDate} {type ?? "*"}: balanced" : $"{checkDate} {type ?? "*"}: {mismatches.Count} mismatches");
        return library.SignFor(session, statement.Id, actor);
    }

    /// <summary>The statements checked, optionally of one day, in the order received.</summary>
    public static IReadOnlyList<StatementCheck> Read(VoucherLibrary library, DateOnly? date)
    {
        using var connection = library.Database.Connect();
        return [.. connection.Query<CheckRow>(
            """
            SELECT adm_div_code AS AdmDivCode, vt_code AS StatementVtCode, voucher_no AS StatementNo, check_date AS CheckDate, e_voucher_type AS EVoucherType,
                   balanced AS Balanced, mismatch_count AS MismatchCount, mismatches AS Mismatches
            FROM voucher_reconciliations WHERE @date IS NULL OR check_date = @date ORDER BY voucher_id
            """,
            new { date = date?.ToString("yyyyMMdd", CultureInfo.InvariantCulture) })
            .Select(r => new StatementCheck(r.StatementVtCode, r.StatementNo, r.CheckDate, r.EVoucherType, r.Balanced == 1, (int)r.MismatchCount, r.Mismatches) { AdmDivCode = r.AdmDivCode })];
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    // Classes mapped by name: SQLite types the columns of an empty result as blobs, which breaks positional records.
    private sealed class Row
    {
        public string VtCode { get; init; } = string.Empty;

        public string VoucherNo { get; init; } = string.Empty;

        public long AmountFen { get; init; }

        public string State { get; init; } = string.Empty;
    }

    private sealed class CheckRow
    {
        public string AdmDivCode { get; init; } = string.Empty;

        public string StatementVtCode { get; init; } = string.Empty;

        public string StatementNo { get; init; } = string.Empty;

        public string CheckDate { get; init; } = string.Empty;

        public string? EVoucherType { get; init; }

        public long Balanced { get; init; }

        public long MismatchCount { get; init; }

        public string Mismatches { get; init; } = string.Empty;
    }
}
