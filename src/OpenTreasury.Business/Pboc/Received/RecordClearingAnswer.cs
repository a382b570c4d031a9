using System.Globalization;
using Dapper;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc.Received;

/// <summary>
/// 清算信息对账: Finance's 5507 or a bank's 2507 answer to PBOC's 3507 (line by line, XCheckResult 0 match /
/// 1 mismatch): record what the counterpart found and sign for the answer, in the same transaction.
/// </summary>
internal static class RecordClearingAnswer
{
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher answer)
    {
        var library = shift.Pboc.Library;
        var expected = answer.SenderParty == PartyId.Finance ? "5507" : "2507";
        if (answer.VtCode != expected)
        {
            return library.Refuse(session, answer.Id, PbocContext.Bookkeeper, PbocRejection.WrongSender.Say($"{answer.VtCode} 不应由 {answer.Sender} 发送"));
        }

        var content = answer.Content;
        var result = int.Parse(content.Require("XCheckResult"), NumberStyles.None, CultureInfo.InvariantCulture);
        var diff = int.Parse(content["XDiffNum"] ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
        session.Connection.Execute(
            """
            INSERT INTO pboc_clearing_reconciliations (adm_div_code, st_year, statement_no, party, vt_code, voucher_id, x_check_result, x_diff_num, recorded_at)
            VALUES (@adm, @year, @no, @party, @vt, @id, @result, @diff, @now)
            ON CONFLICT (adm_div_code, st_year, statement_no, party) DO UPDATE SET
                vt_code = excluded.vt_code, voucher_id = excluded.voucher_id, x_check_result = excluded.x_check_result,
                x_diff_num = excluded.x_diff_num, recorded_at = excluded.recorded_at
            """,
            new { adm = answer.AdmDivCode, year = answer.StYear, no = answer.VoucherNo, party = answer.Sender, vt = answer.VtCode, id = answer.Id, result, diff, now = session.NowText },
            session.Transaction);
        session.Audit(PbocContext.Bookkeeper, "clearing-reconciliation", answer.Key.ToString(), result == 0 ? "match" : $"{diff} lines differ");
        return library.SignFor(session, answer.Id, PbocContext.Bookkeeper);
    }

    /// <summary>The answers (5507/2507) to PBOC's 3507s recorded so far, in the order received.</summary>
    public static IReadOnlyList<ClearingAnswer> Read(VoucherLibrary library)
    {
        using var connection = library.Database.Connect();
        return [.. connection.Query<AnswerRow>(
            """
            SELECT statement_no AS StatementNo, party AS Party, vt_code AS VtCode, x_check_result AS XCheckResult, x_diff_num AS XDiffNum
            FROM pboc_clearing_reconciliations ORDER BY voucher_id
            """)
            .Select(r => new ClearingAnswer(r.StatementNo, r.Party, r.VtCode, (int)r.XCheckResult, (int)r.XDiffNum))];
    }

    private sealed class AnswerRow
    {
        public string StatementNo { get; init; } = string.Empty;

        public string Party { get; init; } = string.Empty;

        public string VtCode { get; init; } = string.Empty;

        public long XCheckResult { get; init; }

        public long XDiffNum { get; init; }
    }
}
