using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Checks;

/// <summary>What <see cref="NodeCheck"/> found: how much it looked at and every difference, named.</summary>
public sealed record NodeCheckReport(PartyId Party, long Vouchers, long AuditEntries, long Checkpoints, long BalanceLines, IReadOnlyList<string> Differences)
{
    public bool Clean => Differences.Count == 0;
}

/// <summary>
/// Checks a node's store against itself (<c>treasury node check</c>): every stored voucher against its
/// digest, columns and stamps; the audit chain link by link and against its signed checkpoints; and
/// every balance table against the vouchers that explain it. Reads only; a difference is named, not fixed.
/// </summary>
public static class NodeCheck
{
    private const int Page = 500;

    public static NodeCheckReport Run(TreasuryNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var library = node.Library;
        var differences = new List<string>();
        long vouchers = 0;
        using var connection = library.Database.Connect();
        for (long after = 0; ;)
        {
            var ids = connection.Query<long>("SELECT id FROM vouchers WHERE id > @after ORDER BY id LIMIT @Page", new { after, Page }).ToList();
            if (ids.Count == 0)
            {
                break;
            }

            foreach (var id in ids)
            {
                var verdict = library.CheckIntegrity(library.Find(id)!);
                if (!verdict.Intact)
                {
                    differences.Add($"voucher {verdict}");
                }
            }

            vouchers += ids.Count;
            after = ids[^1];
        }

        var chain = AuditLog.Verify(connection);
        if (!chain.Intact)
        {
            differences.Add($"audit: {chain.Message}");
        }

        differences.AddRange(library.CheckAuditCheckpoints(connection).Select(p => $"audit: {p}"));
        var checkpoints = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit_checkpoints");
        var lines = node.Party.Kind == PartyKind.Bank ? BankQuotas(connection, library, differences) : 0;
        return new NodeCheckReport(node.Party, vouchers, chain.Entries, checkpoints, lines, differences);
    }

