using System.Data.Common;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// The voucher index (凭证要素索引, migration 0011): the header and line fields Finance's books read, as rows of
/// <c>voucher_headers</c> and <c>voucher_lines</c>, written in the transaction that stores the voucher. The day's
/// reconciliation reads these rows with SQL and never parses a stored voucher again.
/// </summary>
public static class VoucherIndex
{
    /// <summary>Indexes one stored voucher: its header row and one row per detail line, in wire order.</summary>
    public static void Record(DbConnection connection, DbTransaction transaction, long voucherId, Voucher content)
    {
        ArgumentNullException.ThrowIfNull(content);
        connection.Execute(
            """
            INSERT INTO voucher_headers (voucher_id, pay_bank_code, pay_bank_no, pay_type_code, x_clear_date, x_pay_date, payee_acct_no)
            VALUES (@voucherId, @payBankCode, @payBankNo, @payTypeCode, @xClearDate, @xPayDate, @payeeAcctNo)
            """,
            new
            {
                voucherId,
                payBankCode = content["PayBankCode"],
                payBankNo = content["PayBankNo"],
                payTypeCode = content["PayTypeCode"],
                xClearDate = content["XClearDate"],
                xPayDate = content["XPayDate"],
                payeeAcctNo = content["PayeeAcctNo"],
            },
            transaction);
        if (content.Details.Count == 0)
        {
            return;
        }

        // One prepared statement for every line (a payroll voucher has up to Limits.VoucherDetailsMax of them).
        connection.Execute(
            """
            INSERT INTO voucher_lines (voucher_id, line, voucher_no, agency_code, exp_func_code, payee_acct_no, pay_amt_fen, plan_amt_fen, x_pay_amt_fen, x_add_word)
            VALUES (@VoucherId, @Line, @VoucherNo, @AgencyCode, @ExpFuncCode, @PayeeAcctNo, @PayAmtFen, @PlanAmtFen, @XPayAmtFen, @XAddWord)
            """,
            content.Details.Select((d, line) => new LineRow(
                voucherId, line, d["VoucherNo"], d["AgencyCode"], d["ExpFuncCode"], d["PayeeAcctNo"],
                Fen(d["PayAmt"]), Fen(d["PlanAmt"]), Fen(d["XPayAmt"]), d["XAddWord"])),
            transaction);
    }

    /// <summary>
    /// Migration 0011's own step: indexes every voucher stored before it, in the migration's transaction, a batch of
    /// XML at a time (so a large library is not read into memory at once).
    /// </summary>
    public static void RecordStored(DbConnection connection, DbTransaction transaction)
    {
        const int Batch = 500;
        var after = 0L;
        while (true)
        {
            var rows = connection.Query<(long Id, byte[] InnerXml)>(
                "SELECT id, inner_xml FROM vouchers WHERE id > @after ORDER BY id LIMIT @Batch", new { after, Batch }, transaction).ToList();
            foreach (var (id, inner) in rows)
            {
                // Every stored voucher was read and checked before it was stored; one that no longer reads is left unindexed
                // (the integrity check names it) rather than stopping the upgrade.
                if (VoucherXml.Read(inner) is { IsSuccess: true } read)
                {
                    Record(connection, transaction, id, read.Value);
                }
            }

            if (rows.Count < Batch)
            {
                return;
            }

            after = rows[^1].Id;
        }
    }

    private static long? Fen(string? wire) => Amount.TryParseWire(wire, out var amount) ? amount.Fen : null;

    private sealed record LineRow(
        long VoucherId, long Line, string? VoucherNo, string? AgencyCode, string? ExpFuncCode, string? PayeeAcctNo,
        long? PayAmtFen, long? PlanAmtFen, long? XPayAmtFen, string? XAddWord);
}
