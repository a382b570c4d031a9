using System.Globalization;
using Dapper;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// 清算信息对账, PBOC's half: for a period it lists every cleared 2301 per unit × functional class — what was
/// cleared, the clearing quota issued and what is left of it — per division, in a 3507 to Finance (all banks) and to each
/// bank (its own). The answers are recorded by <see cref="Received.RecordClearingAnswer"/>.
/// </summary>
internal static class SendClearingReconciliation
{
    /// <summary>
    /// Sends the 3507 of <paramref name="begin"/>..<paramref name="end"/> (by PBOC's clearing date) to Finance
    /// and to each bank with something cleared, stamped by rh_jz and rh_fh, in one transaction. The numbers are
    /// fixed by period and counterpart, so a rerun carries on a statement already begun and never sends one twice (<see cref="SendVoucherReconciliation.SendOnce"/>).
    /// </summary>
    public static IReadOnlyList<LibraryResult> Handle(PbocContext pboc, DateOnly begin, DateOnly end)
    {
        var (bookkeeper, reviewer) = (pboc.Signers.SignerFor(PbocContext.Bookkeeper), pboc.Signers.SignerFor(PbocContext.Reviewer));
        var results = new List<LibraryResult>();
        using var session = pboc.Library.Begin();
        foreach (var division in pboc.Master.Divisions)
        {
            var lines = ClearedLines(pboc, session, division, begin, end);
            if (lines.Count > 0)
            {
                results.Add(SendVoucherReconciliation.SendOnce(pboc, session, ClearingStatement(pboc, division, null, begin, end, lines), PartyId.Finance, bookkeeper, reviewer));
            }

            foreach (var bank in lines.GroupBy(l => l.Line.PayBankCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var party = PartyId.ForBank(BankCode.Parse(bank.Key));
                results.Add(SendVoucherReconciliation.SendOnce(pboc, session, ClearingStatement(pboc, division, bank.Key, begin, end, [.. bank]), party, bookkeeper, reviewer));
            }
        }

        session.Commit();
        return results;
    }

    /// <summary>Each 2301 cleared in the period, per unit × functional class, with its clearing quota as it stands.</summary>
    private static List<StatementLine> ClearedLines(PbocContext pboc, LibrarySession session, Node.Network.Division division, DateOnly begin, DateOnly end)
    {
        var cleared = session.Connection.Query<ClearedRow>(
            """
            SELECT bank_code AS BankCode, voucher_no AS VoucherNo FROM pboc_clearings
            WHERE adm_div_code = @adm AND st_year = @year AND cleared_date BETWEEN @begin AND @end
            ORDER BY bank_code, voucher_no
            """,
            new { adm = division.AdmDivCode, year = pboc.Master.StYear, begin = PbocContext.Date(begin), end = PbocContext.Date(end) }, session.Transaction).ToList();
        var lines = new List<StatementLine>();
        foreach (var row in cleared)
        {
            var sender = PartyId.ForBank(BankCode.Parse(row.BankCode)).ToString();
            var id = session.Connection.ExecuteScalar<long?>(
                """
                SELECT id FROM vouchers WHERE origin = 'received' AND flag = 0 AND vt_code = '2301' AND sender = @sender
                  AND adm_div_code = @adm AND st_year = @year AND voucher_no = @no ORDER BY version DESC LIMIT 1
                """,
                new { sender, adm = division.AdmDivCode, year = pboc.Master.StYear, no = row.VoucherNo }, session.Transaction)
                ?? throw new InvalidOperationException($"2301 {row.VoucherNo} was cleared but is not in PBOC's library");
            var request = VoucherLibrary.Find(session, id)!.Content;
            var quotas = request["PayTypeCode"] == PbocDesk.DirectPayType ? "pboc_direct_clearing_quotas" : "pboc_clearing_quotas";
            foreach (var line in ClearingStatements.LinesOf(request, row.BankCode))
            {
                var quota = session.Connection.QueryFirstOrDefault<PbocQuotaRow>(
                    $"SELECT issued_fen AS IssuedFen, cleared_fen AS ClearedFen FROM {quotas} WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                    new { bank = row.BankCode, adm = division.AdmDivCode, year = pboc.Master.StYear, agency = line.AgencyCode, func = line.ExpFuncCode }, session.Transaction);
                lines.Add(new(line, new Amount(quota?.IssuedFen ?? 0), new Amount((quota?.IssuedFen ?? 0) - (quota?.ClearedFen ?? 0))));
            }
        }

        return lines;
    }

    /// <summary>A 3507: to Finance (<paramref name="bank"/> null, every bank's lines) or to one bank (its own).</summary>
    private static Voucher ClearingStatement(PbocContext pboc, Node.Network.Division division, string? bank, DateOnly begin, DateOnly end, List<StatementLine> lines)
    {
        var voucherNo = $"QSDZ{bank}{PbocContext.Date(begin)}{PbocContext.Date(end)}";
        var header = new List<VoucherField>
        {
            new("AdmDivCode", division.AdmDivCode),
            new("StYear", pboc.Master.StYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", "3507"),
            new("VouDate", PbocContext.Date(end)),
            new("VoucherNo", voucherNo),
            new("TreCode", division.TreCode),
            new("ClearBankCode", "001"),
            new("ClearBankName", pboc.Master.PbocName),
            new("ClearAccNo", division.TreasuryAccountNo),
            new("BeginDate", PbocContext.Date(begin)),
            new("EndDate", PbocContext.Date(end)),
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
            new("PayBankName", pboc.Master.Bank(l.Line.PayBankCode).Name),
            new("PayBankNo", l.Line.PayBankNo),
            new("ExpFuncCode", l.Line.ExpFuncCode),
            new("ExpFuncName", l.Line.ExpFuncName),
            new("PayTypeCode", l.Line.PayTypeCode),
            new("PayTypeName", l.Line.PayTypeCode == PbocDesk.DirectPayType ? "直接支付" : "授权支付"),
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
}
