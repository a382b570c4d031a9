using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Messaging;

/// <summary>What travels between nodes: a voucher envelope (MOF) or a signed status notice.</summary>
public enum MessageKind
{
    Voucher = 1,
    Status = 2,

    /// <summary>A restored node asking a peer for what it lost since its backup (ADR 0016); answered with <see cref="DeliveryAnswer.Data"/>.</summary>
    Recovery = 3,
}

/// <summary>One message; <see cref="MessageId"/> is stable across retries so the receiver can dedupe.</summary>
public sealed record TransportMessage(string MessageId, PartyId From, PartyId To, MessageKind Kind, byte[] Payload)
{
    /// <summary>
    /// The sender's gapless number of its messages to this receiver (1, 2, …), assigned when the message was written to its
    /// outbox and carried signed in the envelope; 0 for a message outside the sequence (a recovery request). ADR 0016.
    /// </summary>
    public long Sequence { get; init; }
}

/// <summary>The receiver's immediate answer: for a voucher, received (1) or receive failed (2) with the reason.</summary>
public sealed record DeliveryAnswer(VoucherStatus Status, string? Reason)
{
    /// <summary>What the receiver answers a <see cref="MessageKind.Recovery"/> request with (sealed like the answer); null otherwise.</summary>
    public byte[]? Data { get; init; }

    public static DeliveryAnswer Accepted { get; } = new(VoucherStatus.Received, null);
}

/// <summary>Carries messages to other nodes. Throws when the receiver cannot be reached; the worker retries.</summary>
public interface ITransport
{
    Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken);
}

/// <summary>The receiving side of a node, as the transport sees it.</summary>
public interface IMessageReceiver
{
    PartyId Party { get; }

    DeliveryAnswer Receive(TransportMessage message);
}
