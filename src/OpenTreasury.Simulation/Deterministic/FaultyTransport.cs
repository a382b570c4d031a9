using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;

namespace OpenTreasury.Simulation.Deterministic;

/// <summary>A fault the simulator arms; it strikes the next message the transport carries.</summary>
public enum TransportFault
{
    /// <summary>The request is lost: the receiver never sees it, the sender times out and retries.</summary>
    Drop,

    /// <summary>The receiver takes it, its answer is lost: the sender retries what was already received.</summary>
    DropAnswer,

    /// <summary>The receiver gets it twice at once, and a third copy is left in flight to arrive later.</summary>
    Duplicate,

    /// <summary>The message is held in flight (the sender times out and retries); the held copy arrives later, late and out of order.</summary>
    Delay,

    /// <summary>The next two to four messages are held and later arrive in a random order.</summary>
    Reorder,

    /// <summary>The receiver commits it, then the sender crashes before it records the answer (a crash inside a step).</summary>
    CrashSender,
}

/// <summary>Thrown out of a delivery when the sender crashes in the middle of it; the delivery worker does not catch it.</summary>
public sealed class SimulatedCrashException(PartyId party) : OperationCanceledException($"{party} crashed during a delivery")
{
    public PartyId Party { get; } = party;
}

/// <summary>
/// The simulation's network in place of <see cref="InProcessTransport"/>: it hands messages to the live nodes,
/// and under the simulator's control drops, duplicates, delays and reorders them, cuts the link between two parties
/// (a partition, both ways) and refuses messages to a crashed node. Every choice comes from the simulator's seeded
/// <see cref="Random"/>, so a run replays exactly. A message held in flight is a copy: the sender saw a time-out and
/// still has it in its outbox, as over a real network.
/// </summary>
public sealed class FaultyTransport(Random random) : ITransport
{
    private readonly Dictionary<PartyId, IMessageReceiver> _live = [];
    private readonly HashSet<(PartyId, PartyId)> _partitions = [];
    private readonly Queue<TransportFault> _armed = new();
    private readonly List<TransportMessage> _inFlight = [];
    private readonly HashSet<PartyId> _touched = [];

    /// <summary>The faults that struck a message, by kind (an armed fault the network was mended before does not count).</summary>
    public SortedDictionary<string, int> Struck { get; } = new(StringComparer.Ordinal);

    /// <summary>Messages handed to a receiver (each copy counts).</summary>
    public long Delivered { get; private set; }

    public int InFlight => _inFlight.Count;

    public int Armed => _armed.Count;

    public IReadOnlyCollection<(PartyId A, PartyId B)> Partitions => _partitions;

    /// <summary>The parties that received something since the last <see cref="TakeTouched"/>.</summary>
    public IReadOnlyCollection<PartyId> TakeTouched()
    {
        var touched = _touched.ToList();
        _touched.Clear();
        return touched;
    }

    public void Up(IMessageReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        _live[receiver.Party] = receiver;
    }

    public void Down(PartyId party) => _live.Remove(party);

    public void Arm(TransportFault fault) => _armed.Enqueue(fault);

    public void Partition(PartyId a, PartyId b) => _partitions.Add(Key(a, b));

    /// <summary>Heals one partition (or none when there is none); returns whether one was healed.</summary>
    public bool HealOne()
    {
        if (_partitions.Count == 0)
        {
            return false;
        }

        var ordered = _partitions.OrderBy(p => p.Item1.ToString(), StringComparer.Ordinal).ThenBy(p => p.Item2.ToString(), StringComparer.Ordinal).ToList();
        _partitions.Remove(ordered[random.Next(ordered.Count)]);
        return true;
    }

    /// <summary>Heals every partition and disarms every fault not yet struck (the network is mended).</summary>
    public void HealAll()
    {
        _partitions.Clear();
        _armed.Clear();
    }

    public Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        var receiver = Reachable(message) ?? throw new TransportException($"{message.To} is not reachable from {message.From}");
        if (!_armed.TryDequeue(out var fault))
        {
            return Task.FromResult(Hand(receiver, message));
        }

        var name = fault switch
        {
            TransportFault.DropAnswer => "drop-answer",
            TransportFault.CrashSender => "crash-in-delivery",
            _ => fault.ToString().ToLowerInvariant(),
        };
        Struck[name] = Struck.GetValueOrDefault(name) + 1;
        switch (fault)
        {
            case TransportFault.Drop:
                throw new TransportException($"lost on the way to {message.To}");
            case TransportFault.DropAnswer:
                Hand(receiver, message);
                throw new TransportException($"the answer of {message.To} was lost");
            case TransportFault.Duplicate:
                var answer = Hand(receiver, message);
                Hand(receiver, message);
                _inFlight.Add(message);
                return Task.FromResult(answer);
            case TransportFault.Delay:
                _inFlight.Add(message);
                throw new TransportException($"timed out on the way to {message.To}");
            case TransportFault.Reorder:
                _inFlight.Add(message);
                for (var more = random.Next(1, 4); more > 0; more--)
                {
                    _armed.Enqueue(TransportFault.Delay);
                }

                throw new TransportException($"timed out on the way to {message.To}");
            case TransportFault.CrashSender:
                Hand(receiver, message);
                throw new SimulatedCrashException(message.From);
            default:
                throw new InvalidOperationException($"unknown fault {fault}");
        }
    }

    /// <summary>
    /// A random message held in flight arrives now (its answer has no one to go to: the sender gave up on it). One whose
    /// receiver is down or cut off is lost. Returns false when nothing is in flight.
    /// </summary>
    public bool ReleaseOne()
    {
        if (_inFlight.Count == 0)
        {
            return false;
        }

        var index = random.Next(_inFlight.Count);
        var message = _inFlight[index];
        _inFlight.RemoveAt(index);
        if (Reachable(message) is { } receiver)
        {
            Hand(receiver, message);
        }

        return true;
    }

    /// <summary>Delivers every message held in flight, in a random order (used when the network is mended).</summary>
    public int ReleaseAll()
    {
        var released = 0;
        while (ReleaseOne())
        {
            released++;
        }

        return released;
    }

    private IMessageReceiver? Reachable(TransportMessage message) =>
        _live.TryGetValue(message.To, out var receiver) && !_partitions.Contains(Key(message.From, message.To)) ? receiver : null;

    private DeliveryAnswer Hand(IMessageReceiver receiver, TransportMessage message)
    {
        Delivered++;
        _touched.Add(message.To);
        return receiver.Receive(message);
    }

    private static (PartyId, PartyId) Key(PartyId a, PartyId b) =>
        string.CompareOrdinal(a.ToString(), b.ToString()) <= 0 ? (a, b) : (b, a);
}
