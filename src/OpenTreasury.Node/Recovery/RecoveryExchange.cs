using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTreasury.Node.Recovery;

/// <summary>
/// A restored node's request to one peer (ADR 0016), carried as a <see cref="Messaging.MessageKind.Recovery"/> message
/// (sealed and signed like any other, so only the node itself can ask for its own messages): "give back my messages you
/// hold after number <see cref="ReturnAfter"/>", and, once the node has taken back its own, "send again what you sent me
/// after number <see cref="HeldFromYou"/>" (<see cref="Resend"/>).
/// </summary>
public sealed record RecoveryRequest(
    [property: JsonPropertyName("restore")] long RestoreId,
    [property: JsonPropertyName("returnAfter")] long ReturnAfter,
    [property: JsonPropertyName("heldFromYou")] long HeldFromYou,
    [property: JsonPropertyName("resend")] bool Resend);

/// <summary>
/// The peer's answer: the highest number it holds of the asker's messages, a page of them after <see cref="RecoveryRequest.ReturnAfter"/>
/// (in order), whether more follow, and how many of its own it queued again for the asker.
/// </summary>
public sealed record RecoveryAnswer(long HighestFromYou, IReadOnlyList<ReturnedMessage> Messages, bool More, long Resent);

/// <summary>One of the asking node's own messages, as the peer kept it: its number in the sequence, its id, kind and signed payload.</summary>
public sealed record ReturnedMessage(long Seq, string MessageId, string Kind, byte[] Payload);

/// <summary>
/// The bytes of the exchange. A request is a small JSON document. An answer is a JSON header (the numbers, and each message's
/// number, id, kind and length) after its 4-byte big-endian length, then the payloads as they are, one after another: the
/// payloads travel once, not base64 inside JSON inside the transport's own answer document. Anything that does not read
/// exactly is refused, never guessed.
/// </summary>
public static class RecoveryCodec
{
    /// <summary>
    /// Payload bytes a peer puts in one answer (at least one message): with the transport's own encoding the answer stays
    /// inside one envelope (<see cref="Domain.Limits.MessageBytesMax"/>); a 10,000-line payroll's message is about 4.6 MB.
    /// </summary>
    public const int AnswerPayloadBytesMax = 5 * 1024 * 1024;

    private const int HeaderBytesMax = 1024 * 1024;

    private static readonly JsonSerializerOptions Options = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static byte[] Encode(RecoveryRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, Options);

    public static RecoveryRequest? DecodeRequest(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<RecoveryRequest>(bytes, Options) is { ReturnAfter: >= 0, HeldFromYou: >= 0, RestoreId: >= 1 } request ? request : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Encode(RecoveryAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new AnswerHeader(answer.HighestFromYou, answer.More, answer.Resent, [.. answer.Messages.Select(m => new MessageHeader(m.Seq, m.MessageId, m.Kind, m.Payload.Length))]), Options);
        var bytes = new byte[checked(4 + header.Length + answer.Messages.Sum(m => m.Payload.Length))];
        BinaryPrimitives.WriteInt32BigEndian(bytes, header.Length);
        header.CopyTo(bytes, 4);
        var at = 4 + header.Length;
        foreach (var message in answer.Messages)
        {
            message.Payload.CopyTo(bytes, at);
            at += message.Payload.Length;
        }

        return bytes;
    }

    public static RecoveryAnswer? DecodeAnswer(byte[]? bytes)
    {
        if (bytes is null || bytes.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (length is <= 0 or > HeaderBytesMax || length > bytes.Length - 4)
        {
            return null;
        }

        AnswerHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<AnswerHeader>(bytes.AsSpan(4, length), Options);
        }
        catch (JsonException)
        {
            return null;
        }

        if (header is null || header.HighestFromYou < 0 || header.Messages is null)
        {
            return null;
        }

        var messages = new List<ReturnedMessage>(header.Messages.Count);
        var at = 4 + length;
        foreach (var m in header.Messages)
        {
            if (m.Length < 0 || m.Length > bytes.Length - at || m.Seq < 1 || m.Kind is not ("voucher" or "status") || string.IsNullOrEmpty(m.MessageId))
            {
                return null;
            }

            messages.Add(new ReturnedMessage(m.Seq, m.MessageId, m.Kind, bytes.AsSpan(at, m.Length).ToArray()));
            at += m.Length;
        }

        return at == bytes.Length ? new RecoveryAnswer(header.HighestFromYou, messages, header.More, header.Resent) : null;
    }

    private sealed record AnswerHeader(
        [property: JsonPropertyName("highestFromYou")] long HighestFromYou,
        [property: JsonPropertyName("more")] bool More,
        [property: JsonPropertyName("resent")] long Resent,
        [property: JsonPropertyName("messages")] IReadOnlyList<MessageHeader> Messages);

    private sealed record MessageHeader(
        [property: JsonPropertyName("seq")] long Seq,
        [property: JsonPropertyName("id")] string MessageId,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("length")] int Length);
}