    /// <summary>
    /// A bank's quota book (<c>bank_quotas</c>) against its vouchers: issued = the 5105 lines it signed for;
    /// paid = the 8202 lines it paid (<c>bank_payments</c>, each matching its signed-for 8202 to the fen)
    /// and the paper vouchers registered at the counter, less the authorized refunds credited back; paid never above issued.
    /// </summary>
    private static long BankQuotas(System.Data.Common.DbConnection connection, VoucherLibrary library, List<string> differences)
    {
        var issued = new Dictionary<(string, long, string, string), long>();
        foreach (var notice in library.List("5105", limit: int.MaxValue).Where(v => v.Origin == "received" && v.State == "signed_for" && !v.IsReply))
        {
            foreach (var detail in Readable(notice)?.Details ?? [])
            {
                var key = (notice.AdmDivCode, notice.StYear, detail["AgencyCode"] ?? string.Empty, detail["ExpFuncCode"] ?? string.Empty);
                issued[key] = checked(issued.GetValueOrDefault(key) + Amount.ParseWire(detail["PlanAmt"]!).Fen);
            }
        }

        var paid = new Dictionary<(string, long, string, string), long>();
        var payments = new Dictionary<long, Domain.Vouchers.Voucher?>();
        foreach (var row in connection.Query<PaymentRow>(
            "SELECT voucher_id AS VoucherId, line AS Line, adm_div_code AS AdmDivCode, st_year AS StYear, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, amount_fen AS AmountFen FROM bank_payments"))
        {
            var key = (row.AdmDivCode, row.StYear, row.AgencyCode, row.ExpFuncCode);
            paid[key] = checked(paid.GetValueOrDefault(key) + row.AmountFen);
            // A voucher of many lines is read and parsed once, not once per line.
            if (!payments.TryGetValue(row.VoucherId, out var content))
            {
                var voucher = library.Find(row.VoucherId);
                content = voucher is { VtCode: "8202", Origin: "received", State: "signed_for" } ? Readable(voucher) : null;
                payments[row.VoucherId] = content;
            }

            var line = content is not null && row.Line >= 1 && row.Line <= content.Details.Count ? content.Details[(int)row.Line - 1]["PayAmt"] : null;
            if (line is null || Amount.ParseWire(line).Fen != row.AmountFen)
            {
                differences.Add($"bank_payments: voucher {row.VoucherId} line {row.Line} booked {new Amount(row.AmountFen).ToWire()}, "
                    + (line is null ? "but no signed-for 8202 has that line" : $"its 8202 says {line}"));
            }
        }

        foreach (var row in connection.Query<(string AdmDivCode, long StYear, string AgencyCode, string ExpFuncCode, long AmountFen)>(
            "SELECT adm_div_code, st_year, agency_code, exp_func_code, amount_fen FROM bank_refunds WHERE pay_type = '12' AND credited_date IS NOT NULL AND cancelled_reason IS NULL"))
        {
            var key = (row.AdmDivCode, row.StYear, row.AgencyCode, row.ExpFuncCode);
            paid[key] = checked(paid.GetValueOrDefault(key) - row.AmountFen);
        }

        // 过渡期: paper vouchers registered at the counter (two people, append-only) draw on the same quota.
        foreach (var row in connection.Query<(string AdmDivCode, long StYear, string AgencyCode, string ExpFuncCode, long AmountFen)>(
            "SELECT adm_div_code, st_year, agency_code, exp_func_code, amount_fen FROM bank_paper_payments"))
        {
            var key = (row.AdmDivCode, row.StYear, row.AgencyCode, row.ExpFuncCode);
            paid[key] = checked(paid.GetValueOrDefault(key) + row.AmountFen);
        }

        var booked = connection.Query<QuotaRow>(
            "SELECT adm_div_code AS AdmDivCode, st_year AS StYear, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, issued_fen AS IssuedFen, paid_fen AS PaidFen FROM bank_quotas").ToList();
        foreach (var quota in booked)
        {
            var key = (quota.AdmDivCode, quota.StYear, quota.AgencyCode, quota.ExpFuncCode);
            var subject = $"bank_quotas {quota.AgencyCode}/{quota.ExpFuncCode}";
            if (quota.IssuedFen != issued.GetValueOrDefault(key))
            {
                differences.Add($"{subject}: issued {new Amount(quota.IssuedFen).ToWire()}, the 5105s signed for explain {new Amount(issued.GetValueOrDefault(key)).ToWire()}");
            }

            if (quota.PaidFen != paid.GetValueOrDefault(key))
            {
                differences.Add($"{subject}: paid {new Amount(quota.PaidFen).ToWire()}, the 8202s paid less refunds explain {new Amount(paid.GetValueOrDefault(key)).ToWire()}");
            }

            if (quota.PaidFen > quota.IssuedFen)
            {
                differences.Add($"{subject}: paid {new Amount(quota.PaidFen).ToWire()} is above issued {new Amount(quota.IssuedFen).ToWire()}");
            }
        }

        foreach (var key in issued.Keys.Concat(paid.Keys).Distinct().Where(k => !booked.Any(q => (q.AdmDivCode, q.StYear, q.AgencyCode, q.ExpFuncCode) == k)))
        {
            differences.Add($"bank_quotas {key.Item3}/{key.Item4}: no line, though its vouchers issue {new Amount(issued.GetValueOrDefault(key)).ToWire()} and pay {new Amount(paid.GetValueOrDefault(key)).ToWire()}");
        }

        return booked.Count;
    }

    /// <summary>The content, or null when the bytes do not read (named already as a voucher difference).</summary>
    private static Domain.Vouchers.Voucher? Readable(StoredVoucher voucher) =>
        Wire.VoucherXml.Read(voucher.InnerXml) is { IsSuccess: true } read ? read.Value : null;

    private sealed record PaymentRow(long VoucherId, long Line, string AdmDivCode, long StYear, string AgencyCode, string ExpFuncCode, long AmountFen);

    private sealed record QuotaRow(string AdmDivCode, long StYear, string AgencyCode, string ExpFuncCode, long IssuedFen, long PaidFen);
}
