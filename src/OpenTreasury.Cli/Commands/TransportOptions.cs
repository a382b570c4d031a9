using System.CommandLine;
using OpenTreasury.Transport.Rabbit;
using RabbitMQ.Client;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>--transport http|rabbitmq</c> and <c>--amqp URI</c> of the commands that run nodes: how the nodes reach each other.
/// HTTP (the default): each node POSTs to the others' inboxes. RabbitMQ: each node publishes to the others' quorum
/// queues on the broker the URI names (docs/decisions/0012). Failures: AMQP-1 (exit 2) the options are wrong,
/// AMQP-2 (exit 3) the broker does not answer.
/// </summary>
internal sealed class TransportOptions
{
    /// <summary>The exit codes, for the commands' help.</summary>
    public const string ExitCodesHelp = "Exit 2 with AMQP-1 when --transport or --amqp is wrong, exit 3 with AMQP-2 when the broker does not answer.";

    public Option<string> Transport { get; } = new("--transport")
    {
        Description = "How the nodes reach each other: http (the default) or rabbitmq (with --amqp)",
        DefaultValueFactory = _ => "http",
    };

    public Option<string> Amqp { get; } = new("--amqp")
    {
        Description = "With --transport rabbitmq: the broker, e.g. amqp://guest:guest@127.0.0.1:5672/ (amqps:// for TLS; a user without a password takes it from OPENTREASURY_AMQP_PASSWORD)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Transport);
        command.Options.Add(Amqp);
    }

    /// <summary>The broker chosen, null for HTTP; or a failure (AMQP-1, AMQP-2), checked before anything starts.</summary>
    public bool TryRead(ParseResult result, out Uri? amqp, out int failure)
    {
        amqp = null;
        failure = 0;
        var transport = result.GetValue(Transport);
        var text = result.GetValue(Amqp);
        if (transport is not ("http" or "rabbitmq") || (transport == "http" && text is { Length: > 0 }))
        {
            failure = BadOptions("--transport 应为 http 或 rabbitmq；--amqp（RabbitMQ 地址）须与 --transport rabbitmq 一起给出",
                "--transport must be http or rabbitmq; --amqp goes with --transport rabbitmq and only with it");
            return false;
        }

        if (transport == "http")
        {
            return true;
        }

        if (!RabbitTopology.TryParseUri(text, out var uri, out var problem))
        {
            failure = BadOptions(problem, "--amqp is not an amqp:// or amqps:// URI with a host");
            return false;
        }

        if (Probe(uri) is { } unreachable)
        {
            failure = Report.Fail(new("AMQP-2", Exit.Environment, $"无法连接 RabbitMQ 服务器 {RabbitTopology.Redacted(uri)}：{unreachable}", "the RabbitMQ broker given with --amqp does not answer"));
            return false;
        }

        amqp = uri;
        return true;
    }

    /// <summary>AMQP-1: the transport options are wrong (exit 2).</summary>
    public static int BadOptions(string chinese, string english) => Report.BadInput("AMQP-1", chinese, english);

    /// <summary>Null when a connection to the broker opens (and is closed again) within the connect bound; else why not, in Chinese.</summary>
    public static string? Probe(Uri amqp)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(RabbitTopology.ConnectTimeoutSecondsMax * 2));
            var factory = RabbitTopology.Factory(amqp, "opentreasury probe");
            using var connection = factory.CreateConnectionAsync(timeout.Token).GetAwaiter().GetResult();
            connection.CloseAsync(Constants.ReplySuccess, "probe", TimeSpan.FromSeconds(RabbitTopology.ConnectTimeoutSecondsMax), false, timeout.Token).GetAwaiter().GetResult();
            return null;
        }
        catch (RabbitMQ.Client.Exceptions.AuthenticationFailureException)
        {
            return "用户名或口令被拒绝";
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e) when (e.InnerException is RabbitMQ.Client.Exceptions.AuthenticationFailureException)
        {
            return "用户名或口令被拒绝";
        }
        catch (Exception e) when (e is OperationCanceledException || RabbitTransportFailure(e))
        {
            return "连接被拒绝或超时（服务器未启动、地址或端口有误）";
        }
    }

    private static bool RabbitTransportFailure(Exception e) =>
        e is RabbitMQ.Client.Exceptions.RabbitMQClientException or RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException
            or IOException or System.Net.Sockets.SocketException or TimeoutException;
}
