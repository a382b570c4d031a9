using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;

using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Transport.Http;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.X509;

using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OpenTreasury.Transport.Rabbit;

/// <summary>
/// Carries a node's messages to other nodes through a RabbitMQ broker: each message is sealed in a <see cref="NodeEnvelope"/>
/// to the receiver's certificate (the very bytes the HTTP transport would POST; the broker sees only ciphertext) and
/// published, persistent and <c>mandatory</c>, with a publisher confirm, to the receiver's quorum queue
/// <c>ot.&lt;party&gt;.inbox</c>. The receiver's <see cref="DeliveryAnswer"/> comes back sealed to this node on this
/// transport's own answer queue, matched by correlation id.
/// </summary>
/// <remarks>
/// Everything short of a genuine answer within <see cref="RabbitTopology.AnswerWaitSecondsMax"/> throws
/// <see cref="TransportException"/> — the broker unreachable, the receiver's queue missing (returned as unroutable), a
/// publish the broker did not confirm, no answer in time, an answer that does not open — so the
/// <see cref="DeliveryWorker"/> keeps the message and retries with backoff. A copy left in the queue after a timeout is
/// harmless: the receiver's inbox stores a message once, whatever the broker redelivers.
/// </remarks>
public sealed class RabbitTransport : ITransport, IAsyncDisposable, IDisposable
{
    private readonly NodeEnvelopes _envelopes;
    private readonly ConnectionFactory _factory;
    private readonly TimeSpan _answerWait;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, Waiter> _waiting = new(StringComparer.Ordinal);
    private Link? _link;
    private bool _disposed;

