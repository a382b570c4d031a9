using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Business.Finance;

/// <summary>One line of an allocation (实拨): a budget unit × functional class and the amount.</summary>
public sealed record AllocationLine(string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>An allocation order (实拨拨款): paid by PBOC from the treasury single account to <paramref name="Payee"/>.</summary>
public sealed record AllocationOrder(string VoucherNo, Payee Payee, IReadOnlyList<AllocationLine> Lines, string Summary);

/// <summary>An allocation refund (3208) Finance signed for, against the 5207 it refunds.</summary>
public sealed record AllocationRefund(string VoucherNo, string OriVoucherNo, Amount Amount, string Reason);

/// <summary>What the 实拨 use cases share: finding an own 5207, making one, the refunds booked against one.</summary>
internal static class FinanceAllocations
{
    /// <summary>实拨拨款凭证.</summary>
    public const string VtCode = "5207";

    /// <summary>The allocation refunds (3208) booked against a 5207, oldest first.</summary>
    public static IReadOnlyList<AllocationRefund> Refunds(FinanceContext finance, string oriVoucherNo)
    {
        using var connection = finance.Library.Database.Connect();
        return [.. connection.Query<(string VoucherNo, string OriVoucherNo, long AmountFen, string Reason)>(
            "SELECT voucher_no, ori_voucher_no, amount_fen, reason FROM finance_allocation_refunds WHERE st_year = @year AND ori_voucher_no = @oriVoucherNo ORDER BY booked_at, voucher_no",
            new { year = finance.Master.StYear, oriVoucherNo })
            .Select(r => new AllocationRefund(r.VoucherNo, r.OriVoucherNo, new Amount(r.AmountFen), r.Reason))];
    }

    /// <summary>
    /// The own 5207 of that number (the first version), or null. A 5207's number names it in every division Finance
    /// serves: <see cref="NumberTakenElsewhere"/> keeps one number to one division.
    /// </summary>
    public static StoredVoucher? Own(FinanceContext finance, LibrarySession session, string voucherNo) =>
        OwnId(finance, session.Connection, session.Transaction, voucherNo) is { } id ? VoucherLibrary.Find(session, id) : null;

    /// <summary>The same, read outside any transaction (who is to act on it is decided before one starts).</summary>
    public static StoredVoucher? Own(FinanceContext finance, string voucherNo)
    {
        using var connection = finance.Library.Database.Connect();
        return OwnId(finance, connection, null, voucherNo) is { } id ? finance.Library.Find(id) : null;
    }

    private static long? OwnId(FinanceContext finance, System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, string voucherNo) =>
        connection.QueryFirstOrDefault<long?>(
            """
            SELECT id FROM vouchers WHERE origin = 'own' AND st_year = @year AND vt_code = '5207' AND voucher_no = @voucherNo AND flag = 0
            ORDER BY id LIMIT 1
            """,
            new { year = finance.Master.StYear, voucherNo }, transaction);

    /// <summary>The division an allocation is of: its units' (all its lines must be of one division).</summary>
    public static Division DivisionOf(FinanceContext finance, AllocationOrder order) => finance.Master.DivisionOf(order.Lines[0].AgencyCode);

    /// <summary>
    /// Why the order cannot be a 5207 of its division, else null: its lines are of units of more than one division, or
    /// its number is a 5207 of another division already (a 5207's number names it across Finance's divisions).
    /// </summary>
    public static LibraryResult? NumberTakenElsewhere(FinanceContext finance, LibrarySession session, AllocationOrder order)
    {
        var divisions = order.Lines.Select(l => finance.Master.DivisionOf(l.AgencyCode).AdmDivCode).Distinct(StringComparer.Ordinal).ToList();
        if (divisions.Count > 1)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"实拨凭证 {order.VoucherNo} 的明细属于多个行政区划 ({string.Join(", ", divisions)}), 一张凭证只能属于一个行政区划");
        }

        var other = session.Connection.QueryFirstOrDefault<string?>(
            "SELECT adm_div_code FROM vouchers WHERE origin = 'own' AND st_year = @year AND vt_code = '5207' AND voucher_no = @no AND adm_div_code <> @adm LIMIT 1",
            new { year = finance.Master.StYear, no = order.VoucherNo, adm = divisions[0] }, session.Transaction);
        return other is null ? null : LibraryResult.Refused(LibraryRejection.DuplicateVoucherNo, $"实拨凭证号 {order.VoucherNo} 已在行政区划 {other} 使用");
    }

    /// <summary>A reason shortened to what the library takes.</summary>
    public static string Reason(string reason) =>
        reason.Length <= Domain.Limits.ReasonLengthMax ? reason : reason[..(Domain.Limits.ReasonLengthMax - 1)] + "…";

    /// <summary>A 5207 实拨拨款凭证 of the order.</summary>
    public static Voucher Voucher(FinanceContext finance, AllocationOrder order, DateOnly vouDate)
    {
        var total = Amount.Sum(order.Lines.Select(l => l.Amount));
        var units = order.Lines.Select(l => finance.Master.Unit(l.AgencyCode)).DistinctBy(u => u.AgencyCode).ToList();
        var division = DivisionOf(finance, order);
        List<VoucherField> header =
        [
            .. division.VoucherHeader(finance.Master.StYear, FinanceAllocations.VtCode, order.VoucherNo, FinanceContext.Date(vouDate)),
            new("TreCode", division.TreCode),
            new("FinOrgCode", division.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "91"),
            new("PayTypeName", "实拨"),
            new("ClearBankCode", "001"),
            new("ClearBankName", finance.Master.PbocName),
            new("PayeeAcctNo", order.Payee.AccountNo),
            new("PayeeAcctName", order.Payee.Name),
            new("PayeeAcctBankName", order.Payee.BankName),
            new("PayeeAcctBankNo", order.Payee.BankNo),
            new("PayAcctNo", division.TreasuryAccountNo),
            new("PayAcctName", $"{division.AdmDivName}国库单一账户"),
            new("PayAcctBankName", finance.Master.PbocName),
            new("PaySummaryName", order.Summary),
            new("PayAmt", total.ToWire()),
        ];
        if (units.Count == 1)
        {
            header.Add(new("AgencyCode", units[0].AgencyCode));
            header.Add(new("AgencyName", units[0].Name));
        }

        header.Add(new("BusinessTypeCode", order.Lines.Count == 1 ? "1" : "4"));
        header.Add(new("BusinessTypeName", order.Lines.Count == 1 ? "单笔" : "批量"));
        var details = order.Lines.Select((l, i) =>
        {
            var unit = finance.Master.Unit(l.AgencyCode);
            var functional = unit.Classes.Single(c => c.ExpFuncCode == l.ExpFuncCode);
            return new VoucherDetail(
            [
                new("Id", FinanceContext.Text(i + 1)),
                new("VoucherBillId", order.VoucherNo),
                new("VoucherDetailNo", $"{order.VoucherNo}-{i + 1}"),
                .. unit.ClassFields(functional),
                new("PayeeAcctNo", order.Payee.AccountNo),
                new("PayeeAcctName", order.Payee.Name),
                new("PayeeAcctBankNo", order.Payee.BankNo),
                new("PayeeAcctBankName", order.Payee.BankName),
                new("PaySummaryName", order.Summary),
                new("PayAmt", l.Amount.ToWire()),
            ]);
        });
        return new Voucher(header, details);
    }
}
