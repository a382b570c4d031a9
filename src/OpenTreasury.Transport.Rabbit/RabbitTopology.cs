using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using RabbitMQ.Client;

namespace OpenTreasury.Transport.Rabbit;

/// <summary>
/// What every node on one broker agrees on: the names of a party's queues, their arguments, the headers and the limits.
/// A party's inbox <c>ot.&lt;party&gt;.inbox</c> is a durable quorum queue that dead-letters, after
/// <see cref="DeliveryLimit"/> deliveries or a rejection, to the exchange <c>ot.&lt;party&gt;.dead</c> and its one queue of
/// the same name: a durable classic queue with no dead-letter exchange, no delivery limit and no consumer, so a message
/// that lands there stays there until an operator replays it (<see cref="DeadLetters"/>).
/// </summary>
public static class RabbitTopology
{
    /// <summary>Deliveries of one copy of a message before the broker gives it up to the dead queue (a store that stays broken, a program fault).</summary>
    public const int DeliveryLimit = 10;

    /// <summary>Unacknowledged messages a node's inbox consumer holds at once: it stores them one at a time anyway.</summary>
    public const ushort PrefetchCount = 4;

    /// <summary>Seconds a sender waits for the receiver's sealed answer (the same bound as an HTTP delivery).</summary>
    public const int AnswerWaitSecondsMax = Limits.DeliveryTimeoutSecondsMax;

    /// <summary>Seconds to open a connection to the broker before the attempt counts as unreachable.</summary>
    public const int ConnectTimeoutSecondsMax = 5;

    /// <summary>Milliseconds an inbox waits before it hands back a message its store could not take now, so the delivery limit is not spent in a hot loop.</summary>
    public const int TransientRetryDelayMs = 1_000;

    /// <summary>Dead letters one listing or replay reads at most.</summary>
    public const int DeadLettersReadMax = 1_000;

    /// <summary>The header naming the sending party (the body is ciphertext; this is for the operator's list only, never trusted).</summary>
    public const string FromHeader = "ot-from";

    /// <summary>The header counting how often an operator replayed a message from the dead queue.</summary>
    public const string ReplaysHeader = "ot-replays";

    public static string InboxQueue(PartyId party) => $"ot.{party}.inbox";

    public static string DeadExchange(PartyId party) => $"ot.{party}.dead";

    public static string DeadQueue(PartyId party) => $"ot.{party}.dead";

    /// <summary>The prefix of a sender's answer queues; each transport instance adds its own random suffix.</summary>
    public static string AnswerQueuePrefix(PartyId party) => $"ot.{party}.answers.";

    /// <summary>The arguments of a party's inbox: quorum, bounded deliveries, dead-lettered to its dead exchange.</summary>
    public static Dictionary<string, object?> InboxArguments(PartyId party) => new(StringComparer.Ordinal)
    {
        ["x-queue-type"] = "quorum",
        ["x-delivery-limit"] = DeliveryLimit,
        ["x-dead-letter-exchange"] = DeadExchange(party),
    };

    /// <summary>
    /// The arguments of a party's dead queue: classic, and nothing else. Not quorum: a quorum queue counts an operator's
    /// look at a message (get, then hand back) as a delivery and drops it at its limit; and no dead-letter exchange, so
    /// nothing ever moves a dead letter on but a replay.
    /// </summary>
    public static Dictionary<string, object?> DeadArguments() => new(StringComparer.Ordinal) { ["x-queue-type"] = "classic" };

    /// <summary>Declares a party's inbox, its dead exchange and its dead queue (idempotent; the receiving node does it when it starts).</summary>
    public static async Task DeclareAsync(IChannel channel, PartyId party, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(DeadExchange(party), ExchangeType.Fanout, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(DeadQueue(party), durable: true, exclusive: false, autoDelete: false, arguments: DeadArguments(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(DeadQueue(party), DeadExchange(party), routingKey: string.Empty, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(InboxQueue(party), durable: true, exclusive: false, autoDelete: false, arguments: InboxArguments(party), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A connection factory for <paramref name="amqp"/>. Recovery is ours, not the client's: a transport reconnects on
    /// its next delivery, an inbox in its own loop, so no half-recovered channel ever acknowledges anything.
    /// </summary>
    public static ConnectionFactory Factory(Uri amqp, string clientName)
    {
        ArgumentNullException.ThrowIfNull(amqp);
        return new ConnectionFactory
        {
            Uri = amqp,
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(ConnectTimeoutSecondsMax),
            SocketReadTimeout = TimeSpan.FromSeconds(ConnectTimeoutSecondsMax),
            SocketWriteTimeout = TimeSpan.FromSeconds(ConnectTimeoutSecondsMax),
            ContinuationTimeout = TimeSpan.FromSeconds(AnswerWaitSecondsMax),
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>
    /// The broker password for a URI that names a user and no password: kept out of the command line, where every
    /// user of the machine can read it (<c>ps</c>), as PGPASSWORD keeps PostgreSQL's.
    /// </summary>
    public const string PasswordVariable = "OPENTREASURY_AMQP_PASSWORD";

    /// <summary>
    /// Reads an AMQP URI: <c>amqp://user:password@host:port/vhost</c> or <c>amqps://…</c>, with a host. False with the reason
    /// (in Chinese) otherwise; a password is never repeated in the reason. A URI with a user and no password takes the
    /// password from <see cref="PasswordVariable"/> when it is set.
    /// </summary>
    public static bool TryParseUri(string? text, out Uri amqp, out string problem) =>
        TryParseUri(text, Environment.GetEnvironmentVariable(PasswordVariable), out amqp, out problem);

    /// <summary>As <see cref="TryParseUri(string?, out Uri, out string)"/>, with the password of the environment given.</summary>
    public static bool TryParseUri(string? text, string? passwordFromEnvironment, out Uri amqp, out string problem)
    {
        amqp = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "未指定 --amqp（例如 amqp://guest:guest@127.0.0.1:5672/）";
            return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || string.IsNullOrEmpty(uri.Host))
        {
            problem = "--amqp 应为 amqp://用户:口令@主机:端口/虚拟主机 或 amqps://… 形式的地址";
            return false;
        }

        var user = uri.UserInfo.Split(':');
        if (user is [{ Length: > 0 }] && !string.IsNullOrEmpty(passwordFromEnvironment))
        {
            uri = new UriBuilder(uri) { UserName = Uri.UnescapeDataString(user[0]), Password = passwordFromEnvironment }.Uri;
        }

        try
        {
            _ = new ConnectionFactory { Uri = uri };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            problem = "--amqp 地址无效（用户、口令、端口或虚拟主机有误）";
            return false;
        }

        amqp = uri;
        problem = string.Empty;
        return true;
    }

    /// <summary>The password the URI carries, null when it has none (for a child process's <see cref="PasswordVariable"/>).</summary>
    public static string? Password(Uri amqp)
    {
        ArgumentNullException.ThrowIfNull(amqp);
        var user = amqp.UserInfo.Split(':', 2);
        return user.Length == 2 ? Uri.UnescapeDataString(user[1]) : null;
    }

    /// <summary>The URI without its password, for messages, logs and the command lines of child processes.</summary>
    public static string Redacted(Uri amqp)
    {
        ArgumentNullException.ThrowIfNull(amqp);
        var builder = new UriBuilder(amqp) { Password = string.Empty };
        if (!string.IsNullOrEmpty(amqp.UserInfo))
        {
            builder.UserName = amqp.UserInfo.Split(':')[0];
        }

        return builder.Uri.ToString();
    }
}
