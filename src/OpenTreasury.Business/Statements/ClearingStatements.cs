using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Statements;

/// <summary>An answer (5507 from Finance, 2507 from a bank) to a 3507 as PBOC recorded it.</summary>
public sealed record ClearingAnswer(string StatementNo, string Party, string VtCode, int XCheckResult, int XDiffNum);

/// <summary>
/// One cleared 2301 per unit × functional class as each side reads it from its own library.
/// <see cref="DetailId"/> is the 2301 detail Id of the group's first line.
/// </summary>
public sealed record ClearedLine(
    string BillNo, string DetailId, string AgencyCode, string SupDepCode, string ExpFuncCode, string ExpFuncName,
    string FundTypeCode, string PayBankCode, string PayBankNo, string PayTypeCode, Amount PayAmt);

/// <summary>
/// The 3507 lines as each node derives them from a 2301 (PBOC, Finance and the banks alike), and the
/// check of a received 3507 answered with a 5507/2507.
/// </summary>
internal static class ClearingStatements
{
    /// <summary>A 2301 (or its 回单) as lines per unit × functional class, in the order the units first appear.</summary>
    public static IEnumerable<ClearedLine> LinesOf(Voucher request, string bankCode) =>
        request.Details
            .GroupBy(d => (Agency: d["AgencyCode"]!, Func: d["ExpFuncCode"]!))
            .Select(g => new ClearedLine(
                request.Require("VoucherNo"), g.First()["Id"] ?? string.Empty, g.Key.Agency, g.First()["SupDepCode"] ?? string.Empty,
                g.Key.Func, g.First()["ExpFuncName"] ?? string.Empty, request["FundTypeCode"] ?? string.Empty, bankCode,
                request["PayBankNo"] ?? string.Empty, request["PayTypeCode"] ?? string.Empty, Amount.Sum(g.Select(d => Amount.ParseWire(d["PayAmt"]!)))));

    /// <summary>
    /// Checks a received 3507 line by line against <paramref name="ours"/>, answers PBOC with the same lines
    /// marked XCheckResult 0/1 and a reason (a 5507 from Finance, a 2507 from a bank; entered by
    /// <paramref name="maker"/>, approved by <paramref name="checker"/>) and signs for the 3507, all in the
    /// caller's transaction. A statement that does not agree is signed for all the same: the answer says what differs.
    /// </summary>
    public static LibraryResult Answer(
        VoucherLibrary library, LibrarySession session, StoredVoucher statement, IReadOnlyList<ClearedLine> ours,
        string answerVtCode, Signer maker, Signer checker)
    {
        var content = statement.Content;
        var layout = VoucherCatalogue.Get(VtCode.Parse(answerVtCode));
        var byKey = ours.ToLookup(l => (l.BillNo, l.AgencyCode, l.ExpFuncCode));
        var details = new List<VoucherDetail>();
        var diff = 0;
        foreach (var line in content.Details)
        {
            var bill = line["PayAgentBillNo"] ?? string.Empty;
            var reason = Differs(line, byKey[(bill, line["Hold1"] ?? string.Empty, line["ExpFuncCode"] ?? string.Empty)].ToList());
            diff += reason.Length == 0 ? 0 : 1;
            var fields = line.Fields.Where(f => f.Name is not ("XCheckResult" or "XCheckReason"))
                .Append(new("XCheckResult", reason.Length == 0 ? "0" : "1"))
                .Append(new("XCheckReason", reason.Length == 0 ? "相符" : reason));
            details.Add(new VoucherDetail(InLayout(fields, layout.DetailFields)));
        }

        var header = content.Header
            .Select(f => f.Name == "VtCode" ? f with { Value = answerVtCode } : f)
            .Append(new("XCheckResult", diff == 0 ? "0" : "1"))
            .Append(new("XDiffNum", diff.ToString(CultureInfo.InvariantCulture)));
        var answer = new Voucher(InLayout(header, layout.HeaderFields), details);
        session.Audit(maker.UserId, "clearing-reconciliation", statement.Key.ToString(), diff == 0 ? "match" : $"{diff} lines differ");
        var sent = library.Issue(session, answer, [PartyId.Pboc], maker, checker);
        return sent.Ok ? library.SignFor(session, statement.Id, maker.UserId) : sent;
    }

    /// <summary>Why a statement line differs from ours, empty when it agrees.</summary>
    private static string Differs(VoucherDetail line, List<ClearedLine> ours)
    {
        var bill = line["PayAgentBillNo"];
        var what = $"{bill} {line["Hold1"]}/{line["ExpFuncCode"]}";
        if (ours.Count == 0)
        {
            return $"{what}: 本方无此清算记录";
        }

        var mine = ours[0] with { PayAmt = Amount.Sum(ours.Select(o => o.PayAmt)) };
        var theirs = Amount.ParseWire(line["PayAmt"]!);
        var reasons = new List<string>();
        if (theirs != mine.PayAmt)
        {
            reasons.Add($"PayAmt {theirs.ToWire()} on the statement, {mine.PayAmt.ToWire()} in our records");
        }

        Compare("SupDepCode", line["SupDepCode"], mine.SupDepCode);
        Compare("PayBankCode", line["PayBankCode"], mine.PayBankCode);
        Compare("PayBankNo", line["PayBankNo"], mine.PayBankNo);
        Compare("PayTypeCode", line["PayTypeCode"], mine.PayTypeCode);
        return reasons.Count == 0 ? string.Empty : $"{what}: {string.Join("; ", reasons)}";

        void Compare(string field, string? stated, string held)
        {
            if ((stated ?? string.Empty) != held)
            {
                reasons.Add($"{field} {stated} on the statement, {held} in our records");
            }
        }
    }

    /// <summary>The fields the layout has, in its order.</summary>
    private static IEnumerable<VoucherField> InLayout(IEnumerable<VoucherField> fields, IReadOnlyList<string> layout)
    {
        var list = fields.ToList();
        return layout.Select(name => list.LastOrDefault(f => f.Name == name)).OfType<VoucherField>();
    }
}
