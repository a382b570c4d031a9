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
            VALUES (@VoucherId, @PayBankCode, @PayBankNo, @PayTypeCode, @XClearDate, @XPayDate, @PayeeAcctNo)
            """,
            Header(voucherId, content),
            transaction);
        if (content.Details.Count == 0)
        {
            return;
        }

        // A payroll voucher has up to Limits.VoucherDetailsMax lines: they go LinesPerInsert at a time through one
        // statement made once, its parameters rebound, rather than a statement (and its parameters) per line.
        var details = content.Details;
        var line = 0;
        if (details.Count >= LinesPerInsert)
        {
            using var full = LinesInsert(connection, transaction, LinesPerInsert);
            for (; details.Count - line >= LinesPerInsert; line += LinesPerInsert)
            {
                Bind(full, voucherId, details, line, LinesPerInsert);
                _ = full.ExecuteNonQuery();
            }
        }

        if (line < details.Count)
        {
            using var rest = LinesInsert(connection, transaction, details.Count - line);
            Bind(rest, voucherId, details, line, details.Count - line);
            _ = rest.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Lines one INSERT writes, ten parameters each. SQLite binds a parameter by a linear search of the statement's
    /// names, so a statement of a thousand parameters cost more than it saved; ten lines measured fastest (10,000
    /// lines in about 80 ms, against about 105 ms one line a statement and 150 ms through Dapper).
    /// </summary>
    private const int LinesPerInsert = 10;

    private const int LineColumns = 10;

    private static DbCommand LinesInsert(DbConnection connection, DbTransaction transaction, int lines)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var text = new System.Text.StringBuilder(
            "INSERT INTO voucher_lines (voucher_id, line, voucher_no, agency_code, exp_func_code, payee_acct_no, pay_amt_fen, plan_amt_fen, x_pay_amt_fen, x_add_word) VALUES ");
        for (var row = 0; row < lines; row++)
        {
            _ = text.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < LineColumns; column++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@p{row}_{column}");
                _ = command.Parameters.Add(parameter);
                _ = text.Append(column == 0 ? string.Empty : ", ").Append(parameter.ParameterName);
            }

            _ = text.Append(')');
        }

        command.CommandText = text.ToString();
        return command;
    }

    private static void Bind(DbCommand command, long voucherId, IReadOnlyList<VoucherDetail> details, int first, int lines)
    {
        for (var row = 0; row < lines; row++)
        {
            var line = Line(voucherId, first + row, details[first + row]);
            object?[] values = [line.VoucherId, line.Line, line.VoucherNo, line.AgencyCode, line.ExpFuncCode, line.PayeeAcctNo, line.PayAmtFen, line.PlanAmtFen, line.XPayAmtFen, line.XAddWord];
            for (var column = 0; column < LineColumns; column++)
            {
                command.Parameters[(row * LineColumns) + column].Value = values[column] ?? DBNull.Value;
            }
        }
    }

    /// <summary>
    /// What the index says about one voucher that its content does not (a row missing, extra or different), each named;
    /// empty when the rows are exactly what <see cref="Record"/> writes for <paramref name="content"/>.
    /// </summary>
    public static IReadOnlyList<string> Differences(DbConnection connection, long voucherId, Voucher content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var problems = new List<string>();
        var header = connection.QueryFirstOrDefault<HeaderRow>(
            """
            SELECT voucher_id AS VoucherId, pay_bank_code AS PayBankCode, pay_bank_no AS PayBankNo, pay_type_code AS PayTypeCode,
                   x_clear_date AS XClearDate, x_pay_date AS XPayDate, payee_acct_no AS PayeeAcctNo
            FROM voucher_headers WHERE voucher_id = @voucherId
            """,
            new { voucherId });
        var expected = Header(voucherId, content);
        if (header is null)
        {
            problems.Add("the voucher index has no header row for it");
        }
        else if (header != expected)
        {
            problems.Add($"the voucher index's header row says {header.Show()}, the bytes {expected.Show()}");
        }

        var lines = connection.Query<LineRow>(
            """
            SELECT voucher_id AS VoucherId, line AS Line, voucher_no AS VoucherNo, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode,
                   payee_acct_no AS PayeeAcctNo, pay_amt_fen AS PayAmtFen, plan_amt_fen AS PlanAmtFen, x_pay_amt_fen AS XPayAmtFen, x_add_word AS XAddWord
            FROM voucher_lines WHERE voucher_id = @voucherId ORDER BY line
            """,
            new { voucherId }).ToList();
        if (lines.Count != content.Details.Count)
        {
            problems.Add($"the voucher index has {lines.Count} line row(s), the bytes {content.Details.Count} detail line(s)");
            return problems;
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var want = Line(voucherId, i, content.Details[i]);
            if (lines[i] != want)
            {
                problems.Add($"the voucher index's line {i + 1} says {lines[i].Show()}, the bytes {want.Show()}");
            }
        }

        return problems;
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

    private static HeaderRow Header(long voucherId, Voucher content) => new()
    {
        VoucherId = voucherId,
        PayBankCode = content["PayBankCode"],
        PayBankNo = content["PayBankNo"],
        PayTypeCode = content["PayTypeCode"],
        XClearDate = content["XClearDate"],
        XPayDate = content["XPayDate"],
        PayeeAcctNo = content["PayeeAcctNo"],
    };

    private static LineRow Line(long voucherId, int line, VoucherDetail d) => new()
    {
        VoucherId = voucherId,
        Line = line,
        VoucherNo = d["VoucherNo"],
        AgencyCode = d["AgencyCode"],
        ExpFuncCode = d["ExpFuncCode"],
        PayeeAcctNo = d["PayeeAcctNo"],
        PayAmtFen = Fen(d["PayAmt"]),
        PlanAmtFen = Fen(d["PlanAmt"]),
        XPayAmtFen = Fen(d["XPayAmt"]),
        XAddWord = d["XAddWord"],
    };

    // Property records, not positional ones: SQLite types each value by what it holds, which Dapper's
    // constructor matching does not accept; properties it converts.
    private sealed record HeaderRow
    {
        public long VoucherId { get; init; }

        public string? PayBankCode { get; init; }

        public string? PayBankNo { get; init; }

        public string? PayTypeCode { get; init; }

        public string? XClearDate { get; init; }

        public string? XPayDate { get; init; }

        public string? PayeeAcctNo { get; init; }

        public string Show() => $"PayBankCode {PayBankCode ?? "-"}, PayBankNo {PayBankNo ?? "-"}, PayTypeCode {PayTypeCode ?? "-"}, XClearDate {XClearDate ?? "-"}, XPayDate {XPayDate ?? "-"}, PayeeAcctNo {PayeeAcctNo ?? "-"}";
    }

    private sealed record LineRow
    {
        public long VoucherId { get; init; }

        public long Line { get; init; }

        public string? VoucherNo { get; init; }

        public string? AgencyCode { get; init; }

        public string? ExpFuncCode { get; init; }

        public string? PayeeAcctNo { get; init; }

        public long? PayAmtFen { get; init; }

        public long? PlanAmtFen { get; init; }

        public long? XPayAmtFen { get; init; }

        public string? XAddWord { get; init; }

        public string Show() => $"VoucherNo {VoucherNo ?? "-"}, AgencyCode {AgencyCode ?? "-"}, ExpFuncCode {ExpFuncCode ?? "-"}, PayeeAcctNo {PayeeAcctNo ?? "-"}, PayAmt {Yuan(PayAmtFen)}, PlanAmt {Yuan(PlanAmtFen)}, XPayAmt {Yuan(XPayAmtFen)}, XAddWord {XAddWord ?? "-"}";

        private static string Yuan(long? fen) => fen is { } value ? new Amount(value).ToWire() : "-";
    }
}
