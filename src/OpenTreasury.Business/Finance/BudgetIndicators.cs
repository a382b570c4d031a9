using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>A budget indicator (预算指标) for a unit × functional class × fund type.</summary>
public sealed record IndicatorLine(string AgencyCode, string ExpFuncCode, Amount Amount, string FundTypeCode = BudgetIndicators.GeneralFund);

/// <summary>One indicator as Finance's books show it: the indicator, what quota plans drew on it, what the units paid, what is left.</summary>
public sealed record IndicatorRow(string AgencyCode, string ExpFuncCode, string FundTypeCode, Amount Indicator, Amount Planned, Amount Paid)
{
    /// <summary>指标余额: the indicator not yet planned as quota.</summary>
    public Amount Left => Indicator - Planned;

    /// <summary>额度余额: the quota planned and not yet paid.</summary>
    public Amount QuotaLeft => Planned - Paid;
}

/// <summary>
/// 预算指标: the budget indicators above quota. Finance's entry clerk enters and its approver approves an
/// indicator (two people, audited); each month's quota plan draws on its indicator in the transaction that
/// issues the 5105/5106, and is refused when it would pass what is left (also a CHECK in the database).
/// </summary>
public static class BudgetIndicators
{
    /// <summary>FundTypeCode of 一般公共预算资金, the fund type of quota plans here.</summary>
    public const string GeneralFund = "1";

