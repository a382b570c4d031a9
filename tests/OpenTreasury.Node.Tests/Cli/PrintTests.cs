using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Printing.Tests;
using OpenTreasury.Simulation;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// <c>treasury voucher print</c> as a person (可控打印): every detail line over as many pages as needed under Chinese
/// labels, 作废 on a voided voucher, a reprint only by a checking post and marked 重打 with its number.
/// </summary>
public sealed class PrintTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>
{
    private const string Pin = "88888888";

    [Fact]
    public async Task A_voucher_of_30_lines_prints_every_line_with_chinese_labels_on_numbered_pages()
    {
        var voucherNo = IssueQuotaOf30Lines();
        var pdf = Path.Combine(demo.Path, "quota-30.pdf");

        var run = await Cli.RunAsync("voucher", "print", "--data", demo.Path, "--party", "finance", "--vt", "5105", "--no", voucherNo, "--user", "cz_lr", "--pin", Pin, "--out", pdf);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("第 1 次打印", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("30 行明细", run.Stdout, StringComparison.Ordinal);
        var pages = PdfText.Pages(await File.ReadAllBytesAsync(pdf));
        Assert.True(pages.Count > 1, $"{pages.Count} page(s)");
        Assert.Equal(pages.Count, PdfText.PageCount(await File.ReadAllBytesAsync(pdf)));
        for (var p = 0; p < pages.Count; p++)
        {
            Assert.Contains("财政授权支付额度通知单", pages[p], StringComparison.Ordinal);
            Assert.Contains($"第 {p + 1}/{pages.Count} 页", pages[p], StringComparison.Ordinal);
            foreach (var label in new[] { "序号", "预算单位编码", "功能分类科目编码", "额度金额", "代理银行：", "计划月份：", "大写 人民币" })
            {
                Assert.Contains(label, pages[p], StringComparison.Ordinal);
            }

            Assert.DoesNotContain("PlanAmt", pages[p], StringComparison.Ordinal);
            Assert.DoesNotContain("AgencyCode", pages[p], StringComparison.Ordinal);
        }

        // Every line once, in order: its amount (1.01, 1.02 … 1.30) in its own cell.
        var lines = pages.SelectMany(p => p.Split('\n')).ToList();
        var amounts = lines.Where(l => l.StartsWith("1.", StringComparison.Ordinal) && l.Length == 4).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"1.{i:D2}"), amounts);
    }

    [Fact]
    public async Task A_voided_voucher_prints_marked_void_on_every_page()
    {
        var voided = Vouchers("finance").First(v => v.State == "voided");
        var pdf = Path.Combine(demo.Path, "voided.pdf");

        var run = await Cli.RunAsync("voucher", "print", "--data", demo.Path, "--party", "finance", "--vt", voided.VtCode, "--no", voided.VoucherNo, "--version", $"{voided.Version}", "--user", "cz_lr", "--pin", Pin, "--out", pdf);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("已作废", run.Stdout, StringComparison.Ordinal);
        Assert.All(PdfText.Pages(await File.ReadAllBytesAsync(pdf)), page => Assert.Contains("作废", page, StringComparison.Ordinal));
        var sent = Vouchers("finance").First(v => v.State == "sent" && v.VtCode == voided.VtCode);
        var other = Path.Combine(demo.Path, "sent.pdf");
        Assert.Equal(0, (await Cli.RunAsync("voucher", "print", "--data", demo.Path, "--party", "finance", "--vt", sent.VtCode, "--no", sent.VoucherNo, "--user", "cz_lr", "--pin", Pin, "--out", other)).ExitCode);
        Assert.DoesNotContain(PdfText.Pages(await File.ReadAllBytesAsync(other)), page => page.Contains("作废", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reprint_by_the_entry_post_is_refused_and_by_the_checking_post_marked_as_the_second_print()
    {
        var voucher = Vouchers("finance").First(v => v.VtCode == "8202" && v.Origin == "own" && v.VoucherNo == FirstPaymentOf("101001"));
        string[] key = ["voucher", "print", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", voucher.VoucherNo];

        var first = await Cli.RunAsync([.. key, "--user", "cz_lr", "--pin", Pin, "--out", Path.Combine(demo.Path, "first.pdf")]);
        var refused = await Cli.RunAsync([.. key, "--user", "cz_lr", "--pin", Pin, "--out", Path.Combine(demo.Path, "refused.pdf")]);
        var unit = await Cli.RunAsync([.. key, "--user", "dw101001_jbr", "--pin", Pin, "--out", Path.Combine(demo.Path, "unit.pdf")]);
        var wrongPin = await Cli.RunAsync([.. key, "--user", "cz_sh", "--pin", "00000000", "--out", Path.Combine(demo.Path, "pin.pdf")]);
        var reprint = await Cli.RunAsync([.. key, "--user", "cz_sh", "--pin", Pin, "--out", Path.Combine(demo.Path, "reprint.pdf")]);
        var archive = await Cli.RunAsync([.. key, "--user", "cz_sh", "--pin", Pin, "--archive", "--out", Path.Combine(demo.Path, "archive.pdf")]);

        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("拒绝 [ReprintNotAllowed-6] ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("重打须由审核岗位", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(demo.Path, "refused.pdf")));
        Assert.Equal(1, unit.ExitCode); // a unit's person: their own unit's voucher, printed once already
        Assert.Contains("[ReprintNotAllowed-6]", unit.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, wrongPin.ExitCode);
        Assert.StartsWith("拒绝 [", wrongPin.Stderr, StringComparison.Ordinal);
        Assert.True(reprint.ExitCode == 0, reprint.Stdout + reprint.Stderr);
        Assert.Contains("第 2 次打印（重打）", reprint.Stdout, StringComparison.Ordinal);
        Assert.Contains("reprint no. 2", reprint.Stdout, StringComparison.Ordinal);
        Assert.All(PdfText.Pages(await File.ReadAllBytesAsync(Path.Combine(demo.Path, "reprint.pdf"))), page => Assert.Contains("第 2 次打印（重打）", page, StringComparison.Ordinal));
        Assert.True(archive.ExitCode == 0, archive.Stdout + archive.Stderr);
        Assert.All(PdfText.Pages(await File.ReadAllBytesAsync(Path.Combine(demo.Path, "archive.pdf"))), page =>
        {
            Assert.Contains("第 3 次打印（重打）", page, StringComparison.Ordinal);
            Assert.Contains("存档联", page, StringComparison.Ordinal);
        });

        // The audit chain has each print under the person who made it, and each refusal.
        var audit = Audit("finance", $"8202/%/{voucher.VoucherNo}/v{voucher.Version}");
        Assert.Equal(["cz_lr print", "cz_lr refused-ReprintVoucher", "dw101001_jbr refused-ReprintVoucher", "cz_sh print", "cz_sh print"], audit);
    }

    // A 5105 of 30 lines (units of bank 102 × their classes, 1.01 to 1.30), issued by Finance's own desk.
    private string IssueQuotaOf30Lines()
    {
        using (var network = TreasuryNetwork.Open(demo.Path, TimeProvider.System, TreasuryNetwork.DemoPins))
        {
            var classes = network.Master.Units.Where(u => u.BankCode == "102").SelectMany(u => u.Classes.Select(c => (u.AgencyCode, c.ExpFuncCode))).ToList();
            var plan = Enumerable.Range(1, 30).Select(i => new QuotaPlanLine(classes[(i - 1) % classes.Count].AgencyCode, classes[(i - 1) % classes.Count].ExpFuncCode, Amount.ParseWire($"1.{i:D2}"))).ToList();
            network.Finance.FinanceDesk!.IssueQuota(11, new DateOnly(2026, 11, 2), plan);
        }

        SqliteConnection.ClearAllPools();
        return Vouchers("finance").Single(v => v.VtCode == "5105" && v.VoucherNo.EndsWith("11", StringComparison.Ordinal) && v.VoucherNo.Contains("102", StringComparison.Ordinal)).VoucherNo;
    }

    private List<Row> Vouchers(string party)
    {
        var list = Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", party, "--json").GetAwaiter().GetResult();
        return JsonSerializer.Deserialize<List<Row>>(list.Stdout)!;
    }

    private string FirstPaymentOf(string agencyCode)
    {
        SqliteConnection.ClearAllPools();
        using var db = new SqliteConnection($"Data Source={Path.Combine(demo.Path, "finance", "library.db")};Mode=ReadOnly;Pooling=False");
        return db.QueryFirst<string>("SELECT voucher_no FROM vouchers WHERE vt_code = '8202' AND origin = 'own' AND agency_code = @agencyCode ORDER BY id", new { agencyCode });
    }

    private List<string> Audit(string party, string subject)
    {
        SqliteConnection.ClearAllPools();
        using var db = new SqliteConnection($"Data Source={Path.Combine(demo.Path, party, "library.db")};Mode=ReadOnly;Pooling=False");
        return [.. db.Query<string>("SELECT actor || ' ' || operation FROM audit WHERE subject LIKE @subject AND operation LIKE '%print%' ORDER BY seq", new { subject })];
    }

    private sealed record Row(string VtCode, string VoucherNo, long Version, string Origin, string State);
}
