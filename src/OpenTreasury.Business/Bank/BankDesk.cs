using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Quotas;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>What one pass over the bank's received vouchers did.</summary>
public sealed record BankPass(int QuotaNotices, int PaymentsPaid, int PaymentsReturned, int ClearingReceipts, int Refused)
{
    /// <summary>直接支付: 5201s answered with a 回单 (paid in whole, in part, or not at all: the 回单 says which lines).</summary>
    public int DirectPayments { get; init; }

    /// <summary>直接支付: 5201s returned (退回) unworked, e.g. addressed to another bank.</summary>
    public int DirectPaymentsReturned { get; init; }

    /// <summary>退款: PBOC's 2302 回单 signed for (quota restored for 12; 2204 and 2208, or 2203, sent to Finance).</summary>
    public int RefundReceipts { get; init; }

    /// <summary>凭证对账: PBOC's 3502/4005 statements checked and signed for (BankDesk.Reconciliation.cs).</summary>
    public int VoucherStatements { get; init; }

    /// <summary>清算信息对账: PBOC's 3507 checked, answered with a 2507 and signed for (BankDesk.ClearingReconciliation.cs).</summary>
    public int ClearingStatements { get; init; }

    public int Handled => QuotaNotices + PaymentsPaid + PaymentsReturned + ClearingReceipts + Refused + DirectPayments + DirectPaymentsReturned + RefundReceipts + VoucherStatements + ClearingStatements;
}

/// <summary>
/// The agent bank's business desk (代理银行): books quota from 5105 and answers 2105; pays 8202
/// within quota or returns it; gathers paid vouchers into 2301 for PBOC; sends the 2207 daily report.
/// Each voucher is handled in one transaction together with the books it moves.
/// </summary>
public sealed partial class BankDesk(VoucherLibrary library, MasterData master, ISignerSource signers)
{
    private const string Returned = "returned";

    private readonly AgentBank _bank = master.Bank(library.Party.Bank!.Value.Value);

    private string Clerk => $"yh{_bank.BankCode}_jb";   // 经办

    private string Reviewer => $"yh{_bank.BankCode}_fh"; // 复核

    /// <summary>Handles every received voucher waiting to be signed for, 100 at a time.</summary>
    public BankPass ProcessReceived(DateOnly businessDate)
    {
        // The people at the desk log in before any transaction starts (a login writes its own audit entry).
        var clerk = signers.SignerFor(Clerk);
        var reviewer = signers.SignerFor(Reviewer);
        var pass = new BankPass(0, 0, 0, 0, 0);
        foreach (var (voucher, outcome) in library.WorkReceived(Clerk, (session, v) => v.VtCode switch
        {
            "5105" => BookQuota(session, v, clerk, reviewer),
            "8202" => Pay(session, v, businessDate),
            // 直接支付 (BankDesk.DirectPayment.cs).
            "5201" when !v.IsReply => PayDirect(session, v, businessDate, clerk, reviewer),
            "2301" when v.IsReply && v.Content["PayTypeCode"] == DirectPayType => RecordDirectClearing(session, v),
            "2301" when v.IsReply => RecordClearing(session, v),
            // 退款 (BankDesk.Refund.cs).
            "2302" when v.IsReply => RecordRefund(session, v, clerk, reviewer),
            "3502" or "4005" when !v.IsReply => CheckVoucherStatement(session, v), // 凭证对账: BankDesk.Reconciliation.cs
            "3507" when !v.IsReply => AnswerClearingStatement(session, v, clerk, reviewer), // 清算信息对账: BankDesk.ClearingReconciliation.cs
            _ => library.Refuse(session, v.Id, Clerk, $"代理银行不处理 {v.VtCode} 凭证"),
        }))
        {
            pass = (voucher.VtCode, outcome) switch
            {
                (_, { Ok: false }) => pass with { Refused = pass.Refused + 1 },
                ("5105", _) => pass with { QuotaNotices = pass.QuotaNotices + 1 },
                ("8202", { Message: Returned }) => pass with { PaymentsReturned = pass.PaymentsReturned + 1 },
                ("8202", _) => pass with { PaymentsPaid = pass.PaymentsPaid + 1 },
                ("5201", { Message: Returned }) => pass with { DirectPaymentsReturned = pass.DirectPaymentsReturned + 1 },
                ("5201", _) => pass with { DirectPayments = pass.DirectPayments + 1 },
                ("2301", _) => pass with { ClearingReceipts = pass.ClearingReceipts + 1 },
                ("2302", _) => pass with { RefundReceipts = pass.RefundReceipts + 1 }, // 退款
                ("3502" or "4005", _) => pass with { VoucherStatements = pass.VoucherStatements + 1 }, // 凭证对账
                ("3507", _) => pass with { ClearingStatements = pass.ClearingStatements + 1 }, // 清算信息对账
                _ => pass,
            };
        }

        return pass;
    }