    /// <summary>Enters and approves indicators under <paramref name="reference"/> (the budget document's number); the same reference again changes nothing.</summary>
    internal static LibraryResult Register(FinanceContext finance, string reference, IReadOnlyList<IndicatorLine> lines)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentNullException.ThrowIfNull(lines);
        var (entry, approval) = (finance.Signers.SignerFor(FinanceContext.Entry), finance.Signers.SignerFor(FinanceContext.Approval));
        return finance.Library.Run(session =>
        {
            foreach (var line in lines)
            {
                if (line.Amount <= Amount.Zero || !finance.Master.Units.Any(u => u.AgencyCode == line.AgencyCode && u.Classes.Any(c => c.ExpFuncCode == line.ExpFuncCode)))
                {
                    return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"指标 {reference}: 单位 {line.AgencyCode} 科目 {line.ExpFuncCode} 金额 {line.Amount.ToWire()} 无效");
                }

                var key = Key(finance, line.AgencyCode, line.ExpFuncCode, line.FundTypeCode);
                var moved = session.Connection.Execute(
                    """
                    INSERT INTO finance_indicator_moves (adm_div_code, st_year, agency_code, exp_func_code, fund_type_code, kind, reference, amount_fen, entered_by, approved_by, recorded_at)
                    VALUES (@adm, @year, @agency, @func, @fund, 'indicator', @reference, @fen, @entry, @approval, @now)
                    ON CONFLICT DO NOTHING
                    """,
                    new { key.adm, key.year, key.agency, key.func, key.fund, reference, fen = line.Amount.Fen, entry = entry.UserId, approval = approval.UserId, now = session.NowText },
                    session.Transaction);
                if (moved == 0)
                {
                    continue; // Registered under this reference before: a rerun.
                }

                session.Connection.Execute(
                    """
                    INSERT INTO finance_indicators (adm_div_code, st_year, agency_code, exp_func_code, fund_type_code, amount_fen) VALUES (@adm, @year, @agency, @func, @fund, @fen)
                    ON CONFLICT (adm_div_code, st_year, agency_code, exp_func_code, fund_type_code) DO UPDATE SET amount_fen = finance_indicators.amount_fen + excluded.amount_fen
                    """,
                    new { key.adm, key.year, key.agency, key.func, key.fund, fen = line.Amount.Fen }, session.Transaction);
                session.Audit(entry.UserId, "indicator", $"indicator/{line.AgencyCode}/{line.ExpFuncCode}/{line.FundTypeCode}",
                    $"{line.Amount.ToWire()} under {reference}, entered by {entry.UserId}, approved by {approval.UserId}");
            }

            return LibraryResult.Done(0, $"{lines.Count} indicator line(s) under {reference}");
        });
    }

    /// <summary>Why the plan cannot draw its lines (no indicator, or beyond what is left), else null. Reads only.</summary>
    internal static string? Shortfall(FinanceContext finance, IEnumerable<QuotaPlanLine> plan)
    {
        using var connection = finance.Library.Database.Connect();
        foreach (var line in plan.GroupBy(l => (l.AgencyCode, l.ExpFuncCode)).Select(g => (g.Key.AgencyCode, g.Key.ExpFuncCode, Amount: Amount.Sum(g.Select(l => l.Amount)))))
        {
            var key = Key(finance, line.AgencyCode, line.ExpFuncCode, GeneralFund);
            var row = connection.QueryFirstOrDefault<(long Amount, long Planned)?>(
                "SELECT amount_fen, planned_fen FROM finance_indicators WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND fund_type_code = @fund",
                new { key.adm, key.year, key.agency, key.func, key.fund });
            if (row is not { } indicator)
            {
                return FinanceRejection.NoIndicator.Say($"单位 {line.AgencyCode} 科目 {line.ExpFuncCode} 资金性质 {GeneralFund} 无预算指标, 不能下达用款额度 {line.Amount.ToWire()}");
            }

            var left = new Amount(indicator.Amount - indicator.Planned);
            if (line.Amount > left)
            {
                return FinanceRejection.IndicatorExceeded.Say($"单位 {line.AgencyCode} 科目 {line.ExpFuncCode} 用款计划 {line.Amount.ToWire()} 超过指标余额 {left.ToWire()} (指标 {new Amount(indicator.Amount).ToWire()}, 已下达 {new Amount(indicator.Planned).ToWire()})");
            }
        }

        return null;
    }

    /// <summary>Draws a quota plan's lines on their indicators, once per <paramref name="reference"/> (the 5105's key); inside the issuing transaction.</summary>
    internal static void Draw(LibrarySession session, FinanceContext finance, string reference, IEnumerable<QuotaPlanLine> lines, Signer entry, Signer approval)
    {
        // A plan may carry a unit × class on several lines: it draws once per indicator, their sum.
        foreach (var line in lines.GroupBy(l => (l.AgencyCode, l.ExpFuncCode)).Select(g => new QuotaPlanLine(g.Key.AgencyCode, g.Key.ExpFuncCode, Amount.Sum(g.Select(l => l.Amount)))))
        {
            var key = Key(finance, line.AgencyCode, line.ExpFuncCode, GeneralFund);
            session.Connection.Execute(
                """
                INSERT INTO finance_indicator_moves (adm_div_code, st_year, agency_code, exp_func_code, fund_type_code, kind, reference, amount_fen, entered_by, approved_by, recorded_at)
                VALUES (@adm, @year, @agency, @func, @fund, 'plan', @reference, @fen, @entry, @approval, @now)
                """,
                new { key.adm, key.year, key.agency, key.func, key.fund, reference, fen = line.Amount.Fen, entry = entry.UserId, approval = approval.UserId, now = session.NowText },
                session.Transaction);

            // The CHECK (planned_fen <= amount_fen) holds even if two plans raced past Shortfall.
            var drawn = session.Connection.Execute(
                "UPDATE finance_indicators SET planned_fen = planned_fen + @fen WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND fund_type_code = @fund",
                new { key.adm, key.year, key.agency, key.func, key.fund, fen = line.Amount.Fen }, session.Transaction);
            if (drawn != 1)
            {
                throw new InvalidOperationException($"no indicator for {line.AgencyCode}/{line.ExpFuncCode} under the plan {reference}");
            }
        }
    }

    /// <summary>Every indicator of every division (a unit's code names its division) with what was planned on it and what the units paid (their 8202s the banks signed for, less refunds PBOC took back).</summary>
    internal static IReadOnlyList<IndicatorRow> Book(FinanceContext finance)
    {
        var books = finance.Master.Divisions.Select(d => FinanceBooksReader.Read(finance.Library, finance.Master, admDivCode: d.AdmDivCode)).ToList();
        var paid = books.SelectMany(b => b.PaymentsAccepted).Select(p => (p.AgencyCode, p.ExpFuncCode, p.Amount))
            .Concat(books.SelectMany(b => b.RefundsCredited).Where(r => r.PayTypeCode == "12").Select(r => (r.AgencyCode, r.ExpFuncCode, Amount: -r.Amount)))
            .GroupBy(p => (p.AgencyCode, p.ExpFuncCode)).ToDictionary(g => g.Key, g => Amount.Sum(g.Select(p => p.Amount)));
        using var connection = finance.Library.Database.Connect();
        return [.. connection.Query<(string Agency, string Func, string Fund, long Amount, long Planned)>(
            "SELECT agency_code, exp_func_code, fund_type_code, amount_fen, planned_fen FROM finance_indicators WHERE st_year = @year ORDER BY agency_code, exp_func_code, fund_type_code",
            new { year = finance.Master.StYear })
            .Select(r => new IndicatorRow(r.Agency, r.Func, r.Fund, new Amount(r.Amount), new Amount(r.Planned),
                r.Fund == GeneralFund ? paid.GetValueOrDefault((r.Agency, r.Func), Amount.Zero) : Amount.Zero))];
    }

    private static (string adm, int year, string agency, string func, string fund) Key(FinanceContext finance, string agency, string func, string fund) =>
        (finance.Master.DivisionOf(agency).AdmDivCode, finance.Master.StYear, agency, func, fund);
}