    /// <param name="envelopes">This node's credential, the network's validator, the clock and randomness.</param>
    /// <param name="amqp">The broker.</param>
    /// <param name="certificates">Where receivers' certificates come from; each is validated before anything is sealed to it.</param>
    /// <param name="answerWait">How long to wait for an answer; <see cref="RabbitTopology.AnswerWaitSecondsMax"/> unless a test shortens it.</param>
    public RabbitTransport(NodeEnvelopes envelopes, Uri amqp, IPeerCertificates certificates, TimeSpan? answerWait = null)
    {
        _envelopes = envelopes ?? throw new ArgumentNullException(nameof(envelopes));
        Certificates = certificates ?? throw new ArgumentNullException(nameof(certificates));
        _factory = RabbitTopology.Factory(amqp, $"opentreasury {envelopes.Credential.Party} transport");
        _answerWait = answerWait ?? TimeSpan.FromSeconds(RabbitTopology.AnswerWaitSecondsMax);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_answerWait, TimeSpan.Zero, nameof(answerWait));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_answerWait, TimeSpan.FromSeconds(RabbitTopology.AnswerWaitSecondsMax), nameof(answerWait));
    }

    public IPeerCertificates Certificates { get; }

    private PartyId Party => _envelopes.Credential.Party;

    public async Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (message.From != Party)
        {
            throw new InvalidOperationException($"This transport sends as {Party}, not as {message.From}.");
        }

        var receiver = await PeerAnswers.ReceiverCertificateAsync(Certificates, _envelopes, message.To, cancellationToken).ConfigureAwait(false);
        var envelope = _envelopes.Seal(receiver, message.MessageId, (ushort)message.Kind, message.Sequence, message.Payload);
        // A fresh id per attempt: a late answer to an attempt that already timed out matches nothing and is dropped.
        var correlation = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var answer = new Waiter();
        _waiting[correlation] = answer;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_answerWait);
        try
        {
            await PublishAsync(message, envelope, correlation, answer, attempt.Token, cancellationToken).ConfigureAwait(false);
            byte[] body;
            try
            {
                body = await answer.Answer.Task.WaitAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The receiver may be down, or no longer hold the key this was sealed for: ask for its certificate afresh next time.
                Certificates.Forget(message.To);
                throw new TransportException($"{message.To} did not answer within {_answerWait.TotalSeconds:F0} s (its inbox {RabbitTopology.InboxQueue(message.To)} keeps the message)");
            }

            return OpenAnswer(message, body);
        }
        finally
        {
            _waiting.TryRemove(correlation, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await DropLinkAsync("the transport is closing").ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Publishes one sealed envelope and waits for the broker's confirm, connecting first when there is no live connection.</summary>
    private async Task PublishAsync(TransportMessage message, byte[] envelope, string correlation, Waiter waiter, CancellationToken attempt, CancellationToken caller)
    {
        var queue = RabbitTopology.InboxQueue(message.To);
        try
        {
            await _gate.WaitAsync(attempt).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
        {
            throw new TransportException($"the transport is busy: could not publish to {queue} in time", e);
        }

        try
        {
            var link = await LinkAsync(attempt).ConfigureAwait(false);
            waiter.Connection = link.Connection;
            var properties = new BasicProperties
            {
                MessageId = message.MessageId,
                CorrelationId = correlation,
                ReplyTo = link.AnswerQueue,
                DeliveryMode = DeliveryModes.Persistent,
                ContentType = NodeHttp.EnvelopeMediaType,
                Timestamp = new AmqpTimestamp(_envelopes.Clock.GetUtcNow().ToUnixTimeSeconds()),
                Headers = new Dictionary<string, object?>(StringComparer.Ordinal) { [RabbitTopology.FromHeader] = Party.ToString() },
            };
            await link.Channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, envelope, attempt).ConfigureAwait(false);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new TransportException($"{message.To} has no inbox on the broker: {queue} is unroutable (the receiving node declares it when it starts)", e);
        }
        catch (PublishException e)
        {
            await DropLinkAsync("the broker refused a publish").ConfigureAwait(false);
            throw new TransportException($"the broker did not confirm the message to {queue}", e);
        }
        catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
        {
            await DropLinkAsync("a publish timed out").ConfigureAwait(false);
            throw new TransportException($"the broker did not confirm the message to {queue} in time", e);
        }
        catch (Exception e) when (IsBrokerFailure(e))
        {
            await DropLinkAsync(e.Message).ConfigureAwait(false);
            throw new TransportException($"the broker {RabbitTopology.Redacted(_factory.Uri)} is not reachable: {e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The live connection with its confirming channel and answer queue, made when there is none (under the gate).</summary>
    private async Task<Link> LinkAsync(CancellationToken cancellationToken)
    {
        if (_link is { } live && live.Connection.IsOpen && live.Channel.IsOpen)
        {
            return live;
        }

        await DropLinkAsync("reconnecting").ConfigureAwait(false);
        var connection = await _factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
            var answerQueue = RabbitTopology.AnswerQueuePrefix(Party) + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            await channel.QueueDeclareAsync(answerQueue, durable: false, exclusive: true, autoDelete: true, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                if (delivery.BasicProperties.CorrelationId is { } id && _waiting.TryGetValue(id, out var waiting))
                {
                    waiting.Answer.TrySetResult(delivery.Body.ToArray());
                }

                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(answerQueue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            connection.ConnectionShutdownAsync += (_, shutdown) =>
            {
                // Whoever waits on this connection will not hear from it again: fail them now rather than at the timeout.
                foreach (var waiting in _waiting.Values.Where(w => ReferenceEquals(w.Connection, connection)))
                {
                    waiting.Answer.TrySetException(new TransportException($"the connection to the broker closed: {shutdown.ReplyText}"));
                }

                return Task.CompletedTask;
            };
            _link = new Link(connection, channel, answerQueue);
            return _link;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task DropLinkAsync(string reason)
    {
        if (_link is not { } link)
        {
            return;
        }

        _link = null;
        try
        {
            await link.Connection.AbortAsync(Constants.ReplySuccess, reason, TimeSpan.FromSeconds(RabbitTopology.ConnectTimeoutSecondsMax)).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBrokerFailure(e))
        {
            // Gone already.
        }

        await link.Channel.DisposeAsync().ConfigureAwait(false);
        await link.Connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The answer, if it opens as one sealed by the receiver to us, for this very message.</summary>
    private DeliveryAnswer OpenAnswer(TransportMessage message, byte[] body)
    {
        if (body.Length > NodeHttp.AnswerBytesMax)
        {
            throw new TransportException($"{message.To} answered {body.Length} bytes, more than {NodeHttp.AnswerBytesMax}");
        }

        return PeerAnswers.Open(_envelopes, message, body);
    }

    /// <summary>What a broker that is down, restarting or misconfigured throws at a client (the callers turn it into a retry or one line).</summary>
    public static bool IsBrokerFailure(Exception e) =>
        e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or ProtocolException
            or IOException or SocketException or TimeoutException or ObjectDisposedException or RabbitMQClientException;

    private sealed record Link(IConnection Connection, IChannel Channel, string AnswerQueue);

    /// <summary>One delivery waiting for its answer, on the connection its answer queue belongs to.</summary>
    private sealed class Waiter
    {
        public TaskCompletionSource<byte[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IConnection? Connection { get; set; }
    }
}