    /// <summary>5105: book each unit × class quota, sign for it, and tell Finance with a 2105 arrival notice.</summary>
    private LibraryResult BookQuota(LibrarySession session, StoredVoucher notice, Signer clerk, Signer reviewer)
    {
        var content = notice.Content;
        if (content["PayBankCode"] != _bank.BankCode)
        {
            return library.Refuse(session, notice.Id, Clerk, $"额度通知单的代理银行 {content["PayBankCode"]} 不是本行 {_bank.BankCode}");
        }

        {
            foreach (var detail in content.Details)
            {
                session.Connection.Execute(
                    """
                    INSERT INTO bank_quotas (adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES (@adm, @year, @agency, @func, @fen)
                    ON CONFLICT (adm_div_code, st_year, agency_code, exp_func_code) DO UPDATE SET issued_fen = issued_fen + excluded.issued_fen
                    """,
                    new { adm = notice.AdmDivCode, year = notice.StYear, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], fen = Amount.ParseWire(detail["PlanAmt"]!).Fen },
                    session.Transaction);
            }

            var signed = library.SignFor(session, notice.Id, Clerk);
            if (!signed.Ok)
            {
                return signed;
            }

            return library.Issue(session, ArrivalNotice(notice, content), [PartyId.Finance], clerk, reviewer);
        }
    }

    /// <summary>8202: pay within quota (every detail line against its unit × class), or return it with the reason.</summary>
    private LibraryResult Pay(LibrarySession session, StoredVoucher payment, DateOnly businessDate)
    {
        var content = payment.Content;
        var lines = content.Details
            .Select(d => (Agency: d["AgencyCode"]!, Func: d["ExpFuncCode"]!, Amount: Amount.ParseWire(d["PayAmt"]!)))
            .ToList();
        var reason = content["PayBankCode"] != _bank.BankCode
            ? $"付款银行 {content["PayBankCode"]} 不是本行 {_bank.BankCode}"
            : CheckQuota(session, payment, lines);
        if (reason is not null)
        {
            var returned = library.Return(session, payment.Id, Clerk, reason);
            return returned.Ok ? returned with { Message = Returned } : returned;
        }

        var businessNo = $"{_bank.BankCode}{businessDate:yyyyMMdd}{payment.Id:D8}";
        for (var i = 0; i < lines.Count; i++)
        {
            var (agency, func, amount) = lines[i];
            // The WHERE repeats the domain's check so a concurrent writer can never push paid past issued;
            // the table's CHECK constraint is the last line of defence.
            var updated = session.Connection.Execute(
                """
                UPDATE bank_quotas SET paid_fen = paid_fen + @fen
                WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND paid_fen + @fen <= issued_fen
                """,
                new { adm = payment.AdmDivCode, year = payment.StYear, agency, func, fen = amount.Fen }, session.Transaction);
            if (updated != 1)
            {
                throw new InvalidOperationException($"quota of {agency}/{func} changed under a payment of {payment.Key}");
            }

            session.Connection.Execute(
                """
                INSERT INTO bank_payments (voucher_id, line, adm_div_code, st_year, voucher_no, agency_code, exp_func_code, amount_fen, pay_date, business_no)
                VALUES (@id, @line, @adm, @year, @no, @agency, @func, @fen, @date, @businessNo)
                """,
                new { id = payment.Id, line = i + 1, adm = payment.AdmDivCode, year = payment.StYear, no = payment.VoucherNo, agency, func, fen = amount.Fen, date = Date(businessDate), businessNo },
                session.Transaction);
        }

        session.Audit(Clerk, "pay", payment.Key.ToString(), $"{content["PayAmt"]} to {content["PayeeAcctName"]} ({content["PayeeAcctNo"]}); 流水号 {businessNo}");
        return library.SignFor(session, payment.Id, Clerk);
    }

    private static string? CheckQuota(LibrarySession session, StoredVoucher payment, List<(string Agency, string Func, Amount Amount)> lines)
    {
        foreach (var group in lines.GroupBy(l => (l.Agency, l.Func)))
        {
            var row = session.Connection.QueryFirstOrDefault<QuotaRow>(
                "SELECT issued_fen AS IssuedFen, paid_fen AS PaidFen FROM bank_quotas WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                new { adm = payment.AdmDivCode, year = payment.StYear, agency = group.Key.Agency, func = group.Key.Func }, session.Transaction);
            var line = row is null ? new QuotaLine(Amount.Zero, Amount.Zero) : new QuotaLine(new Amount(row.IssuedFen), new Amount(row.PaidFen));
            var requested = Amount.Sum(group.Select(g => g.Amount));
            var rejection = line.TryPay(requested, out _);
            if (rejection != QuotaRejection.None)
            {
                return rejection switch
                {
                    QuotaRejection.NoQuota => $"{rejection}: 预算单位 {group.Key.Agency} 功能科目 {group.Key.Func} 无授权支付额度",
                    _ => $"{rejection}: 额度不足, 预算单位 {group.Key.Agency} 功能科目 {group.Key.Func} 可用额度 {line.Remaining.ToWire()}, 申请支付 {requested.ToWire()}",
                };
            }
        }

        return null;
    }

    /// <summary>
    /// Gathers paid, not yet cleared payments into a 2301 per pay type (12 授权支付, 11 直接支付), division
    /// and year, detail per unit × class.
    /// </summary>
    public IReadOnlyList<LibraryResult> RequestClearing(DateOnly businessDate)
    {
        var results = new List<LibraryResult>();
        var (clerk, reviewer) = (signers.SignerFor(Clerk), signers.SignerFor(Reviewer));
        using var session = library.Begin();
        ReleaseRefusedRequests(session);
        ReleaseRefusedDirectRequests(session); // 直接支付
        var pending = session.Connection.Query<PaymentRow>(
            """
            SELECT adm_div_code AS AdmDivCode, st_year AS StYear, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, SUM(amount_fen) AS AmountFen
            FROM bank_payments WHERE clearing_voucher_no IS NULL
            GROUP BY adm_div_code, st_year, agency_code, exp_func_code ORDER BY adm_div_code, st_year, agency_code, exp_func_code
            """, transaction: session.Transaction).ToList();
        foreach (var division in pending.GroupBy(p => (p.AdmDivCode, p.StYear)))
        {
            var sequence = session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code = '2301' AND flag = 0", transaction: session.Transaction) + 1;
            var voucherNo = $"HK{_bank.BankCode}{businessDate:yyyyMMdd}{sequence:D3}";
            session.Connection.Execute(
                "UPDATE bank_payments SET clearing_voucher_no = @voucherNo WHERE clearing_voucher_no IS NULL AND adm_div_code = @adm AND st_year = @year",
                new { voucherNo, adm = division.Key.AdmDivCode, year = division.Key.StYear }, session.Transaction);
            var result = library.Issue(session, TransferRequest(division.Key.AdmDivCode, (int)division.Key.StYear, voucherNo, businessDate, [.. division]), [PartyId.Pboc], clerk, reviewer);
            results.Add(result.ThrowIfRefused());
        }

        // 直接支付: what the bank paid on 5201s goes in 2301s of PayTypeCode 11 of their own (the ones above are 12).
        results.AddRange(RequestDirectClearing(session, businessDate, clerk, reviewer));
        session.Commit();
        return results;
    }

    /// <summary>
    /// The 2207 daily report of authorized payments made on a business day, one line per paid voucher line.
    /// <paramref name="misbookFirstLineByFen"/> makes the bank book its first line wrong by that many fen:
    /// the demo's <c>--inject-mismatch</c>, to show that reconciliation finds and names it.
    /// </summary>
    public LibraryResult? SendDailyReport(DateOnly businessDate, long misbookFirstLineByFen = 0)
    {
        var (clerk, reviewer) = (signers.SignerFor(Clerk), signers.SignerFor(Reviewer));
        using var session = library.Begin();
        var baseNo = $"RB{_bank.BankCode}{businessDate:yyyyMMdd}";
        var reports = session.Connection.Query<long>(
            "SELECT id FROM vouchers WHERE origin = 'own' AND vt_code = '2207' AND flag = 0 AND (voucher_no = @baseNo OR voucher_no LIKE @baseNo || '-%') ORDER BY id",
            new { baseNo }, session.Transaction).ToList();
        LibraryResult? last = null;
        foreach (var id in reports)
        {
            last = library.Complete(session, id, clerk, reviewer).ThrowIfRefused(); // One interrupted by a crash is finished first.
        }

        // Every payment up to this day not yet reported: a payment made after the day's report goes into a supplement (-2, -3 …).
        var lines = session.Connection.Query<ReportLine>(
            """
            SELECT p.voucher_id AS VoucherId, p.voucher_no AS VoucherNo, p.line AS Line, p.agency_code AS AgencyCode, p.exp_func_code AS ExpFuncCode,
                   p.amount_fen AS AmountFen, p.business_no AS BusinessNo
            FROM bank_payments p
            WHERE p.reported_in IS NULL AND p.pay_date <= @date AND p.adm_div_code = @adm AND p.st_year = @year ORDER BY p.voucher_id, p.line
            """,
            new { date = Date(businessDate), adm = master.AdmDivCode, year = master.StYear }, session.Transaction).ToList();
        if (lines.Count > 0)
        {
            var voucherNo = reports.Count == 0 ? baseNo : $"{baseNo}-{reports.Count + 1}";
            foreach (var line in lines)
            {
                session.Connection.Execute(
                    "UPDATE bank_payments SET reported_in = @voucherNo WHERE voucher_id = @VoucherId AND line = @Line",
                    new { voucherNo, line.VoucherId, line.Line }, session.Transaction);
            }

            if (misbookFirstLineByFen != 0)
            {
                lines[0] = lines[0] with { AmountFen = lines[0].AmountFen + misbookFirstLineByFen };
                session.Audit(Clerk, "misbook", voucherNo, $"line 1 ({lines[0].VoucherNo}) booked {misbookFirstLineByFen} fen off (demo --inject-mismatch)");
            }

            last = library.Issue(session, DailyReport(voucherNo, businessDate, lines), [PartyId.Finance], clerk, reviewer).ThrowIfRefused();
        }

        session.Commit();
        return last;
    }

    /// <summary>
    /// A 2301 that PBOC returned or refused is voided, and its payments go back to waiting for clearing,
    /// so the next request carries them under a new number (a voucher is never edited or resent).
    /// </summary>
    private void ReleaseRefusedRequests(LibrarySession session)
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
            library.Void(session, request.Id, Reviewer, $"人民银行未受理: {request.Reason}").ThrowIfRefused();
            session.Connection.Execute(
                "UPDATE bank_payments SET clearing_voucher_no = NULL WHERE clearing_voucher_no = @no",
                new { no = request.VoucherNo }, session.Transaction);
        }
    }

    /// <summary>PBOC's 2301 回单: the payments it covers are cleared.</summary>
    private LibraryResult RecordClearing(LibrarySession session, StoredVoucher receipt)
    {
        var content = receipt.Content;
        {
            session.Connection.Execute(
                "UPDATE bank_payments SET cleared_date = @date WHERE clearing_voucher_no = @no",
                new { date = content["XClearDate"], no = receipt.VoucherNo }, session.Transaction);
            return library.SignFor(session, receipt.Id, Clerk);
        }
    }

    private Voucher ArrivalNotice(StoredVoucher notice, Voucher quota)
    {
        var header = new List<VoucherField>
        {
            new("Id", $"DZ{notice.VoucherNo}"),
            new("AdmDivCode", notice.AdmDivCode),
            new("StYear", notice.StYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", "2105"),
            new("VouDate", quota["VouDate"]!),
            new("VoucherNo", $"DZ{notice.VoucherNo}"),
            new("OriVoucherNo", notice.VoucherNo),
            new("SetMonth", quota["SetMonth"]!),
            new("PlanAmt", quota["PlanAmt"]!),
            new("PayBankCode", _bank.BankCode),
            new("PayBankName", _bank.Name),
        };
        var details = quota.Details.Select((d, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("AgencyCode", d["AgencyCode"]!),
            new("AgencyName", d["AgencyName"] ?? string.Empty),
            new("ExpFuncCode", d["ExpFuncCode"]!),
            new("ExpFuncName", d["ExpFuncName"] ?? string.Empty),
            new("AgencyAcctNo", d["AgencyAcctNo"] ?? string.Empty),
            new("PlanAmt", d["PlanAmt"]!),
        ]));
        return new Voucher(header, details);
    }

    private Voucher TransferRequest(string admDivCode, int stYear, string voucherNo, DateOnly businessDate, IReadOnlyList<PaymentRow> rows)
    {
        var total = new Amount(rows.Sum(r => r.AmountFen));
        var header = new List<VoucherField>
        {
            new("Id", voucherNo),
            new("AdmDivCode", admDivCode),
            new("StYear", stYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", "2301"),
            new("VouDate", Date(businessDate)),
            new("VoucherNo", voucherNo),
            new("TreCode", master.TreCode),
            new("FinOrgCode", master.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "12"),
            new("PayTypeName", "授权支付"),
            new("AgentAcctNo", _bank.ClearingAccountNo),
            new("AgentAcctName", $"{_bank.Name}财政授权支付清算户"),
            new("AgentAcctBankName", _bank.Name),
            new("ClearAcctNo", master.TreasuryAccountNo),
            new("ClearAcctName", master.TreasuryAccountName),
            new("ClearAcctBankName", master.PbocName),
            new("PayAmt", total.ToWire()),
            new("PayBankName", _bank.Name),
            new("PayBankNo", _bank.BankNo),
        };
        var details = rows.Select((r, i) =>
        {
            var unit = master.Unit(r.AgencyCode);
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

    private Voucher DailyReport(string voucherNo, DateOnly businessDate, IReadOnlyList<ReportLine> lines)
    {
        var total = new Amount(lines.Sum(l => l.AmountFen));
        var header = DailyReportHeader("2207", AuthorizedPayType, "授权支付", voucherNo, businessDate, total);
        var details = lines.Select((l, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("VoucherNo", l.VoucherNo),
            new("AgencyCode", l.AgencyCode),
            new("AgencyName", master.Unit(l.AgencyCode).Name),
            new("ExpFuncCode", l.ExpFuncCode),
            new("PayDate", Date(businessDate)),
            new("AgentBusinessNo", l.BusinessNo),
            new("PayAmt", new Amount(l.AmountFen).ToWire()),
        ]));
        return new Voucher(header, details);
    }

    /// <summary>The header of a daily report (2206 直接支付 / 2207 授权支付): the day's total, all of it positive, for this bank.</summary>
    private List<VoucherField> DailyReportHeader(string vtCode, string payTypeCode, string payTypeName, string voucherNo, DateOnly businessDate, Amount total) =>
    [
        .. master.VoucherHeader(vtCode, voucherNo, Date(businessDate)),
        new("PayAmt", total.ToWire()),
        new("PosAmt", total.ToWire()),
        new("NegAmt", "0.00"),
        new("PayTypeCode", payTypeCode),
        new("PayTypeName", payTypeName),
        new("PayBankCode", _bank.BankCode),
        new("PayBankName", _bank.Name),
    ];

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private sealed record QuotaRow(long IssuedFen, long PaidFen);

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

    private sealed record ReportLine(long VoucherId, string VoucherNo, long Line, string AgencyCode, string ExpFuncCode, long AmountFen, string BusinessNo);
}
