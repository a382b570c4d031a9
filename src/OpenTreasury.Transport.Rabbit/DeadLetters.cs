using System.Text;

using OpenTreasury.Domain.Parties;

using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpenTreasury.Transport.Rabbit;

/// <summary>One message in a party's dead queue, as the operator sees it (the body stays ciphertext).</summary>
/// <param name="MessageId">The sender's message id, as the sender labelled it (not verified: the message may not open).</param>
/// <param name="Sender">The sending party, as the sender labelled it.</param>
/// <param name="PublishedAt">When the sender published it.</param>
/// <param name="DeadAt">When the broker dead-lettered it (the latest time).</param>
/// <param name="Bytes">Size of the body.</param>
/// <param name="Reason">The broker's reason: rejected (did not open), delivery_limit (handed back too often), expired.</param>
/// <param name="Deaths">How often it was dead-lettered (replays included).</param>
/// <param name="Replays">How often an operator replayed it.</param>
public sealed record DeadLetter(string? MessageId, string? Sender, DateTimeOffset? PublishedAt, DateTimeOffset? DeadAt, int Bytes, string Reason, long Deaths, long Replays);

/// <summary>
/// The operator's view of a party's dead queue <c>ot.&lt;party&gt;.dead</c>: list what is there (each message is read and
/// handed back, so a listing changes nothing) and replay it to the inbox. A replayed message that still does not open is
/// rejected again and lands in the dead queue once more, where it stays: the dead queue has no consumer and no
/// dead-letter exchange of its own.
/// </summary>
public static class DeadLetters
{
    /// <summary>The broker's headers a replay does not carry over (the quorum queue sets its own delivery count).</summary>
    private static readonly string[] s_brokerHeaders = ["x-delivery-count", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason"];

    /// <summary>The dead letters of <paramref name="party"/>, oldest first, at most <see cref="RabbitTopology.DeadLettersReadMax"/>; none when the queue does not exist yet.</summary>
    public static async Task<IReadOnlyList<DeadLetter>> ListAsync(Uri amqp, PartyId party, CancellationToken cancellationToken)
    {
        var factory = RabbitTopology.Factory(amqp, $"opentreasury {party} dead-letters");
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsAsync(connection, party, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var letters = new List<DeadLetter>();
        ulong last = 0;
        while (letters.Count < RabbitTopology.DeadLettersReadMax
            && await channel.BasicGetAsync(RabbitTopology.DeadQueue(party), autoAck: false, cancellationToken).ConfigureAwait(false) is { } got)
        {
            letters.Add(Describe(got.BasicProperties, got.Body.Length));
            last = got.DeliveryTag;
        }

        if (last != 0)
        {
            // Every one handed back, in its place: a classic queue counts no deliveries, so looking never moves a message on.
            await channel.BasicNackAsync(last, multiple: true, requeue: true, cancellationToken).ConfigureAwait(false);
        }

        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        return letters;
    }

    /// <summary>
    /// Moves every dead letter of <paramref name="party"/> (at most <see cref="RabbitTopology.DeadLettersReadMax"/>) back to its
    /// inbox: each is published (persistent, mandatory, confirmed) before it is removed from the dead queue, so a crash in
    /// between leaves a copy in both, never in neither. Only the messages there when it starts are replayed. Returns them.
    /// </summary>
    public static async Task<IReadOnlyList<DeadLetter>> ReplayAsync(Uri amqp, PartyId party, CancellationToken cancellationToken)
    {
        var factory = RabbitTopology.Factory(amqp, $"opentreasury {party} dead-letters replay");
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsAsync(connection, party, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        // Only what is there now: a replayed message that is still poison is back at the tail within milliseconds, and must
        // wait there for the operator's next look rather than be replayed again by this very call.
        var present = (await channel.QueueDeclarePassiveAsync(RabbitTopology.DeadQueue(party), cancellationToken).ConfigureAwait(false)).MessageCount;
        var replayed = new List<DeadLetter>();
        while (replayed.Count < Math.Min((int)Math.Min(present, int.MaxValue), RabbitTopology.DeadLettersReadMax)
            && await channel.BasicGetAsync(RabbitTopology.DeadQueue(party), autoAck: false, cancellationToken).ConfigureAwait(false) is { } got)
        {
            var letter = Describe(got.BasicProperties, got.Body.Length);
            var properties = new BasicProperties(got.BasicProperties);
            var headers = new Dictionary<string, object?>(got.BasicProperties.Headers ?? new Dictionary<string, object?>(), StringComparer.Ordinal);
            foreach (var name in s_brokerHeaders)
            {
                headers.Remove(name);
            }

            headers[RabbitTopology.ReplaysHeader] = checked(letter.Replays + 1);
            properties.Headers = headers;
            properties.DeliveryMode = DeliveryModes.Persistent;
            await channel.BasicPublishAsync(string.Empty, RabbitTopology.InboxQueue(party), mandatory: true, properties, got.Body, cancellationToken).ConfigureAwait(false);
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            replayed.Add(letter);
        }

        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        return replayed;
    }

    /// <summary>How many messages wait in a queue now (0 when it does not exist).</summary>
    public static async Task<uint> CountAsync(Uri amqp, string queue, CancellationToken cancellationToken)
    {
        var factory = RabbitTopology.Factory(amqp, "opentreasury queue count");
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
            return declared.MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return 0;
        }
    }

    private static async Task<bool> ExistsAsync(IConnection connection, PartyId party, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: ask on a channel of its own.
        await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await probe.QueueDeclarePassiveAsync(RabbitTopology.DeadQueue(party), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return false;
        }
    }

    private static DeadLetter Describe(IReadOnlyBasicProperties properties, int bytes)
    {
        var headers = properties.Headers;
        // x-death holds one entry per (queue, reason), the most recent first, each with its count and latest time.
        var deaths = Header(headers, "x-death") is IEnumerable<object?> list ? list.OfType<IDictionary<string, object?>>().ToList() : [];
        var reason = deaths.Select(d => Text(Header(d, "reason"))).FirstOrDefault(r => r is not null)
            ?? Text(Header(headers, "x-first-death-reason")) ?? "unknown";
        var count = deaths.Sum(d => Header(d, "count") is long n ? n : 1L);
        var deadAt = deaths.Select(d => Header(d, "time")).OfType<AmqpTimestamp>().Select(t => (DateTimeOffset?)DateTimeOffset.FromUnixTimeSeconds(t.UnixTime)).Max();
        var replays = Header(headers, RabbitTopology.ReplaysHeader) switch
        {
            long l => l,
            int i => i,
            _ => 0L,
        };
        DateTimeOffset? publishedAt = properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null;
        return new DeadLetter(properties.MessageId, Text(Header(headers, RabbitTopology.FromHeader)), publishedAt, deadAt, bytes, reason, count, replays);
    }

    private static object? Header(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A header's text: the client gives AMQP strings as bytes.</summary>
    internal static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        null => null,
        _ => value.ToString(),
    };
}
