using System.Collections.Concurrent;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Node.Messaging;

/// <summary>
/// The transport of a one-process network: hands each message straight to the receiving node.
/// A node can be taken offline to exercise retries; an unknown or offline receiver throws, as an
/// unreachable host would.
/// </summary>
public sealed class InProcessTransport : ITransport
{
    private readonly ConcurrentDictionary<PartyId, IMessageReceiver> _receivers = new();
    private readonly ConcurrentDictionary<PartyId, bool> _offline = new();

    public void Register(IMessageReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        _receivers[receiver.Party] = receiver;
    }

    public void SetOffline(PartyId party, bool offline) => _offline[party] = offline;

    public Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_receivers.TryGetValue(message.To, out var receiver) || _offline.GetValueOrDefault(message.To))
        {
            throw new TransportException($"{message.To} is not reachable");
        }

        return Task.FromResult(receiver.Receive(message));
    }
}

/// <summary>A delivery that did not reach the receiver (it will be retried).</summary>
public sealed class TransportException : Exception
{
    public TransportException()
    {
    }

    public TransportException(string message)
        : base(message)
    {
    }

    public TransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
