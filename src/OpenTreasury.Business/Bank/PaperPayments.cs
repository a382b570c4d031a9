using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank;

/// <summary>How a budget unit pays by authorized payment during the transition (seed 九, 过渡期方案).</summary>
public enum UnitPaymentMode
{
    Electronic, // 8202s only (the default)
    Paper,      // paper vouchers at the counter only
    Parallel,   // both, each payment number once
}

/// <summary>A paper 财政授权支付凭证 as the counter registers it: its printed number, unit, class, amount and payee.</summary>
public sealed record PaperPayment(string VoucherNo, string AgencyCode, string ExpFuncCode, Amount Amount, string PayeeAcctNo, string PayeeName);

/// <summary>
/// 纸质与电子并行: the bank sets each unit's mode (clerk and reviewer); a paper voucher is registered by the
/// two of them with its number and amount and draws on the unit's quota like an 8202; a payment number is
/// paid once, on paper or electronically, never both (PayAuthorizedVoucher asks <see cref="PaidOnPaper"/>).
/// </summary>
internal static class PaperPayments
{
    public static string Stored(UnitPaymentMode mode) => mode switch
    {
        UnitPaymentMode.Electronic => "electronic",
        UnitPaymentMode.Paper => "paper",
        UnitPaymentMode.Parallel => "parallel",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static UnitPaymentMode ModeOf(LibrarySession session, string agencyCode) =>
        session.Connection.ExecuteScalar<string?>("SELECT mode FROM bank_unit_modes WHERE agency_code = @agencyCode", new { agencyCode }, session.Transaction) switch
        {
            "paper" => UnitPaymentMode.Paper,
            "parallel" => UnitPaymentMode.Parallel,
            _ => UnitPaymentMode.Electronic,
        };

    /// <summary>Sets a unit's mode, entered by the clerk and approved by the reviewer.</summary>
    public static LibraryResult SetMode(BankContext bank, string agencyCode, UnitPaymentMode mode)
    {
        var (clerk, reviewer) = (bank.Signers.SignerFor(bank.Clerk), bank.Signers.SignerFor(bank.Reviewer));
        return bank.Library.Run(session =>
        {
            if (!bank.Master.Units.Any(u => u.AgencyCode == agencyCode && u.BankCode == bank.Bank.BankCode))
            {
                return LibraryResult.Refused(LibraryRejection.NotFound, BankRejection.NotOurUnit.Say($"预算单位 {agencyCode} 不在本行开户"));
            }

            session.Connection.Execute(
                """
                INSERT INTO bank_unit_modes (agency_code, mode, set_by, approved_by, set_at) VALUES (@agencyCode, @mode, @clerk, @reviewer, @now)
                ON CONFLICT (agency_code) DO UPDATE SET mode = excluded.mode, set_by = excluded.set_by, approved_by = excluded.approved_by, set_at = excluded.set_at
                """,
                new { agencyCode, mode = Stored(mode), clerk = clerk.UserId, reviewer = reviewer.UserId, now = session.NowText }, session.Transaction);
            session.Audit(clerk.UserId, "unit-mode", $"unit/{agencyCode}", $"{Stored(mode)}, approved by {reviewer.UserId}");
            return LibraryResult.Done(0);
        });
    }

    /// <summary>
    /// Registers a paper voucher: the unit must be on paper or parallel (unless it is <paramref name="emergency"/> paper,
    /// 应急纸质, taken in any mode), the number unpaid electronically, the quota enough.
    /// </summary>
    public static LibraryResult Register(BankContext bank, PaperPayment paper, DateOnly payDate, bool emergency = false)
    {
        ArgumentNullException.ThrowIfNull(paper);
        var (clerk, reviewer) = (bank.Signers.SignerFor(bank.Clerk), bank.Signers.SignerFor(bank.Reviewer));
        using var session = bank.Library.Begin();
        var subject = $"paper/{paper.AgencyCode}/{paper.VoucherNo}";
        var key = new { adm = bank.Master.DivisionOf(paper.AgencyCode).AdmDivCode, year = bank.Master.StYear, agency = paper.AgencyCode, no = paper.VoucherNo, func = paper.ExpFuncCode };

        // Load: the unit's mode, the same number paid either way, the quota line.
        var mode = ModeOf(session, paper.AgencyCode);
        var paperBefore = session.Connection.QueryFirstOrDefault<long?>(
            "SELECT amount_fen FROM bank_paper_payments WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND voucher_no = @no", key, session.Transaction);
        var electronic = session.Connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM bank_payments WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND voucher_no = @no", key, session.Transaction);
        var quota = session.Connection.QueryFirstOrDefault<(long Issued, long Paid)?>(
            "SELECT issued_fen, paid_fen FROM bank_quotas WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func", key, session.Transaction);

        // Decide.
        if (paperBefore == paper.Amount.Fen)
        {
            return LibraryResult.Done(0, $"纸质凭证 {paper.VoucherNo} 已登记"); // A rerun: registered once.
        }

        var refusal = paper.Amount <= Amount.Zero ? BankRejection.AmountNotPositive.Say($"纸质凭证金额 {paper.Amount.ToWire()} 不是正数")
            : mode == UnitPaymentMode.Electronic && !emergency ? BankRejection.UnitNotOnPaper.Say($"预算单位 {paper.AgencyCode} 为电子化支付模式, 不受理纸质凭证 {paper.VoucherNo}")
            : paperBefore is not null ? BankRejection.PaidOnPaper.Say($"纸质凭证 {paper.VoucherNo} 已按 {new Amount(paperBefore.Value).ToWire()} 登记")
            : electronic > 0 ? BankRejection.PaidElectronically.Say($"凭证号 {paper.VoucherNo} 已通过电子凭证支付, 不能再按纸质凭证支付")
            : quota is not { } q ? BankRejection.NoQuota.Say($"预算单位 {paper.AgencyCode} 功能科目 {paper.ExpFuncCode} 无授权支付额度")
            : q.Paid + paper.Amount.Fen > q.Issued ? BankRejection.QuotaExceeded.Say($"额度不足, 预算单位 {paper.AgencyCode} 功能科目 {paper.ExpFuncCode} 可用额度 {new Amount(q.Issued - q.Paid).ToWire()}, 纸质凭证 {paper.Amount.ToWire()}")
            : null;
        if (refusal is not null)
        {
            session.AuditRefusal(clerk.UserId, "paper-payment-refused", subject, refusal);
            var result = LibraryResult.Refused(LibraryRejection.InvalidVoucher, refusal);
            bank.Library.Finish(session, result);
            return result;
        }

        // Record: the quota paid and the registration, in one transaction.
        var drawn = session.Connection.Execute(
            "UPDATE bank_quotas SET paid_fen = paid_fen + @fen WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND paid_fen + @fen <= issued_fen",
            new { key.adm, key.year, key.agency, key.func, fen = paper.Amount.Fen }, session.Transaction);
        if (drawn != 1)
        {
            throw new InvalidOperationException($"the quota of {paper.AgencyCode}/{paper.ExpFuncCode} changed under the paper voucher {paper.VoucherNo}");
        }
        session.Connection.Execute(
            """
            INSERT INTO bank_paper_payments (adm_div_code, st_year, agency_code, voucher_no, exp_func_code, amount_fen, payee_acct_no, payee_name, pay_date, registered_by, approved_by, registered_at, emergency)
            VALUES (@adm, @year, @agency, @no, @func, @fen, @payeeAcctNo, @payeeName, @date, @clerk, @reviewer, @now, @emergency)
            """,
            new { key.adm, key.year, key.agency, key.no, key.func, fen = paper.Amount.Fen, payeeAcctNo = paper.PayeeAcctNo, payeeName = paper.PayeeName, date = BankContext.Date(payDate), clerk = clerk.UserId, reviewer = reviewer.UserId, now = session.NowText, emergency = emergency ? 1 : 0 },
            session.Transaction);
        session.Audit(clerk.UserId, emergency ? "emergency-paper-payment" : "paper-payment", subject, $"{paper.Amount.ToWire()} to {paper.PayeeName} on {(emergency ? "emergency " : string.Empty)}paper, approved by {reviewer.UserId}");
        var done = LibraryResult.Done(0, $"纸质凭证 {paper.VoucherNo} 已登记 {paper.Amount.ToWire()}");
        bank.Library.Finish(session, done);
        return done;
    }

    /// <summary>Why an 8202 cannot be paid electronically because of paper (the unit is on paper only, or its number was paid on paper), else null.</summary>
    public static string? RefuseElectronic(LibrarySession session, StoredVoucher payment, string agencyCode) =>
        ModeOf(session, agencyCode) == UnitPaymentMode.Paper
            ? BankRejection.UnitOnPaper.Say($"预算单位 {agencyCode} 为纸质支付模式, 不受理电子凭证 {payment.VoucherNo}")
            : session.Connection.ExecuteScalar<long?>(
                "SELECT amount_fen FROM bank_paper_payments WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND voucher_no = @no",
                new { adm = payment.AdmDivCode, year = payment.StYear, agency = agencyCode, no = payment.VoucherNo }, session.Transaction) is { } fen
                ? BankRejection.PaidOnPaper.Say($"凭证号 {payment.VoucherNo} 已按纸质凭证支付 {new Amount(fen).ToWire()}, 不能再通过电子凭证支付")
                : null;
}
