using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// 5105 财政授权支付额度通知单: book each unit × class quota, sign for it, and tell Finance with one 2105
/// arrival notice (到账通知书) per unit, its own lines, in the transaction that signs for it.
/// </summary>
internal static class BookQuota
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher notice)
    {
        var (bank, library) = (shift.Bank, shift.Bank.Library);
        // Load.
        var content = notice.Content;
        // Decide: a notice for another bank is refused.
        if (content["PayBankCode"] != bank.Bank.BankCode)
        {
            return library.Refuse(session, notice.Id, bank.Clerk,
                BankRejection.NotOurBank.Say($"额度通知单的代理银行 {content["PayBankCode"]} 不是本行 {bank.Bank.BankCode}"));
        }

        // Record: the quota, the signature, the 2105.
        foreach (var detail in content.Details)
        {
            session.Connection.Execute(
                """
                INSERT INTO bank_quotas (adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES (@adm, @year, @agency, @func, @fen)
                ON CONFLICT (adm_div_code, st_year, agency_code, exp_func_code) DO UPDATE SET issued_fen = bank_quotas.issued_fen + excluded.issued_fen
                """,
                new { adm = notice.AdmDivCode, year = notice.StYear, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], fen = Amount.ParseWire(detail["PlanAmt"]!).Fen },
                session.Transaction);
        }

        var signed = library.SignFor(session, notice.Id, bank.Clerk);
        if (!signed.Ok)
        {
            return signed;
        }

        // One 2105 per unit: each unit reads (and prints) its own arrival notice on Finance's platform.
        LibraryResult? last = null;
        foreach (var unit in content.Details.GroupBy(d => d["AgencyCode"]!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            last = library.Issue(session, ArrivalNotice(bank, notice, content, unit.Key, [.. unit]), [PartyId.Finance], shift.Clerk, shift.Reviewer);
            if (!last.Ok)
            {
                return last;
            }
        }

        return last ?? signed;
    }

    /// <summary>The number of the 2105 that tells <paramref name="agencyCode"/> of its lines of the 5105 <paramref name="quotaNo"/>.</summary>
    public static string ArrivalNoticeNo(string quotaNo, string agencyCode) => $"DZ{quotaNo}-{agencyCode}";

    /// <summary>2105 财政授权支付额度到账通知书 of one unit: its lines of the 5105, as booked by this bank.</summary>
    private static Voucher ArrivalNotice(BankContext bank, StoredVoucher notice, Voucher quota, string agencyCode, IReadOnlyList<VoucherDetail> lines)
    {
        var voucherNo = ArrivalNoticeNo(notice.VoucherNo, agencyCode);
        var header = new List<VoucherField>
        {
            new("Id", voucherNo),
            new("AdmDivCode", notice.AdmDivCode),
            new("StYear", notice.StYear.ToString(CultureInfo.InvariantCulture)),
            new("VtCode", "2105"),
            new("VouDate", quota["VouDate"]!),
            new("VoucherNo", voucherNo),
            new("OriVoucherNo", notice.VoucherNo),
            new("SetMonth", quota["SetMonth"]!),
            new("PlanAmt", Amount.Sum(lines.Select(d => Amount.ParseWire(d["PlanAmt"]!))).ToWire()),
            new("PayBankCode", bank.Bank.BankCode),
            new("PayBankName", bank.Bank.Name),
        };
        var details = lines.Select((d, i) => new VoucherDetail(
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
}
