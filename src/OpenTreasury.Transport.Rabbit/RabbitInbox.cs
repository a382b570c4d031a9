using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Transport.Http;
using OpenTreasury.Trust.Envelopes;

using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OpenTreasury.Transport.Rabbit;

/// <summary>
/// The receiving side of the RabbitMQ transport: a consumer on the node's <c>ot.&lt;party&gt;.inbox</c> with manual
/// acknowledgements and a prefetch of <see cref="RabbitTopology.PrefetchCount"/>. Each message is opened, handed to the
/// node's <see cref="IMessageReceiver.Receive"/> (its inbox transaction), answered sealed to the sender, and acknowledged
/// only then — after the transaction committed, so a crash anywhere before leaves the message in the queue and the
/// broker delivers it again (the inbox stores it once).
/// </summary>
/// <remarks>
/// A message that does not open (not an envelope, not for this node, forged, stale, too large, of a kind an inbox does not
/// take) is rejected without requeue: the broker moves it to <c>ot.&lt;party&gt;.dead</c>, where it stays. A store that
/// cannot take it now (<see cref="TransportException"/> from the receiver) hands it back after
/// <see cref="RabbitTopology.TransientRetryDelayMs"/>; after <see cref="RabbitTopology.DeliveryLimit"/> deliveries the
/// broker dead-letters it too. A lost connection is reopened in a loop, 1 s doubling to 10 s between tries.
/// </remarks>
public sealed class RabbitInbox : IAsyncDisposable
{
    private static readonly TimeSpan s_reconnectMin = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_reconnectMax = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(10);
    private readonly IMessageReceiver _receiver;
    private readonly NodeEnvelopes _envelopes;
    private readonly ConnectionFactory _factory;
    private readonly Action<string> _log;
    private readonly TimeSpan _transientRetryDelay;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstConsuming = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConnection? _connection;
    private Task? _loop;
    private long _stored;
    private long _rejected;

    /// <param name="receiver">The node's library (its inbox).</param>
    /// <param name="envelopes">The node's credential, to open what arrives and seal the answers.</param>
    /// <param name="amqp">The broker.</param>
    /// <param name="log">Where one-line notes go (a poison message, a lost connection); nowhere when null.</param>
    /// <param name="transientRetryDelay">The pause before a message the store could not take goes back; <see cref="RabbitTopology.TransientRetryDelayMs"/> unless a test shortens it.</param>
    public RabbitInbox(IMessageReceiver receiver, NodeEnvelopes envelopes, Uri amqp, Action<string>? log = null, TimeSpan? transientRetryDelay = null)
    {
        _transientRetryDelay = transientRetryDelay ?? TimeSpan.FromMilliseconds(RabbitTopology.TransientRetryDelayMs);
        _receiver = receiver ?? throw new ArgumentNullException(nameof(receiver));
        _envelopes = envelopes ?? throw new ArgumentNullException(nameof(envelopes));
        if (receiver.Party != envelopes.Credential.Party)
        {
            throw new ArgumentException($"The inbox of {receiver.Party} cannot open envelopes with {envelopes.Credential.Party}'s credential.", nameof(envelopes));
        }

        _factory = RabbitTopology.Factory(amqp, $"opentreasury {receiver.Party} inbox");
        _log = log ?? (_ => { });
    }

    public PartyId Party => _receiver.Party;

    /// <summary>True while a consumer is registered on the inbox queue.</summary>
    public bool Consuming { get; private set; }

