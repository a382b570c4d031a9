using System.Globalization;
using BenchmarkDotNet.Attributes;
using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// Finance's day reconciliation (对账) over a day of <see cref="Payments"/> authorized payments: their 8202s signed for
/// by the banks, each bank's 2207 daily report listing every one of them, PBOC's 2301 回单 of the clearing, and the
/// 5105 quota they draw on. <c>FinanceBooksReader.Read</c> (the voucher index, in SQL) plus <c>FinanceReconciliation.Reconcile</c>,
/// exactly as the desk and the demo call them. The baseline is a day of 10^4 payments, measured in the same run.
/// </summary>
/// <remarks>
/// A million real vouchers take days to sign here, so <see cref="Setup"/> writes the day straight into Finance's
/// store (a real network's SQLite file) with SQL: the rows the library writes (<c>vouchers</c>, <c>deliveries</c>,
/// <c>voucher_headers</c>, <c>voucher_lines</c>), with an empty XML body each. The reader never opens a body, and
/// the setup checks that the day it made reconciles balanced to the fen.
/// </remarks>
[MeasuredJob(warmupCount: 1, iterationCount: 3, invocationCount: 1)]
[MemoryDiagnoser]
public class ReconciliationBenchmarks
{
    private BenchNetwork _network = null!;

