using System.Diagnostics;
using System.Text.Json;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Tests;

namespace OpenTreasury.Transport.Rabbit.Tests;

/// <summary>The operator's commands against a node's folder and the broker, run as <c>treasury</c> processes.</summary>
[Collection(SharedBroker.Name)]
public sealed class OperatorCommandTests(RabbitBroker broker) : IAsyncLifetime
{
    private static readonly PartyId Bank = TestNetwork.Bank102Party;
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(60);
    private RabbitNetwork _rabbit = null!;

    private TestNetwork Net => _rabbit.Net;

    public async Task InitializeAsync() => _rabbit = await RabbitNetwork.StartAsync(broker, TimeSpan.FromSeconds(3));

    public async Task DisposeAsync() => await _rabbit.DisposeAsync();

    [BrokerFact]
    public async Task Dead_letters_are_listed_unchanged_then_replayed_with_an_audit_entry_and_a_bad_uri_is_one_line_with_its_code()
    {
        await _rabbit.PublishRawAsync(Bank, "not an envelope"u8.ToArray(), "poison-1", "finance");
        Assert.True(await RabbitNetwork.EventuallyAsync(async () => await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)) == 1));
        var node = Path.Combine(Net.Directory, Bank.ToString());

        var listed = await TreasuryAsync("node", "dead-letters", "--node", node, "--amqp", broker.Uri.ToString(), "--json");
        Assert.Equal(0, listed.ExitCode);
        using (var json = JsonDocument.Parse(listed.Stdout))
        {
            Assert.Equal(1, json.RootElement.GetProperty("count").GetInt32());
            var message = json.RootElement.GetProperty("messages")[0];
            Assert.Equal("poison-1", message.GetProperty("MessageId").GetString());
            Assert.Equal("rejected", message.GetProperty("Reason").GetString());
        }

        Assert.Equal(1u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)));

        var replayed = await TreasuryAsync("node", "dead-letters", "--node", node, "--amqp", broker.Uri.ToString(), "--replay");
        Assert.Equal(0, replayed.ExitCode);
        Assert.Contains("已将 1 条死信", replayed.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM audit WHERE operation = 'dead-letter-replayed' AND subject = 'poison-1'"));
        // Still poison: back in the dead queue once, and there it stays.
        Assert.True(await RabbitNetwork.EventuallyAsync(() => Task.FromResult(_rabbit.Inbox(Bank).Rejected == 2)));
        Assert.Equal(1u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)));

        var bad = await TreasuryAsync("node", "dead-letters", "--node", node, "--amqp", "http://not-a-broker");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("错误 [AMQP-1]", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bad.Stderr, StringComparison.Ordinal);
        var down = await TreasuryAsync("node", "dead-letters", "--node", node, "--amqp", "amqp://guest:guest@127.0.0.1:1/");
        Assert.Equal(3, down.ExitCode);
        Assert.StartsWith("错误 [AMQP-2]", down.Stderr, StringComparison.Ordinal);
    }

    [BrokerFact]
    public async Task Node_status_shows_the_backlog_of_a_link_whose_receiver_has_no_inbox_and_an_empty_one_when_it_drained()
    {
        var library = Net.Finance.Library;
        library.Run(s => library.Issue(s, Net.Payment("ZF-0103", "10.00"), [TestNetwork.Bank103Party], Net.FinanceSigner(TestNetwork.UnitClerk), Net.FinanceSigner(TestNetwork.UnitHead))).ThrowIfRefused();
        Net.SendPayment("ZF-0001");
        Assert.Equal(1, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));

        var status = await TreasuryAsync("node", "status", "--node", Path.Combine(Net.Directory, "finance"), "--json");

        Assert.Equal(0, status.ExitCode);
        using var json = JsonDocument.Parse(status.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("backlog").GetInt64());
        var peers = json.RootElement.GetProperty("peers").EnumerateArray().ToDictionary(p => p.GetProperty("Peer").GetString()!, p => p);
        Assert.Equal(("retrying", 1L), (peers["bank-103"].GetProperty("State").GetString(), peers["bank-103"].GetProperty("Backlog").GetInt64()));
        Assert.Contains("unroutable", peers["bank-103"].GetProperty("LastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(("ok", 0L), (peers["bank-102"].GetProperty("State").GetString(), peers["bank-102"].GetProperty("Backlog").GetInt64()));
        Assert.Equal("ok", peers["pboc"].GetProperty("State").GetString());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> TreasuryAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "treasury.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(s_commandTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"treasury {string.Join(' ', args)} did not finish in {s_commandTimeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
