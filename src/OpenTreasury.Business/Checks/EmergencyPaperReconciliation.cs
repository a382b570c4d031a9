using Dapper;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Checks;

/// <summary>How a voucher taken to paper (应急纸质) ended at its receiver.</summary>
public enum PaperOutcome
{
    PaidOnPaper = 0,        // 已按应急纸质支付: registered at the counter with the voucher's amount
    PaidElectronically = 1, // 已电子支付: the electronic message had got through after all, and was paid (the paper was then refused)
    NotYetPaid = 2,         // 尚未支付: the paper has not reached the counter yet
    AmountDiffers = 3,      // 金额不符: registered on paper with another amount than the voucher's
    PaidTwice = 4,          // 重复支付: paid on paper and electronically (the bank's rules forbid it; named if it ever happens)
    UnknownPaper = 5,       // 无对应凭证: emergency paper the bank registered under a number or unit no voucher taken to paper has (a mistyped key)
}

/// <summary>One voucher taken to paper, as Finance issued it and as its bank paid it.</summary>
public sealed record PaperLine(string VtCode, string VoucherNo, string AgencyCode, string Receiver, long? AmountFen, PaperOutcome Outcome, long PaperFen, long ElectronicFen)
{
    public bool Mismatch => Outcome is PaperOutcome.AmountDiffers or PaperOutcome.PaidTwice or PaperOutcome.UnknownPaper;
}

/// <summary>
/// The explicit reconciliation of the emergency plan (应急预案), once the link is back: every voucher a sender took
/// to paper against what its receiver paid for that number — on paper, electronically, not yet, with another
/// amount, or both — and every emergency paper a bank registered that matches no such voucher (a number or unit
/// mistyped at the counter, which would otherwise let the voucher be paid again). A mismatch is named; nothing is changed.
/// </summary>
public static class EmergencyPaperReconciliation
{
    public static IReadOnlyList<PaperLine> Reconcile(TreasuryNode sender, IReadOnlyList<TreasuryNode> banks)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(banks);
        var lines = new List<PaperLine>();
        var papers = sender.Library.EmergencyPapers();
        foreach (var paper in papers)
        {
            var (onPaper, electronic) = banks.FirstOrDefault(b => b.Party.ToString() == paper.Receiver) is { } receiver ? PaidAt(receiver, sender.Master, paper) : (0, 0);
            var outcome = (onPaper, electronic) switch
            {
                ( > 0, > 0) => PaperOutcome.PaidTwice,
                ( > 0, _) when onPaper != paper.AmountFen => PaperOutcome.AmountDiffers,
                ( > 0, _) => PaperOutcome.PaidOnPaper,
                (_, > 0) when electronic != paper.AmountFen => PaperOutcome.AmountDiffers,
                (_, > 0) => PaperOutcome.PaidElectronically,
                _ => PaperOutcome.NotYetPaid,
            };
            lines.Add(new PaperLine(paper.VtCode, paper.VoucherNo, paper.AgencyCode, paper.Receiver, paper.AmountFen, outcome, onPaper, electronic));
        }

        foreach (var bank in banks)
        {
            using var connection = bank.Library.Database.Connect();
            var registered = connection.Query<(string AgencyCode, string VoucherNo, long AmountFen)>(
                "SELECT agency_code AS AgencyCode, voucher_no AS VoucherNo, amount_fen AS AmountFen FROM bank_paper_payments WHERE emergency = 1 AND st_year = @year ORDER BY registered_at, voucher_no",
                new { year = sender.Master.StYear });
            foreach (var (agency, no, fen) in registered)
            {
                if (!papers.Any(p => p.Receiver == bank.Party.ToString() && p.AgencyCode == agency && p.VoucherNo == no))
                {
                    lines.Add(new PaperLine(VoucherLibrary.PaperVtCode, no, agency, bank.Party.ToString(), null, PaperOutcome.UnknownPaper, fen, 0));
                }
            }
        }

        return lines;
    }

    public static string ChineseName(this PaperOutcome outcome) => outcome switch
    {
        PaperOutcome.PaidOnPaper => "已按应急纸质支付",
        PaperOutcome.PaidElectronically => "已电子支付",
        PaperOutcome.NotYetPaid => "尚未支付",
        PaperOutcome.AmountDiffers => "金额不符",
        PaperOutcome.PaidTwice => "重复支付",
        PaperOutcome.UnknownPaper => "无对应凭证",
        _ => outcome.ToString(),
    };

    // What the bank holds for the number: its paper registration and its electronic payment lines, in fen.
    private static (long OnPaper, long Electronic) PaidAt(TreasuryNode bank, Node.Network.MasterData master, EmergencyPaper paper)
    {
        using var connection = bank.Library.Database.Connect();
        var key = new { adm = master.DivisionOf(paper.AgencyCode).AdmDivCode, year = master.StYear, agency = paper.AgencyCode, no = paper.VoucherNo };
        var onPaper = connection.ExecuteScalar<long?>(
            "SELECT SUM(amount_fen) FROM bank_paper_payments WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND voucher_no = @no", key) ?? 0;
        var electronic = connection.ExecuteScalar<long?>(
            "SELECT SUM(amount_fen) FROM bank_payments WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND voucher_no = @no", key) ?? 0;
        return (onPaper, electronic);
    }
}