    [Params(10_000, 1_000_000)]
    public int Payments { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = BenchNetwork.Create();
        WriteDay(_network, Payments);
        var report = Reconcile();
        if (!report.Balanced || report.Paid.Fen != ExpectedPaidFen(Payments))
        {
            throw new InvalidOperationException($"the benchmark's day does not reconcile: {report.Mismatches.Count} mismatch(es), paid {report.Paid.ToWire()}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _network.Dispose();

    [Benchmark(Baseline = true, Description = "day reconciliation (read the books in SQL + reconcile)")]
    public ReconciliationReport Reconcile() =>
        FinanceReconciliation.Reconcile(FinanceBooksReader.Read(_network.Network.Finance.Library, _network.Network.Master, BenchNetwork.Date));

    /// <summary>Payment i pays 100.00 + (i mod 5,000) × 0.37 yuan, as <see cref="BenchNetwork.NextOrder"/> does.</summary>
    private static long ExpectedPaidFen(int payments)
    {
        long total = 0;
        for (var i = 0; i < payments; i++)
        {
            total += 100_00 + (i % 5_000 * 37);
        }

        return total;
    }

    private static void WriteDay(BenchNetwork bench, int payments)
    {
        var master = bench.Network.Master;
        var day = BenchNetwork.Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        // The (unit, class) keys payments cycle through, each with its unit's bank.
        var keys = master.Units.SelectMany(u => u.Classes.Select(c => (u.AgencyCode, c.ExpFuncCode, u.BankCode, master.Bank(u.BankCode).BankNo))).ToList();
        var banks = keys.Select(k => (k.BankCode, k.BankNo)).Distinct().ToList();
        using var connection = bench.Network.Finance.Library.Database.Connect();
        using var tx = connection.BeginTransaction();
        connection.Execute("CREATE TEMP TABLE bench_keys (k INTEGER PRIMARY KEY, agency TEXT, func TEXT, bank TEXT, bank_no TEXT)", transaction: tx);
        connection.Execute("INSERT INTO bench_keys VALUES (@k, @agency, @func, @bank, @bankNo)",
            keys.Select((key, k) => new { k, agency = key.AgencyCode, func = key.ExpFuncCode, bank = key.BankCode, bankNo = key.BankNo }), tx);
        connection.Execute("CREATE TEMP TABLE bench_n (i INTEGER PRIMARY KEY)", transaction: tx);
        connection.Execute("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @payments) INSERT INTO bench_n SELECT i FROM n", new { payments }, tx);
        var first = connection.ExecuteScalar<long>("SELECT COALESCE(MAX(id), 0) + 1000 FROM vouchers", transaction: tx);
        var common = new { first, day, adm = master.AdmDivCode, year = master.StYear, keys = keys.Count, signedFor = (int)VoucherStatus.SignedFor };

        // The 8202s: own, sent, signed for by their bank; one line each.
        connection.Execute(
            """
            INSERT INTO vouchers (id, origin, sender, adm_div_code, st_year, vt_code, voucher_no, version, flag, state, inner_xml, digest, amount_fen, vou_date, created_at, updated_at)
            SELECT @first + i, 'own', 'finance', @adm, @year, '8202', printf('RC%08d', i), 1, 0, 'sent', x'', '', 10000 + (i % 5000) * 37, @day, @day, @day FROM bench_n
            """, common, tx);
        connection.Execute("INSERT INTO deliveries (voucher_id, receiver, status, updated_at) SELECT @first + i, 'bank-' || bank, @signedFor, @day FROM bench_n JOIN bench_keys ON k = i % @keys", common, tx);
        connection.Execute("INSERT INTO voucher_headers (voucher_id, pay_bank_code, pay_bank_no) SELECT @first + i, bank, bank_no FROM bench_n JOIN bench_keys ON k = i % @keys", common, tx);
        connection.Execute(
            "INSERT INTO voucher_lines (voucher_id, line, agency_code, exp_func_code, pay_amt_fen) SELECT @first + i, 0, agency, func, 10000 + (i % 5000) * 37 FROM bench_n JOIN bench_keys ON k = i % @keys",
            common, tx);

        // Per bank: the 5105 quota (10^9 yuan a line), its 2207 daily report (a line per payment) and PBOC's 2301 回单 (a line per unit × class).
        var next = first + payments;
        foreach (var (bank, bankNo) in banks)
        {
            var (quota, report, clearing) = (next, next + 1, next + 2);
            next += 3;
            var party = PartyId.ForBank(BankCode.Parse(bank)).ToString();
            var ids = new { common.first, common.day, common.adm, common.year, common.keys, quota, report, clearing, bank, bankNo, party, no = $"{bank}-{day}" };
            connection.Execute(
                """
                INSERT INTO vouchers (id, origin, sender, adm_div_code, st_year, vt_code, voucher_no, version, flag, state, inner_xml, digest, vou_date, created_at, updated_at) VALUES
                    (@quota, 'own', 'finance', @adm, @year, '5105', 'ED' || @no, 1, 0, 'sent', x'', '', @day, @day, @day),
                    (@report, 'received', @party, @adm, @year, '2207', 'RB' || @no, 1, 0, 'signed_for', x'', '', @day, @day, @day),
                    (@clearing, 'received', 'pboc', @adm, @year, '2301', 'QS' || @no, 1, 1, 'signed_for', x'', '', @day, @day, @day)
                """, ids, tx);
            connection.Execute(
                """
                INSERT INTO voucher_headers (voucher_id, pay_bank_code, pay_bank_no, pay_type_code, x_clear_date) VALUES
                    (@quota, @bank, NULL, NULL, NULL), (@report, @bank, NULL, NULL, NULL), (@clearing, NULL, @bankNo, '12', @day)
                """, ids, tx);
            connection.Execute(
                "INSERT INTO voucher_lines (voucher_id, line, agency_code, exp_func_code, plan_amt_fen) SELECT @quota, k, agency, func, 100000000000 FROM bench_keys WHERE bank = @bank",
                ids, tx);
            connection.Execute(
                """
                INSERT INTO voucher_lines (voucher_id, line, voucher_no, agency_code, exp_func_code, pay_amt_fen)
                SELECT @report, i, printf('RC%08d', i), agency, func, 10000 + (i % 5000) * 37 FROM bench_n JOIN bench_keys ON k = i % @keys WHERE bank = @bank
                """, ids, tx);
            connection.Execute(
                """
                INSERT INTO voucher_lines (voucher_id, line, agency_code, exp_func_code, pay_amt_fen)
                SELECT @clearing, k, agency, func, SUM(10000 + (i % 5000) * 37) FROM bench_n JOIN bench_keys ON k = i % @keys WHERE bank = @bank GROUP BY k, agency, func
                """, ids, tx);
        }

        connection.Execute("DROP TABLE bench_keys; DROP TABLE bench_n", transaction: tx);
        tx.Commit();
    }
}
