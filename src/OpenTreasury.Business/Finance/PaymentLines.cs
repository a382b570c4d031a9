using System.Text.RegularExpressions;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// A payroll's (代发工资) detail lines as a unit keeps them: a UTF-8 CSV of economic class, its name, the amount
/// in yuan and a remark, one line per person and pay item (<c>30101,基本工资,5230.00,职工0001</c>). The same
/// reading for the CLI's <c>treasury pay --lines FILE</c> and the unit desk's upload.
/// </summary>
public static partial class PaymentLines
{
    /// <summary>The lines of <paramref name="rows"/>; false and a Chinese line naming the first fault.</summary>
    public static bool TryRead(IEnumerable<string> rows, List<PaymentLine> lines, out string error)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(lines);
        error = string.Empty;
        var number = 0;
        foreach (var row in rows)
        {
            number++;
            if (string.IsNullOrWhiteSpace(row))
            {
                continue;
            }

            var cells = row.TrimStart('\uFEFF').Split(',', 4, StringSplitOptions.TrimEntries);
            if (cells.Length < 3 || !ExpEcoCode().IsMatch(cells[0]) || cells[1].Length == 0)
            {
                error = $"明细第 {number} 行应为“经济分类代码,名称,金额,备注”，如 30101,基本工资,5230.00,职工0001";
                return false;
            }

            if (!Amount.TryParseWire(cells[2], out var money, out _) || money <= Amount.Zero)
            {
                error = $"明细第 {number} 行的金额“{Shorten(cells[2])}”无效：应为以元为单位、两位小数的正数";
                return false;
            }

            if (lines.Count == Limits.VoucherDetailsMax)
            {
                error = $"明细超过 {Limits.VoucherDetailsMax} 笔：一张凭证最多 {Limits.VoucherDetailsMax} 笔明细";
                return false;
            }

            lines.Add(new PaymentLine(cells[0], cells[1], money, cells.Length > 3 ? cells[3] : string.Empty));
        }

        if (lines.Count == 0)
        {
            error = "明细文件没有明细";
            return false;
        }

        return true;
    }

    /// <summary>The lines of a CSV read from <paramref name="reader"/> (an upload), as <see cref="TryRead(IEnumerable{string}, List{PaymentLine}, out string)"/>.</summary>
    public static bool TryRead(TextReader reader, List<PaymentLine> lines, out string error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return TryRead(Rows(reader), lines, out error);

        static IEnumerable<string> Rows(TextReader reader)
        {
            while (reader.ReadLine() is { } row)
            {
                yield return row;
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";

    [GeneratedRegex("^[0-9]{3,8}$")]
    private static partial Regex ExpEcoCode();
}