    /// <summary>Messages handed to the node and acknowledged, since start.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Messages rejected to the dead queue, since start.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Starts consuming in the background; the loop reconnects until <see cref="DisposeAsync"/>.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The inbox is started already.");
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until the first consumer is registered; false when it was not.</summary>
    public async Task<bool> WaitUntilConsumingAsync(TimeSpan timeout)
    {
        try
        {
            await _firstConsuming.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_connection is { } connection)
        {
            try
            {
                // Unacknowledged messages go back to the queue: nothing is acknowledged that was not stored.
                await connection.AbortAsync(TimeSpan.FromSeconds(RabbitTopology.ConnectTimeoutSecondsMax)).ConfigureAwait(false);
            }
            catch (Exception e) when (RabbitTransport.IsBrokerFailure(e))
            {
                // Gone already.
            }
        }

        if (_loop is { } loop)
        {
            await loop.WaitAsync(s_stopWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var wait = s_reconnectMin;
        DateTimeOffset? down = null;
        while (!stop.IsCancellationRequested)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Deliveries are stored by a worker of our own, not in the client's callback: closing a connection then never
            // waits for a store, and the broker hears at once that what was not acknowledged must be delivered again.
            var deliveries = System.Threading.Channels.Channel.CreateBounded<Delivery>(RabbitTopology.PrefetchCount);
            Task? worker = null;
            IConnection? connection = null;
            try
            {
                connection = await _factory.CreateConnectionAsync(stop).ConfigureAwait(false);
                _connection = connection;
                connection.ConnectionShutdownAsync += (_, _) =>
                {
                    closed.TrySetResult();
                    return Task.CompletedTask;
                };
                var channel = await connection.CreateChannelAsync(cancellationToken: stop).ConfigureAwait(false);
                await RabbitTopology.DeclareAsync(channel, Party, stop).ConfigureAwait(false);
                await channel.BasicQosAsync(0, RabbitTopology.PrefetchCount, global: false, stop).ConfigureAwait(false);
                worker = Task.Run(() => WorkAsync(channel, deliveries.Reader, stop), CancellationToken.None);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => deliveries.Writer.WriteAsync(Delivery.Of(delivery), stop).AsTask();
                await channel.BasicConsumeAsync(RabbitTopology.InboxQueue(Party), autoAck: false, consumer, stop).ConfigureAwait(false);
                Consuming = true;
                _firstConsuming.TrySetResult();
                if (down is { } since)
                {
                    _log($"{Party}: consuming {RabbitTopology.InboxQueue(Party)} again after {(DateTimeOffset.UtcNow - since).TotalSeconds:F0} s without the broker");
                    down = null;
                }

                wait = s_reconnectMin;
                await closed.Task.WaitAsync(stop).ConfigureAwait(false);
                _log($"{Party}: the connection to the broker closed; reconnecting");
                down = DateTimeOffset.UtcNow;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (RabbitTransport.IsBrokerFailure(e))
            {
                if (down is null)
                {
                    // Once per outage, not once per try.
                    _log($"{Party}: the broker {RabbitTopology.Redacted(_factory.Uri)} is not reachable ({e.GetType().Name}: {e.Message}); trying again every {s_reconnectMin.TotalSeconds:F0}–{s_reconnectMax.TotalSeconds:F0} s");
                    down = DateTimeOffset.UtcNow;
                }
            }
            finally
            {
                Consuming = false;
                _connection = null;
                deliveries.Writer.TryComplete();
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }

                if (worker is not null && !stop.IsCancellationRequested)
                {
                    // One store at a time: the next connection's worker starts after this one's last message.
                    await worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            try
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            wait = TimeSpan.FromTicks(Math.Min(s_reconnectMax.Ticks, wait.Ticks * 2));
        }
    }

    private async Task WorkAsync(IChannel channel, System.Threading.Channels.ChannelReader<Delivery> deliveries, CancellationToken stop)
    {
        try
        {
            await foreach (var delivery in deliveries.ReadAllAsync(stop).ConfigureAwait(false))
            {
                if (!channel.IsOpen)
                {
                    // Its connection is gone: the broker delivers what was buffered here again, on the next connection.
                    break;
                }

                await HandleAsync(channel, delivery, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: what was not acknowledged is delivered again.
        }
    }

    /// <summary>One delivery: open, store (the inbox transaction), answer, and only then acknowledge.</summary>
    private async Task HandleAsync(IChannel channel, Delivery delivery, CancellationToken stop)
    {
        var tag = delivery.Tag;
        try
        {
            // The opening bounds the size (Limits.NodeEnvelopeBytesMax) before it reads anything.
            var opening = _envelopes.Open(delivery.Body);
            var (refusal, reason) = !opening.IsOpen ? (opening.Rejection, opening.Reason)
                : opening.Envelope!.Header.Kind is not ((ushort)MessageKind.Voucher or (ushort)MessageKind.Status or (ushort)MessageKind.Recovery)
                    ? (EnvelopeRejection.Malformed, $"kind {opening.Envelope.Header.Kind} is not a message an inbox takes")
                    : (EnvelopeRejection.None, string.Empty);
            if (refusal != EnvelopeRejection.None)
            {
                _log($"{Party}: message '{delivery.MessageId}' (from {delivery.From}) refused to the dead queue: {refusal} ({(int)refusal}): {reason}");
                await channel.BasicRejectAsync(tag, requeue: false, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _rejected);
                return;
            }

            var header = opening.Envelope!.Header;
            var message = new TransportMessage(header.MessageId, header.From, header.To, (MessageKind)header.Kind, opening.Envelope.Payload) { Sequence = header.Sequence };
            DeliveryAnswer answer;
            try
            {
                answer = _receiver.Receive(message);
            }
            catch (TransportException e)
            {
                // The store is busy: nothing was recorded; the message goes back to the queue a little later.
                _log($"{Party}: message '{header.MessageId}' from {header.From} handed back, the store cannot take it now: {e.Message}");
                await Task.Delay(_transientRetryDelay, stop).ConfigureAwait(false);
                await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            if (stop.IsCancellationRequested)
            {
                // Stopping: the connection is going; not acknowledged, so the broker delivers it again (the inbox dedupes it).
                return;
            }

            // Committed. The answer is sealed to the sender's certificate, the one that signed this envelope.
            if (delivery.ReplyTo is { Length: > 0 } replyTo)
            {
                var sealedAnswer = _envelopes.Seal(opening.Envelope.SenderCertificate, header.MessageId, NodeHttp.AnswerKind, NodeHttp.EncodeAnswer(answer));
                var properties = new BasicProperties { CorrelationId = delivery.CorrelationId, MessageId = header.MessageId, ContentType = NodeHttp.EnvelopeMediaType };
                // Not mandatory: a sender that has gone (its answer queue with it) retries and is answered then.
                await channel.BasicPublishAsync(string.Empty, replyTo, mandatory: false, properties, sealedAnswer, CancellationToken.None).ConfigureAwait(false);
            }

            await channel.BasicAckAsync(tag, multiple: false, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _stored);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: not acknowledged, so the broker delivers it again.
        }
        catch (Exception e) when (RabbitTransport.IsBrokerFailure(e))
        {
            // The channel went away before the acknowledgement: the broker delivers the message again and the inbox dedupes it.
            _log($"{Party}: message not acknowledged, the channel closed ({e.GetType().Name}: {e.Message}); it will be delivered again");
        }
#pragma warning disable CA1031 // A fault of the receiving program must not kill the consumer: the message goes back and, after the limit, to the dead queue.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _log($"{Party}: receiving message '{delivery.MessageId}' failed ({e.GetType().Name}: {e.Message}); handed back to the queue");
            await NackQuietlyAsync(channel, tag, _transientRetryDelay, stop).ConfigureAwait(false);
        }
    }

    private static async Task NackQuietlyAsync(IChannel channel, ulong tag, TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || RabbitTransport.IsBrokerFailure(e))
        {
            // The channel is gone or we are stopping: the broker hands the message back by itself.
        }
    }

    /// <summary>What the worker needs of a delivery, copied out of the client's callback (its body is valid only there).</summary>
    private sealed record Delivery(ulong Tag, byte[] Body, string? MessageId, string? CorrelationId, string? ReplyTo, string From)
    {
        public static Delivery Of(BasicDeliverEventArgs e)
        {
            var properties = e.BasicProperties;
            var from = properties.Headers?.TryGetValue(RabbitTopology.FromHeader, out var value) == true ? DeadLetters.Text(value) ?? "?" : "?";
            return new(e.DeliveryTag, e.Body.ToArray(), properties.MessageId, properties.CorrelationId, properties.ReplyTo, from);
        }
    }
}
