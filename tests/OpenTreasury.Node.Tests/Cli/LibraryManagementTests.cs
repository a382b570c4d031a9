using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// Library management of seed 五.1 through the built command: the search (凭证查询) a page at a time, the outbox's
/// parked messages retried or discarded (差错处理), a voided voucher restored by two people (恢复), the audit log searched.
/// </summary>
public sealed class LibraryManagementTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>
{
    private const string Pin = "88888888";

    [Fact]
    public async Task The_query_pages_at_most_the_page_size_with_the_right_total_and_each_filter_narrows()
    {
        var all = await QueryAsync("--party", "finance", "--vt", "8202");
        var total = all.GetProperty("total").GetInt64();
        Assert.Equal(100, all.GetProperty("pageSize").GetInt32());
        Assert.True(total >= 20, $"the demo paid 20: {total}");
        var numbers = all.GetProperty("vouchers").EnumerateArray().Select(v => v.GetProperty("VoucherNo").GetString()).ToList();
        Assert.Equal(total, numbers.Count);

        // Pages of 7: every voucher once, in the same order, the last page the rest.
        var paged = new List<string?>();
        var pages = (int)((total + 6) / 7);
        for (var page = 1; page <= pages; page++)
        {
            var one = await QueryAsync("--party", "finance", "--vt", "8202", "--page-size", "7", "--page", page.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(total, one.GetProperty("total").GetInt64());
            Assert.Equal(pages, one.GetProperty("pages").GetInt64());
            var rows = one.GetProperty("vouchers").EnumerateArray().ToList();
            Assert.Equal(page < pages ? 7 : total - (7 * (pages - 1)), rows.Count);
            paged.AddRange(rows.Select(r => r.GetProperty("VoucherNo").GetString()));
        }

        Assert.Equal(numbers, paged);

        // Each filter keeps exactly the vouchers that meet it.
        var first = all.GetProperty("vouchers")[0];
        var agency = first.GetProperty("AgencyCode").GetString()!;
        var byAgency = await QueryAsync("--party", "finance", "--vt", "8202", "--agency", agency);
        Assert.Equal(all.GetProperty("vouchers").EnumerateArray().Count(v => v.GetProperty("AgencyCode").GetString() == agency), byAgency.GetProperty("total").GetInt64());
        Assert.True(byAgency.GetProperty("total").GetInt64() < total);

        var amounts = all.GetProperty("vouchers").EnumerateArray().Select(v => Domain.Money.Amount.ParseWire(v.GetProperty("Amount").GetString()!)).Order().ToList();
        var median = amounts[amounts.Count / 2];
        var atLeast = await QueryAsync("--party", "finance", "--vt", "8202", "--min-amount", median.ToWire());
        var atMost = await QueryAsync("--party", "finance", "--vt", "8202", "--max-amount", median.ToWire());
        Assert.Equal(amounts.Count(a => a >= median), atLeast.GetProperty("total").GetInt64());
        Assert.Equal(amounts.Count(a => a <= median), atMost.GetProperty("total").GetInt64());

        var signedFor = await QueryAsync("--party", "bank-102", "--status", "signed_for", "--from", "2026-03-02", "--to", "2026-03-03");
        Assert.All(signedFor.GetProperty("vouchers").EnumerateArray(), v =>
        {
            // Received and signed for here, or own and signed for by its receiver.
            Assert.True(v.GetProperty("State").GetString() == "signed_for"
                || v.GetProperty("Deliveries").EnumerateArray().Any(d => d.GetProperty("Status").GetString() == "SignedFor"), v.ToString());
            Assert.InRange(string.CompareOrdinal(v.GetProperty("VouDate").GetString(), "20260302"), 0, int.MaxValue);
            Assert.InRange(string.CompareOrdinal(v.GetProperty("VouDate").GetString(), "20260303"), int.MinValue, 0);
        });
        Assert.True(signedFor.GetProperty("total").GetInt64() > 0);
        var before = await QueryAsync("--party", "bank-102", "--status", "signed_for", "--to", "2026-03-01");
        Assert.Equal(0, before.GetProperty("total").GetInt64());

        var toBank = await QueryAsync("--party", "finance", "--counterparty", "bank-102", "--vt", "8202");
        Assert.All(toBank.GetProperty("vouchers").EnumerateArray(), v => Assert.Contains(v.GetProperty("Deliveries").EnumerateArray(), d => d.GetProperty("Receiver").GetString() == "bank-102"));
        Assert.True(toBank.GetProperty("total").GetInt64() < total);
    }

    [Fact]
    public async Task Finances_own_8202s_are_found_by_what_the_bank_did_with_them()
    {
        // The issue's command: an own 8202's state is "sent"; signed_for is its bank's answer (delivery status 3).
        var signedFor = await QueryAsync("--party", "finance", "--vt", "8202", "--from", "2026-03-02", "--to", "2026-03-03", "--status", "signed_for", "--page", "1");
        var all = await QueryAsync("--party", "finance", "--vt", "8202");
        var expected = all.GetProperty("vouchers").EnumerateArray()
            .Count(v => v.GetProperty("Deliveries").EnumerateArray().Any(d => d.GetProperty("Status").GetString() == "SignedFor"));

        Assert.True(expected > 0);
        Assert.Equal(expected, signedFor.GetProperty("total").GetInt64());
        Assert.InRange(signedFor.GetProperty("vouchers").GetArrayLength(), 1, 100);
        Assert.All(signedFor.GetProperty("vouchers").EnumerateArray(), v =>
            Assert.Contains(v.GetProperty("Deliveries").EnumerateArray(), d => d.GetProperty("Status").GetString() == "SignedFor"));
        var returned = await QueryAsync("--party", "finance", "--vt", "8202", "--status", "returned");
        Assert.Equal(signedFor.GetProperty("total").GetInt64() + returned.GetProperty("total").GetInt64(), all.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_category_is_the_catalogues_class_of_the_voucher_type_and_text_output_ends_with_the_count()
    {
        var allocation = await QueryAsync("--party", "finance", "--category", "allocation");
        var byType = (await QueryAsync("--party", "finance", "--vt", "5207")).GetProperty("total").GetInt64()
            + (await QueryAsync("--party", "finance", "--vt", "3208")).GetProperty("total").GetInt64();

        Assert.Equal(byType, allocation.GetProperty("total").GetInt64());
        Assert.True(byType > 0);
        Assert.All(allocation.GetProperty("vouchers").EnumerateArray(), v =>
        {
            Assert.True(v.GetProperty("VtCode").GetString() is "5207" or "3208");
            Assert.Equal("实拨", v.GetProperty("CategoryName").GetString());
        });

        var text = await Cli.RunAsync("voucher", "query", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--page-size", "5", "--page", "2");
        Assert.Equal(0, text.ExitCode);
        Assert.Matches(@"共 \d+ 张，第 2/\d+ 页", text.Stdout);
        Assert.Equal(5, text.Stdout.Split('\n').Count(l => l.StartsWith("8202 ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("--status", "paid", "BAD-STATUS")]
    [InlineData("--from", "2026-02-30", "BAD-DATE")]
    [InlineData("--to", "yesterday", "BAD-DATE")]
    [InlineData("--min-amount", "12.5", "BAD-AMOUNT")]
    [InlineData("--page-size", "101", "BAD-PAGE")]
    [InlineData("--category", "salary", "BAD-CATEGORY")]
    public async Task A_bad_filter_is_bad_input_exit_2_with_one_chinese_line(string option, string value, string code)
    {
        var run = await Cli.RunAsync("voucher", "query", "--data", demo.Path, "--party", "finance", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"错误 [{code}] ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_parked_message_is_listed_with_its_reason_and_a_checker_retries_it_into_delivery_but_a_clerk_may_not()
    {
        var id = Park(0, "HttpRequestException: bank unreachable (test)");

        var list = await Cli.RunAsync("messages", "list", "--data", demo.Path, "--party", "finance", "--json");
        Assert.Equal(0, list.ExitCode);
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            var entry = json.RootElement.EnumerateArray().Single(e => e.GetProperty("Id").GetInt64() == id);
            Assert.Equal("parked", entry.GetProperty("State").GetString());
            Assert.Equal("HttpRequestException: bank unreachable (test)", entry.GetProperty("Reason").GetString());
            Assert.Equal(12, entry.GetProperty("Attempts").GetInt64());
        }

        var clerk = await Cli.RunAsync("messages", "retry", "--data", demo.Path, "--party", "finance", "--id", $"{id}", "--user", "cz_lr", "--pin", Pin);
        Assert.Equal(1, clerk.ExitCode);
        Assert.Contains("拒绝 [PostMayNot-3]", clerk.Stderr, StringComparison.Ordinal);
        Assert.Null(Outbox(id).DeliveredAt);

        var retry = await Cli.RunAsync("messages", "retry", "--data", demo.Path, "--party", "finance", "--id", $"{id}", "--user", "cz_sh", "--pin", Pin);
        Assert.Equal(0, retry.ExitCode);
        Assert.Contains("已送达", retry.Stdout, StringComparison.Ordinal);
        Assert.NotNull(Outbox(id).DeliveredAt);
        var again = await Cli.RunAsync("messages", "list", "--data", demo.Path, "--party", "finance", "--json");
        using var after = JsonDocument.Parse(again.Stdout);
        Assert.DoesNotContain(after.RootElement.EnumerateArray(), e => e.GetProperty("Id").GetInt64() == id);
    }

    [Fact]
    public async Task A_discarded_message_is_kept_with_its_reason_and_never_delivered_again()
    {
        var id = Park(1, "TimeoutException: no answer (test)");

        var discard = await Cli.RunAsync("messages", "discard", "--data", demo.Path, "--party", "finance", "--id", $"{id}", "--reason", "收方已线下处理", "--user", "cz_sh", "--pin", Pin);
        Assert.Equal(0, discard.ExitCode);

        var retry = await Cli.RunAsync("messages", "retry", "--data", demo.Path, "--party", "finance", "--id", $"{id}", "--user", "cz_sh", "--pin", Pin);
        Assert.Equal(1, retry.ExitCode);
        Assert.Contains("IllegalTransition-6", retry.Stderr, StringComparison.Ordinal);

        // Neither the operator's release of every parked message nor the worker's next pass sends it.
        SqliteConnection.ClearAllPools();
        using (var network = Simulation.TreasuryNetwork.Open(demo.Path, TimeProvider.System))
        {
            var finance = network.Nodes[Domain.Parties.PartyId.Finance];
            finance.Worker.ReleaseParked("test");
            await finance.Worker.DeliverDueAsync(CancellationToken.None);
        }

        var row = Outbox(id);
        Assert.Null(row.DeliveredAt);
        Assert.Equal("收方已线下处理", row.DiscardedReason);
        var list = await Cli.RunAsync("messages", "list", "--data", demo.Path, "--party", "finance", "--json");
        using var json = JsonDocument.Parse(list.Stdout);
        Assert.Equal("discarded", json.RootElement.EnumerateArray().Single(e => e.GetProperty("Id").GetInt64() == id).GetProperty("State").GetString());
        var audit = await Cli.RunAsync("audit", "query", "--data", demo.Path, "--party", "finance", "--action", "delivery-discarded", "--user", "cz_sh", "--json");
        using var entries = JsonDocument.Parse(audit.Stdout);
        Assert.Single(entries.RootElement.EnumerateArray());
    }

    [Fact]
    public async Task A_voided_voucher_is_restored_by_two_people_not_by_one_and_a_reissued_one_not_at_all()
    {
        var (voucherNo, receiver) = VoidOneReturnedPayment();
        string[] key = ["voucher", "restore", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", voucherNo];

        var alone = await Cli.RunAsync([.. key, "--clerk", "cz_sh", "--clerk-pin", Pin, "--checker", "cz_sh", "--checker-pin", Pin]);
        var noChecker = await Cli.RunAsync([.. key, "--clerk", "cz_lr", "--clerk-pin", Pin]);
        Assert.Equal(1, alone.ExitCode);
        Assert.StartsWith("拒绝 [SameMakerAndChecker-7]", alone.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, noChecker.ExitCode);
        Assert.StartsWith("拒绝 [SameMakerAndChecker-7]", noChecker.Stderr, StringComparison.Ordinal);
        Assert.Equal("voided", await StateAsync(voucherNo));

        var restored = await Cli.RunAsync([.. key, "--clerk", "cz_lr", "--clerk-pin", Pin, "--checker", "cz_sh", "--checker-pin", Pin]);
        Assert.Equal(0, restored.ExitCode);
        Assert.Contains($"{receiver}:5 Returned", restored.Stdout, StringComparison.Ordinal);
        Assert.Equal("sent", await StateAsync(voucherNo));
        var audit = await Cli.RunAsync("audit", "query", "--data", demo.Path, "--party", "finance", "--voucher", $"8202/{voucherNo}", "--json");
        using (var entries = JsonDocument.Parse(audit.Stdout))
        {
            var operations = entries.RootElement.EnumerateArray().Select(e => e.GetProperty("Operation").GetString()).ToList();
            Assert.Contains("void", operations);
            Assert.Contains("restore", operations);
            Assert.Equal(2, operations.Count(o => o == "restore-refused"));
            Assert.All(entries.RootElement.EnumerateArray(), e => Assert.Contains(voucherNo, e.GetProperty("Subject").GetString(), StringComparison.Ordinal));
        }

        var twice = await Cli.RunAsync([.. key, "--clerk", "cz_lr", "--clerk-pin", Pin, "--checker", "cz_sh", "--checker-pin", Pin]);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("IllegalTransition-6", twice.Stderr, StringComparison.Ordinal);

        // The demo returned one 5207, voided it and reissued it: the reissue stands.
        var chain = await Cli.RunAsync("voucher", "query", "--data", demo.Path, "--party", "finance", "--vt", "5207", "--status", "voided", "--json");
        using var voided = JsonDocument.Parse(chain.Stdout);
        var reissuedNo = voided.RootElement.GetProperty("vouchers")[0].GetProperty("VoucherNo").GetString()!;
        var reissued = await Cli.RunAsync("voucher", "restore", "--data", demo.Path, "--party", "finance", "--vt", "5207", "--no", reissuedNo,
            "--clerk", "cz_lr", "--clerk-pin", Pin, "--checker", "cz_sh", "--checker-pin", Pin);
        Assert.Equal(1, reissued.ExitCode);
        Assert.StartsWith("拒绝 [Reissued-20]", reissued.Stderr, StringComparison.Ordinal);
        Assert.Equal("voided", voided.RootElement.GetProperty("vouchers")[0].GetProperty("State").GetString());
    }

    [Fact]
    public async Task The_audit_query_keeps_only_the_entries_of_the_person_action_and_days_asked_and_exports_them_as_csv_with_a_bom()
    {
        var mine = await Cli.RunAsync("audit", "query", "--data", demo.Path, "--party", "finance", "--user", "cz_sh", "--action", "approve", "--json");
        Assert.Equal(0, mine.ExitCode);
        using var entries = JsonDocument.Parse(mine.Stdout);
        Assert.NotEmpty(entries.RootElement.EnumerateArray());
        Assert.All(entries.RootElement.EnumerateArray(), e =>
        {
            Assert.Equal("cz_sh", e.GetProperty("Actor").GetString());
            Assert.Equal("approve", e.GetProperty("Operation").GetString());
        });

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var none = await Cli.RunAsync("audit", "query", "--data", demo.Path, "--party", "finance", "--user", "cz_sh", "--to", "2020-01-01", "--json");
        using (var empty = JsonDocument.Parse(none.Stdout))
        {
            Assert.Empty(empty.RootElement.EnumerateArray());
        }

        var file = Path.Combine(demo.Path, "audit-cz_sh.csv");
        var export = await Cli.RunAsync("audit", "export", "--data", demo.Path, "--party", "finance", "--user", "cz_sh", "--action", "approve", "--from", today, "--to", today, "--out", file);
        Assert.Equal(0, export.ExitCode);
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("seq,at,actor,operation,subject,detail,hash", lines[0]);
        Assert.Equal(entries.RootElement.GetArrayLength(), lines.Length - 1);

        var bad = await Cli.RunAsync("audit", "query", "--data", demo.Path, "--party", "finance", "--from", "03/02/2026");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("错误 [BAD-DATE]", bad.Stderr, StringComparison.Ordinal);
    }

    private async Task<JsonElement> QueryAsync(params string[] args)
    {
        var run = await Cli.RunAsync(["voucher", "query", "--data", demo.Path, .. args, "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.Clone();
    }

    private async Task<string> StateAsync(string voucherNo)
    {
        var run = await Cli.RunAsync("voucher", "query", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--json");
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("vouchers").EnumerateArray().Single(v => v.GetProperty("VoucherNo").GetString() == voucherNo).GetProperty("State").GetString()!;
    }

    /// <summary>
    /// Makes one of Finance's delivered 8202 messages look as the worker leaves one after its last attempt to an
    /// unreachable peer: undelivered, parked, 12 attempts, the error.
    /// </summary>
    private long Park(int which, string error)
    {
        SqliteConnection.ClearAllPools();
        using var db = Finance();
        var id = db.QueryIds("SELECT o.id FROM outbox o JOIN vouchers v ON v.id = o.voucher_id WHERE v.vt_code = '8202' AND o.kind = 'voucher' AND o.discarded_at IS NULL ORDER BY o.id DESC")[which];
        using var update = db.CreateCommand();
        update.CommandText = "UPDATE outbox SET delivered_at = NULL, parked = 1, attempts = 12, last_error = $error WHERE id = $id";
        update.Parameters.AddWithValue("$error", error);
        update.Parameters.AddWithValue("$id", id);
        update.ExecuteNonQuery();
        return id;
    }

    private (string? DeliveredAt, string? DiscardedReason) Outbox(long id)
    {
        SqliteConnection.ClearAllPools();
        using var db = Finance();
        using var read = db.CreateCommand();
        read.CommandText = "SELECT delivered_at, discarded_reason FROM outbox WHERE id = $id";
        read.Parameters.AddWithValue("$id", id);
        using var reader = read.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>Voids, through the library, an 8202 its bank returned (as Finance's void of a returned payment does).</summary>
    private (string VoucherNo, string Receiver) VoidOneReturnedPayment()
    {
        SqliteConnection.ClearAllPools();
        using var network = Simulation.TreasuryNetwork.Open(demo.Path, TimeProvider.System);
        var library = network.Nodes[Domain.Parties.PartyId.Finance].Library;
        var returned = library.List("8202").First(v => v.Origin == "own" && v.State == "sent"
            && library.Deliveries(v.Id).Any(d => d.Status == Domain.Vouchers.VoucherStatus.Returned));
        var voided = library.Run(session => library.Void(session, returned.Id, "cz_sh", "测试：误作废"));
        Assert.True(voided.Ok, voided.Message);
        return (returned.VoucherNo, library.Deliveries(returned.Id).Single().Receiver);
    }

    private SqliteConnection Finance()
    {
        var db = new SqliteConnection($"Data Source={Path.Combine(demo.Path, "finance", "library.db")};Pooling=False");
        db.Open();
        return db;
    }
}

internal static class SqliteTestExtensions
{
    public static List<long> QueryIds(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
