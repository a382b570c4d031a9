using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc.Received;

/// <summary>
/// 5207 实拨拨款凭证: the treasury single account (国库单一账户) pays it and answers with the stamped 回单
/// (XPayAmt, XPayDate, XAgentBusinessNo), or returns (退回) it with the reason when the payment fails: the
/// account would go below zero, or the payee's bank refuses (账户核验 through the configured port says the account is closed).
/// </summary>
internal static class PayAllocation
{
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher order)
    {
        var (library, bookkeeper, reviewer, businessDate) = (shift.Pboc.Library, shift.Bookkeeper, shift.Reviewer, shift.BusinessDate);
        var content = order.Content;
        var total = Amount.ParseWire(content["PayAmt"]!);
        var key = new { adm = order.AdmDivCode, year = order.StYear, no = order.VoucherNo };
        var closed = new[] { content["PayeeAcctNo"] }.Concat(content.Details.Select(d => d["PayeeAcctNo"]))
            .Where(a => a is not null).Select(a => shift.Pboc.Accounts.Refuse(a)).FirstOrDefault(r => r is not null);
        var failure =
            session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pboc_allocations WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @no", key, session.Transaction) > 0
                ? PbocRejection.DuplicateVoucherNo.Say($"拨款凭证 {order.VoucherNo} 已支付")
            : content["PayTypeCode"] != "91" ? PbocRejection.WrongPayType.Say($"支付方式 {content["PayTypeCode"]} 不是实拨(91)")
            : closed is not null ? PbocRejection.PayeeBankRefused.Say($"收款行拒绝入账, {closed}")
            : TreasuryAccount.Shortfall(session, order.AdmDivCode, order.StYear, total, "支付");
        if (failure is not null)
        {
            var returned = library.Return(session, order.Id, PbocContext.Bookkeeper, failure);
            return returned.Ok ? returned with { Message = PbocContext.Returned } : returned;
        }

        var seq = session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pboc_allocations", transaction: session.Transaction) + 1;
        var businessNo = $"SB{PbocContext.Date(businessDate)}{seq:D6}";
        TreasuryAccount.Move(session, order.AdmDivCode, order.StYear, TreasuryMovementKind.Allocation, order.Key.ToString(), total, businessDate);
        session.Connection.Execute(
            """
            INSERT INTO pboc_allocations (adm_div_code, st_year, voucher_no, voucher_id, amount_fen, pay_date, business_no)
            VALUES (@adm, @year, @no, @id, @fen, @date, @businessNo)
            """,
            new { key.adm, key.year, key.no, id = order.Id, fen = total.Fen, date = PbocContext.Date(businessDate), businessNo }, session.Transaction);
        session.Audit(PbocContext.Bookkeeper, "allocate", order.Key.ToString(), $"{total.ToWire()} from the treasury single account to {content["PayeeAcctName"]} ({businessNo})");
        var date = PbocContext.Date(businessDate);
        return library.Reply(session, order.Id, bookkeeper, reviewer,
            v => v.With("XPayAmt", total.ToWire()).With("XPayDate", date).With("XAgentBusinessNo", businessNo)
                .WithDetails(v.Details.Select(d => d.With("XPayAmt", d["PayAmt"]!).With("XPayDate", date).With("XAgentBusinessNo", businessNo))),
            []);
    }
}
