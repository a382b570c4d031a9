using System.Globalization;
using Dapper;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// 清算信息对账 at PBOC: for a period it lists every cleared 2301 per unit × functional class — what was
/// cleared, the clearing quota issued and what is left of it — in a 3507 to Finance (all banks) and to
/// each bank (its own). Finance answers with a 5507, each bank with a 2507 (line by line, XCheckResult
/// 0 match / 1 mismatch); PBOC signs for the answer and records it.
/// </summary>
public sealed partial class PbocDesk
{
    /// <summary>
    /// Sends the 3507 of <paramref name="begin"/>..<paramref name="end"/> (by PBOC's clearing date) to Finance
    /// and to each bank with something cleared, stamped by rh_jz and rh_fh, in one transaction. The numbers are
    /// fixed by period and counterpart, so a rerun carries on a statement already begun and never sends one twice.
    /// </summary>
    public IReadOnlyList<LibraryResult> SendClearingReconciliation(DateOnly begin, DateOnly end)
    {
        var (bookkeeper, reviewer) = (signers.SignerFor(Bookkeeper), signers.SignerFor(Reviewer));
        var results = new List<LibraryResult>();
        using var session = library.Begin();
        var lines = ClearedLines(session, begin, end);
        if (lines.Count > 0)
        {
            results.Add(library.Issue(session, ClearingStatement(null, begin, end, lines), [PartyId.Finance], bookkeeper, reviewer).ThrowIfRefused());
        }

        foreach (var bank in lines.GroupBy(l => l.Line.PayBankCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var party = PartyId.ForBank(BankCode.Parse(bank.Key));
            results.Add(library.Issue(session, ClearingStatement(bank.Key, begin, end, [.. bank]), [party], bookkeeper, reviewer).ThrowIfRefused());
        }

        session.Commit();
        return results;
    }

    /// <summary>The answers (5507/2507) to PBOC's 3507s recorded so far, in the order received.</summary>
    public IReadOnlyList<ClearingAnswer> ClearingReconciliations()
    {
        using var connection = library.Database.Connect();
        return [.. connection.Query<AnswerRow>(
            """
            SELECT statement_no AS StatementNo, party AS Party, vt_code AS VtCode, x_check_result AS XCheckResult, x_diff_num AS XDiffNum
            FROM pboc_clearing_reconciliations ORDER BY voucher_id
            """)
            .Select(r => new ClearingAnswer(r.StatementNo, r.Party, r.VtCode, (int)r.XCheckResult, (int)r.XDiffNum))];
    }

    /// <summary>5507/2507: record what the counterpart found and sign for the answer, in the same transaction.</summary>
    private LibraryResult RecordClearingAnswer(LibrarySession session, StoredVoucher answer)
    {
        var expected = answer.SenderParty == PartyId.Finance ? "5507" : "2507";
        if (answer.VtCode != expected)
        {
            return library.Refuse(session, answer.Id, Bookkeeper, $"{answer.VtCode} 不应由 {answer.Sender} 发送");
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
        session.Audit(Bookkeeper, "clearing-reconciliation", answer.Key.ToString(), result == 0 ? "match" : $"{diff} lines differ");
        return library.SignFor(session, answer.Id, Bookkeeper);
    }

    /// <summary>Each 2301 cleared in the period, per unit × functional class, with its clearing quota as it stands.</summary>
    private List<StatementLine> ClearedLines(LibrarySession session, DateOnly begin, DateOnly end)
    {
        var cleared = session.Connection.Query<ClearedRow>(
            """
            SELECT bank_code AS BankCode, voucher_no AS VoucherNo FROM pboc_clearings
            WHERE adm_div_code = @adm AND st_year = @year AND cleared_date BETWEEN @begin AND @end
            ORDER BY bank_code, voucher_no
            """,
            new { adm = master.AdmDivCode, year = master.StYear, begin = Date(begin), end = Date(end) }, session.Transaction).ToList();
        var lines = new List<StatementLine>();
        foreach (var row in cleared)
        {
            var sender = PartyId.ForBank(BankCode.Parse(row.BankCode)).ToString();
            var id = session.Connection.ExecuteScalar<long?>(
                """
                SELECT id FROM vouchers WHERE origin = 'received' AND flag = 0 AND vt_code = '2301' AND sender = @sender
                  AND adm_div_code = @adm AND st_year = @year AND voucher_no = @no ORDER BY version DESC LIMIT 1
                """,
                new { sender, adm = master.AdmDivCode, year = master.StYear, no = row.VoucherNo }, session.Transaction)
                ?? throw new InvalidOperationException($"2301 {row.VoucherNo} was cleared but is not in PBOC's library");
            var request = VoucherLibrary.Find(session, id)!.Content;
            var quotas = request["PayTypeCode"] == DirectPayType ? "pboc_direct_clearing_quotas" : "pboc_clearing_quotas";
            foreach (var line in ClearingStatements.LinesOf(request, row.BankCode))
            {
                var quota = session.Connection.QueryFirstOrDefault<QuotaRow>(
                    $"SELECT issued_fen AS IssuedFen, cleared_fen AS ClearedFen FROM {quotas} WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                    new { bank = row.BankCode, adm = master.AdmDivCode, year = master.StYear, agency = line.AgencyCode, func = line.ExpFuncCode }, session.Transaction);
                lines.Add(new(line, new Amount(quota?.IssuedFen ?? 0), new Amount((quota?.IssuedFen ?? 0) - (quota?.ClearedFen ?? 0))));
            }
        }

        return lines;
    }

    /// <summary>A 3507: to Finance (<paramref name="bank"/> null, every bank's lines) or to one bank (its own).</summary>
    private Voucher ClearingStatement(string? bank, DateOnly begin, DateOnly end, List<StatementLine> lines)
    {
        var voucherNo = $"QSDZ{bank}{Date(begin)}{Date(end)}";
        var header = new List<VoucherField>
        {
            new("AdmDivCode", master.AdmDivCode),
            new("StYear", master.StYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", "3507"),
            new("VouDate", Date(end)),
            new("VoucherNo", voucherNo),
            new("TreCode", master.TreCode),
            new("ClearBankCode", "001"),
            new("ClearBankName", master.PbocName),
            new("ClearAccNo", master.TreasuryAccountNo),
            new("BeginDate", Date(begin)),
            new("EndDate", Date(end)),
            new("AllNum", lines.Count.ToString(CultureInfo.InvariantCulture)),
            new("AllAmt", Amount.Sum(lines.Select(l => l.Line.PayAmt)).ToWire()),
        };
        var details = lines.Select((l, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("PayAgentBillNo", l.Line.BillNo),
            new("PayDetailId", l.Line.DetailId),
            new("SupDepCode", l.Line.SupDepCode),
            new("FundTypeCode", l.Line.FundTypeCode),
            new("PayBankCode", l.Line.PayBankCode),
            new("PayBankName", master.Bank(l.Line.PayBankCode).Name),
            new("PayBankNo", l.Line.PayBankNo),
            new("ExpFuncCode", l.Line.ExpFuncCode),
            new("ExpFuncName", l.Line.ExpFuncName),
            new("PayTypeCode", l.Line.PayTypeCode),
            new("PayTypeName", l.Line.PayTypeCode == DirectPayType ? "直接支付" : "授权支付"),
            new("PayAmt", l.Line.PayAmt.ToWire()),
            new("PlanAmt", l.Issued.ToWire()),
            new("PlanRemainAmt", l.Remaining.ToWire()),
            new("Hold1", l.Line.AgencyCode), // the unit (AgencyCode): 3507 has no field of its own for it
        ]));
        return new Voucher(header, details);
    }

    /// <summary>A 3507 line: the cleared line and its clearing quota (issued, and left now).</summary>
    private sealed record StatementLine(ClearedLine Line, Amount Issued, Amount Remaining);

    private sealed class ClearedRow
    {
        public string BankCode { get; init; } = string.Empty;

        public string VoucherNo { get; init; } = string.Empty;
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
