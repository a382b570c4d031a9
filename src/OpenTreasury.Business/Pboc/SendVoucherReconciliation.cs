using System.Globalization;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// 凭证对账, PBOC's half: at the end of a day it lists, per division, what its library holds of the day with each
/// counterpart, per voucher type — a 3501 to Finance, a 3502 to each bank (detail VoucherNo, Amt, ProState)
/// — and a 4004 to Finance, a 4005 to each bank with each type's count and total. Finance and the banks
/// check them against their own libraries (<see cref="VoucherStatements.Check"/>).
/// </summary>
internal static class SendVoucherReconciliation
{
    /// <summary>
    /// Sends the day's voucher statements (3501/3502 per voucher type, 4004/4005) of each division to Finance and
    /// each bank with something exchanged in it that day, stamped by rh_jz and rh_fh, in one transaction. The numbers are
    /// fixed by day, counterpart and type, so a rerun carries on a statement already begun and never sends
    /// one twice; a statement already sent is not remade when the day's vouchers changed since.
    /// </summary>
    public static IReadOnlyList<LibraryResult> Handle(PbocContext pboc, DateOnly date)
    {
        var (bookkeeper, reviewer) = (pboc.Signers.SignerFor(PbocContext.Bookkeeper), pboc.Signers.SignerFor(PbocContext.Reviewer));
        var results = new List<LibraryResult>();
        using var session = pboc.Library.Begin();
        var counterparts = new[] { PartyId.Finance }
            .Concat(pboc.Master.Banks.OrderBy(b => b.BankCode, StringComparer.Ordinal).Select(b => PartyId.ForBank(BankCode.Parse(b.BankCode))));
        foreach (var division in pboc.Master.Divisions)
        {
            foreach (var counterpart in counterparts)
            {
                var lines = VoucherStatements.Lines(session.Connection, session.Transaction, pboc.Library.Party, counterpart, division.AdmDivCode, date);
                foreach (var type in lines.GroupBy(l => l.VtCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var statement = VoucherStatement(pboc, division, counterpart, date, type.Key, [.. type.Select(l => l.Line)]);
                    results.Add(Send(statement, counterpart));
                }

                if (lines.Count > 0)
                {
                    var totals = PaymentStatement(pboc, division, counterpart, date, VoucherReconciliation.Totals(lines));
                    results.Add(Send(totals, counterpart));
                }
            }
        }

        session.Commit();
        return results;

        LibraryResult Send(Voucher statement, PartyId to) => SendOnce(pboc, session, statement, to, bookkeeper, reviewer);
    }

    /// <summary>
    /// Issues a statement whose number is fixed by its period and counterpart, once: a statement of that number
    /// already made stands as it was sent, even when the period's vouchers changed since (a payment cleared later,
    /// e.g. by <c>treasury pay</c> between two demo runs, is the next reconciliation's difference, not a second
    /// statement under the same number).
    /// </summary>
    internal static LibraryResult SendOnce(PbocContext pboc, LibrarySession session, Voucher statement, PartyId to, Node.People.Signer bookkeeper, Node.People.Signer reviewer) =>
        pboc.Library.FindOwn(session, statement.Key) is { } sent
            ? LibraryResult.Done(sent.Id, "already sent")
            : pboc.Library.Issue(session, statement, [to], bookkeeper, reviewer).ThrowIfRefused();

    /// <summary>A 3501 (to Finance) or 3502 (to a bank) for one voucher type of the day.</summary>
    private static Voucher VoucherStatement(PbocContext pboc, Node.Network.Division division, PartyId counterpart, DateOnly date, string vtCode, IReadOnlyList<ReconLine> lines)
    {
        var bank = counterpart.Bank?.Value;
        var code = bank is null ? "3501" : "3502";
        var voucherNo = $"PZDZ{bank}{PbocContext.Date(date)}{vtCode}";
        var header = new List<VoucherField>
        {
            new("AdmDivCode", division.AdmDivCode),
            new("StYear", pboc.Master.StYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", code),
            new("VouDate", PbocContext.Date(date)),
            new("VoucherNo", voucherNo),
            new("TreCode", division.TreCode),
        };
        header.AddRange(bank is null ? [new("ClearBankCode", "001"), new("ClearBankName", pboc.Master.PbocName)] : [new VoucherField("PayBankCode", bank)]);
        header.AddRange(
        [
            new("CheckDate", PbocContext.Date(date)),
            new("EVoucherType", vtCode),
            new("AllNum", lines.Count.ToString(CultureInfo.InvariantCulture)),
            new("AllAmt", Amount.Sum(lines.Select(l => l.Amount)).ToWire()),
        ]);
        var details = lines.Select((l, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("VoucherNo", l.VoucherNo),
            new("Amt", l.Amount.ToWire()),
            new("ProState", l.ProState),
        ]));
        return new Voucher(header, details);
    }

    /// <summary>A 4004 (to Finance) or 4005 (to a bank): each voucher type's count and total of the day.</summary>
    private static Voucher PaymentStatement(PbocContext pboc, Node.Network.Division division, PartyId counterpart, DateOnly date, IReadOnlyList<TypeTotal> totals)
    {
        var bank = counterpart.Bank?.Value;
        var code = bank is null ? "4004" : "4005";
        var voucherNo = $"ZFDZ{bank}{PbocContext.Date(date)}";
        List<VoucherField> header =
        [
            .. division.VoucherHeader(pboc.Master.StYear, code, voucherNo, PbocContext.Date(date)),
            new("TreCode", division.TreCode),
        ];
        if (bank is not null)
        {
            header.AddRange([new("PayBankCode", bank), new("PayBankName", pboc.Master.Bank(bank).Name)]);
        }

        header.Add(new("CheckDate", PbocContext.Date(date)));
        var details = totals.Select(t => new VoucherDetail(
        [
            new("EVoucherType", t.VtCode),
            new("EVoucherTypeName", VoucherCatalogue.TryGet(t.VtCode, out var type) ? type.Name : string.Empty),
            new("AllNum", t.Count.ToString(CultureInfo.InvariantCulture)),
            new("AllAmt", t.Amount.ToWire()),
        ]));
        return new Voucher(header, details);
    }
}
