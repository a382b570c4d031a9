using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 申请划款: gathers paid, not yet cleared payments into a 2301 申请划款凭证 per pay type (12 授权支付,
/// 11 直接支付), division and year, detail per unit × class; a 2301 PBOC did not take is voided first and
/// its payments wait again.
/// </summary>
internal static class RequestClearing
{
    /// <summary>
    /// Gathers paid, not yet cleared payments into a 2301 per pay type (12 授权支付, 11 直接支付), division
    /// and year, detail per unit × class.
    /// </summary>
    public static IReadOnlyList<LibraryResult> Handle(BankContext bank, DateOnly businessDate)
    {
        var results = new List<LibraryResult>();
        var (clerk, reviewer) = (bank.Signers.SignerFor(bank.Clerk), bank.Signers.SignerFor(bank.Reviewer));
        using var session = bank.Library.Begin();
        ReleaseRefusedRequests(bank, session);
        ReleaseRefusedDirectRequests(session); // 直接支付
        results.AddRange(Request(bank, session, businessDate, clerk, reviewer, "bank_payments", request => request));

        // 直接支付: what the bank paid on 5201s goes in 2301s of PayTypeCode 11 of their own (the ones above are 12).
        results.AddRange(Request(bank, session, businessDate, clerk, reviewer, "bank_direct_payments", request => request
            .With("PayTypeCode", BankDesk.DirectPayType)
            .With("PayTypeName", "直接支付")
            .With("AgentAcctName", $"{bank.Bank.Name}财政直接支付清算户")));
        session.Commit();
        return results;
    }

    /// <summary>
    /// A 2301 that PBOC returned or refused is voided, and its payments go back to waiting for clearing,
    /// so the next request carries them under a new number (a voucher is never edited or resent).
    /// </summary>
    private static void ReleaseRefusedRequests(BankContext bank, LibrarySession session)
    {
        var refused = session.Connection.Query<RefusedRequest>(
            """
            SELECT v.id AS Id, v.voucher_no AS VoucherNo, d.reason AS Reason FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id
            WHERE v.origin = 'own' AND v.vt_code = '2301' AND v.flag = 0 AND v.state = 'sent' AND d.status IN (@failed, @refused, @returned)
            """,
            new { failed = (int)VoucherStatus.ReceiveFailed, refused = (int)VoucherStatus.SignForFailed, returned = (int)VoucherStatus.Returned },
            session.Transaction).ToList();
        foreach (var request in refused)
        {
            bank.Library.Void(session, request.Id, bank.Reviewer, $"人民银行未受理: {request.Reason}").ThrowIfRefused();
            session.Connection.Execute(
                "UPDATE bank_payments SET clearing_voucher_no = NULL WHERE clearing_voucher_no = @no",
                new { no = request.VoucherNo }, session.Transaction);
        }
    }

    /// <summary>
    /// The payments of one table (<c>bank_payments</c>: 授权支付; <c>bank_direct_payments</c>: 直接支付) paid and not yet
    /// asked for: one 2301 per division and year, numbered in one sequence, shaped by <paramref name="kind"/>.
    /// </summary>
    private static List<LibraryResult> Request(BankContext bank, LibrarySession session, DateOnly businessDate, Signer clerk, Signer reviewer, string table, Func<Voucher, Voucher> kind)
    {
        var results = new List<LibraryResult>();
        var pending = session.Connection.Query<PaymentRow>(
            $"""
            SELECT adm_div_code AS AdmDivCode, st_year AS StYear, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, SUM(amount_fen) AS AmountFen
            FROM {table} WHERE clearing_voucher_no IS NULL
            GROUP BY adm_div_code, st_year, agency_code, exp_func_code ORDER BY adm_div_code, st_year, agency_code, exp_func_code
            """, transaction: session.Transaction).ToList();
        foreach (var division in pending.GroupBy(p => (p.AdmDivCode, p.StYear)))
        {
            var sequence = session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code = '2301' AND flag = 0", transaction: session.Transaction) + 1;
            var voucherNo = $"HK{bank.Bank.BankCode}{businessDate:yyyyMMdd}{sequence:D3}";
            session.Connection.Execute(
                $"UPDATE {table} SET clearing_voucher_no = @voucherNo WHERE clearing_voucher_no IS NULL AND adm_div_code = @adm AND st_year = @year",
                new { voucherNo, adm = division.Key.AdmDivCode, year = division.Key.StYear }, session.Transaction);
            var request = kind(TransferRequest(bank, division.Key.AdmDivCode, (int)division.Key.StYear, voucherNo, businessDate, [.. division]));
            results.Add(bank.Library.Issue(session, request, [PartyId.Pboc], clerk, reviewer).ThrowIfRefused());
        }

        return results;
    }

    /// <summary>
    /// Direct payments of a 2301 that PBOC returned or refused go back to waiting for clearing (the 2301
    /// itself was voided by <see cref="ReleaseRefusedRequests"/>, which runs first).
    /// </summary>
    private static void ReleaseRefusedDirectRequests(LibrarySession session) =>
        session.Connection.Execute(
            """
            UPDATE bank_direct_payments SET clearing_voucher_no = NULL
            WHERE cleared_date IS NULL AND clearing_voucher_no IN (SELECT voucher_no FROM vouchers WHERE origin = 'own' AND vt_code = '2301' AND flag = 0 AND state = 'voided')
            """,
            transaction: session.Transaction);

    private static Voucher TransferRequest(BankContext bank, string admDivCode, int stYear, string voucherNo, DateOnly businessDate, IReadOnlyList<PaymentRow> rows)
    {
        var total = new Amount(rows.Sum(r => r.AmountFen));
        var division = bank.Master.Division(admDivCode);
        var header = new List<VoucherField>
        {
            new("Id", voucherNo),
            new("AdmDivCode", admDivCode),
            new("StYear", stYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", "2301"),
            new("VouDate", BankContext.Date(businessDate)),
            new("VoucherNo", voucherNo),
            new("TreCode", division.TreCode),
            new("FinOrgCode", division.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "12"),
            new("PayTypeName", "授权支付"),
            new("AgentAcctNo", bank.Bank.ClearingAccountNo),
            new("AgentAcctName", $"{bank.Bank.Name}财政授权支付清算户"),
            new("AgentAcctBankName", bank.Bank.Name),
            new("ClearAcctNo", division.TreasuryAccountNo),
            new("ClearAcctName", division.TreasuryAccountName),
            new("ClearAcctBankName", bank.Master.PbocName),
            new("PayAmt", total.ToWire()),
            new("PayBankName", bank.Bank.Name),
            new("PayBankNo", bank.Bank.BankNo),
        };
        var details = rows.Select((r, i) =>
        {
            var unit = bank.Master.Unit(r.AgencyCode);
            return new VoucherDetail(
            [
                new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
                new("SupDepCode", unit.SupDepCode),
                new("AgencyCode", r.AgencyCode),
                new("AgencyName", unit.Name),
                new("ExpFuncCode", r.ExpFuncCode),
                new("ExpFuncName", unit.Classes.FirstOrDefault(c => c.ExpFuncCode == r.ExpFuncCode)?.ExpFuncName ?? string.Empty),
                new("PayAmt", new Amount(r.AmountFen).ToWire()),
            ]);
        });
        return new Voucher(header, details);
    }

    /// <summary>An own 2301 PBOC did not take, with its reason.</summary>
    private sealed record RefusedRequest(long Id, string VoucherNo, string? Reason);

    // A class mapped by name: SQLite types an aggregate column of an empty result as a blob, which breaks positional records.
    private sealed class PaymentRow
    {
        public string AdmDivCode { get; init; } = string.Empty;

        public long StYear { get; init; }

        public string AgencyCode { get; init; } = string.Empty;

        public string ExpFuncCode { get; init; } = string.Empty;

        public long AmountFen { get; init; }
    }
}
