using System.Text.Json;
using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Simulation.Deterministic;

// Not ".Simulation" after the folder: that would shadow the Simulation project's namespace in the other tests.
namespace OpenTreasury.Node.Tests.DeterministicSimulation;

/// <summary>The simulation's parts one by one: each transport fault, the operator's release of parked messages, the incremental audit check, the command.</summary>
public sealed class SimulationPartsTests
{
    private static readonly PartyId Bank = PartyId.Parse("bank-102");

    [Fact]
    public async Task Each_transport_fault_does_what_it_says_to_the_next_message()
    {
        var receiver = new Receiver(Bank);
        var transport = new FaultyTransport(new Random(1));
        transport.Up(receiver);
        transport.Up(new Receiver(PartyId.Finance));
        static TransportMessage Message(string id) => new(id, PartyId.Finance, Bank, MessageKind.Voucher, [1]);

        transport.Arm(TransportFault.Drop);
        await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(Message("m1"), CancellationToken.None));
        Assert.Empty(receiver.Got);

        transport.Arm(TransportFault.DropAnswer);
        await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(Message("m2"), CancellationToken.None));
        Assert.Equal(["m2"], receiver.Got);

        transport.Arm(TransportFault.Duplicate);
        await transport.DeliverAsync(Message("m3"), CancellationToken.None);
        Assert.Equal(["m2", "m3", "m3"], receiver.Got);
        Assert.Equal(1, transport.InFlight); // A third copy, still on the way.

        transport.Arm(TransportFault.Delay);
        await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(Message("m4"), CancellationToken.None));
        Assert.Equal(2, transport.InFlight);
        Assert.Equal(2, transport.ReleaseAll());
        Assert.Equal(["m2", "m3", "m3", "m3", "m4"], receiver.Got.Order(StringComparer.Ordinal));

        transport.Arm(TransportFault.CrashSender);
        var crash = await Assert.ThrowsAsync<SimulatedCrashException>(() => transport.DeliverAsync(Message("m5"), CancellationToken.None));
        Assert.Equal(PartyId.Finance, crash.Party);
        Assert.Equal("m5", receiver.Got[^1]); // The receiver committed it; the sender never heard.

        transport.Partition(Bank, PartyId.Finance);
        await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(Message("m6"), CancellationToken.None));
        Assert.True(transport.HealOne());
        await transport.DeliverAsync(Message("m6"), CancellationToken.None);

        transport.Down(Bank);
        await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(Message("m7"), CancellationToken.None));
        string[] struck = ["delay", "drop", "drop-answer", "duplicate", "crash-in-delivery"];
        Assert.Equal(struck.Order(StringComparer.Ordinal), transport.Struck.Keys);
    }

    [Fact]
    public async Task A_reorder_holds_the_next_messages_and_they_arrive_in_another_order()
    {
        var receiver = new Receiver(Bank);
        var transport = new FaultyTransport(new Random(3));
        transport.Up(receiver);
        transport.Arm(TransportFault.Reorder);
        var sent = 0;
        while (transport.Armed > 0 || sent == 0)
        {
            await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(new($"m{++sent}", PartyId.Finance, Bank, MessageKind.Voucher, [1]), CancellationToken.None));
        }

        Assert.InRange(sent, 2, 4);
        transport.ReleaseAll();
        Assert.Equal(sent, receiver.Got.Count);
        Assert.Equal(Enumerable.Range(1, sent).Select(i => $"m{i}").Order(StringComparer.Ordinal), receiver.Got.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_operator_releases_a_parked_message_and_it_is_delivered_once()
    {
        using var net = new TestNetwork();
        net.Network.Transport.SetOffline(TestNetwork.Bank102Party, true);
        net.SendPayment("ZF-0001");
        for (var attempt = 1; attempt <= Limits.DeliveryAttemptsMax; attempt++)
        {
            await net.Finance.Worker.DeliverDueAsync(CancellationToken.None);
            net.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(1, TestNetwork.Count(net.Finance, "SELECT COUNT(*) FROM outbox WHERE parked = 1"));
        net.Network.Transport.SetOffline(TestNetwork.Bank102Party, false);

        Assert.Equal(1, net.Finance.Worker.ReleaseParked("operator"));
        Assert.Equal(0, net.Finance.Worker.ReleaseParked("operator"));
        Assert.Equal(1, await net.Finance.Worker.DeliverDueAsync(1, CancellationToken.None));
        Assert.Equal(1, TestNetwork.Count(net.Bank102, "SELECT COUNT(*) FROM inbox"));
        Assert.Equal(1, TestNetwork.Count(net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'delivery-released' AND actor = 'operator'"));
    }

    [Fact]
    public void The_audit_chain_is_checked_on_from_where_it_was_checked_and_a_changed_last_entry_is_named()
    {
        using var net = new TestNetwork();
        net.SendPayment("ZF-0001");
        using var connection = net.Finance.Library.Database.Connect();
        var whole = AuditLog.VerifyFrom(connection, 0, AuditLog.GenesisHash, out var last);
        Assert.True(whole.Intact);
        Assert.Equal(whole, AuditLog.Verify(connection));

        net.SendPayment("ZF-0002");
        var onward = AuditLog.VerifyFrom(connection, whole.Entries, last, out var next);
        Assert.True(onward.Intact, onward.Message);
        Assert.True(onward.Entries > whole.Entries);
        Assert.NotEqual(last, next);

        var wrong = AuditLog.VerifyFrom(connection, whole.Entries, AuditLog.GenesisHash, out _);
        Assert.False(wrong.Intact);
        Assert.Equal(whole.Entries, wrong.FirstBrokenSeq);
    }

    [Fact]
    public async Task The_command_replays_a_seed_exactly_and_refuses_bad_options()
    {
        var first = await Cli.Cli.RunAsync("simulate", "--seed", "3", "--steps", "300", "--json");
        var second = await Cli.Cli.RunAsync("simulate", "--seed", "3", "--steps", "300", "--json");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(0, second.ExitCode);
        using var a = JsonDocument.Parse(first.Stdout);
        using var b = JsonDocument.Parse(second.Stdout);
        Assert.Equal(a.RootElement.GetProperty("summary").GetRawText(), b.RootElement.GetProperty("summary").GetRawText());
        Assert.Equal(JsonValueKind.Null, a.RootElement.GetProperty("failure").ValueKind);
        Assert.Equal(300, a.RootElement.GetProperty("summary").GetProperty("steps").GetInt32());

        var bad = await Cli.Cli.RunAsync("simulate", "--seed", "-1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("[SIM-2]", bad.Stderr, StringComparison.Ordinal);
    }

    private sealed class Receiver(PartyId party) : IMessageReceiver
    {
        public List<string> Got { get; } = [];

        public PartyId Party { get; } = party;

        public DeliveryAnswer Receive(TransportMessage message)
        {
            Got.Add(message.MessageId);
            return DeliveryAnswer.Accepted;
        }
    }
}
