using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using RabbitMQ.Client;

namespace OpenTreasury.Transport.Rabbit.Tests;

/// <summary>
/// The broker the tests run against: the one <see cref="UriVariable"/> names, or else a private rabbitmq-server this test run
/// starts itself (Debian's binaries; its own temp folder, node name, ports and Erlang cookie; no plugins; as the
/// <c>rabbitmq</c> user when the tests run as root) and stops when the run ends. With neither, the tests skip — except
/// under <c>CI=true</c>, where they fail.
/// </summary>
public sealed class RabbitBroker : IDisposable
{
    /// <summary>The URI of a running broker to use instead of starting one (its queues named ot.* are deleted by the tests).</summary>
    public const string UriVariable = "OT_TEST_AMQP";

    public const string ServerBinary = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(20);
    private readonly string? _folder;
    private readonly int _distPort;
    private readonly string _nodeName = "ot" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant() + "@localhost";
    private Process? _server;
    private readonly Task<string> _template;
    private readonly Uri? _uri;
    private readonly string _missing = string.Empty;

    public RabbitBroker()
    {
        // The test network's template is slow to make (keys, USBKeys, seals): made while the broker starts.
        _template = Task.Run(() => Node.Tests.NetworkTemplate.Folder);
        if (Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } given)
        {
            _uri = new Uri(given);
            return;
        }

        if (!File.Exists(ServerBinary))
        {
            // The tests skip (BrokerFact), or under CI=true fail when they ask for the broker's URI.
            _missing = $"No rabbitmq-server here ({ServerBinary}): install Debian's rabbitmq-server package (.ci/run does), or set {UriVariable}.";
            return;
        }

        _folder = Path.Combine(Path.GetTempPath(), "ot-rmq-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant());
        Port = FreePort();
        _distPort = FreePort();
        foreach (var sub in new[] { "mnesia", "log", "home" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, sub));
        }

        File.WriteAllText(Path.Combine(_folder, "enabled_plugins"), string.Empty);
        var cookie = Path.Combine(_folder, "home", ".erlang.cookie");
        File.WriteAllText(cookie, Convert.ToHexString(RandomNumberGenerator.GetBytes(20)));
        if (!OperatingSystem.IsWindows())
        {
            // Erlang refuses a cookie others can read.
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (AsRoot)
        {
            Run("chown", "-R", "rabbitmq:", _folder);
        }

        _uri = new Uri($"amqp://guest:guest@127.0.0.1:{Port}/");
        Start();
    }

    /// <summary>True when a broker is there to test against, or must be (CI); false when the tests should skip.</summary>
    public static bool Available => Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } || File.Exists(ServerBinary) || Required;

    /// <summary>Under CI a missing broker is a failure, not a skip.</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public Uri Uri => _uri ?? throw new InvalidOperationException(_missing);

    /// <summary>Waits (bounded) until the test network's template is made.</summary>
    public void WaitForTemplate()
    {
        if (!_template.Wait(TimeSpan.FromMinutes(2)))
        {
            throw new TimeoutException("the test network's template was not made within 2 minutes");
        }
    }

    public int Port { get; }

    /// <summary>True for the private broker, which a test may stop and start again.</summary>
    public bool Private => _folder is not null;

    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>Starts the private broker (again, on the same folder and port) and waits until it takes a connection.</summary>
    public void Start()
    {
        if (_folder is null)
        {
            throw new InvalidOperationException("an external broker is not started by the tests");
        }

        // setsid: the server and its Erlang children in a process group of their own, so Stop can end them all.
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var command = new List<string>();
        if (AsRoot)
        {
            command.AddRange(["runuser", "-u", "rabbitmq", "--"]);
        }

        command.AddRange([
            "env", $"HOME={Path.Combine(_folder, "home")}", $"RABBITMQ_MNESIA_BASE={Path.Combine(_folder, "mnesia")}", $"RABBITMQ_LOG_BASE={Path.Combine(_folder, "log")}",
            $"RABBITMQ_NODENAME={_nodeName}", $"RABBITMQ_NODE_PORT={Port}", $"RABBITMQ_DIST_PORT={_distPort}", "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
            $"RABBITMQ_ENABLED_PLUGINS_FILE={Path.Combine(_folder, "enabled_plugins")}", $"RABBITMQ_CONFIG_FILE={Path.Combine(_folder, "rabbitmq")}",
            ServerBinary,
        ]);
        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("could not start rabbitmq-server");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {_server.ExitCode} before it listened; see {Path.Combine(_folder, "log")}");
            }

            try
            {
                var factory = new ConnectionFactory { Uri = Uri, RequestedConnectionTimeout = TimeSpan.FromSeconds(2) };
                using var connection = factory.CreateConnectionAsync().WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or TimeoutException or IOException or SocketException)
            {
                if (deadline.Elapsed > s_startTimeout)
                {
                    Stop();
                    throw new InvalidOperationException($"rabbitmq-server did not take a connection on port {Port} within {s_startTimeout.TotalSeconds} s", e);
                }

                Thread.Sleep(250);
            }
        }
    }

    /// <summary>Stops the private broker: TERM to its process group (the server stops cleanly), KILL if it has not within the bound.</summary>
    public void Stop()
    {
        if (_server is not { } server)
        {
            return;
        }

        _server = null;
        if (!server.HasExited)
        {
            Run("kill", "-TERM", "--", $"-{server.Id}");
            if (!server.WaitForExit(s_stopTimeout))
            {
                Run("kill", "-KILL", "--", $"-{server.Id}");
                server.WaitForExit(5_000);
            }
        }

        // The Erlang VM may outlive the shell that started it by a moment: wait (bounded) until the port is free.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_stopTimeout && Listening(Port))
        {
            Thread.Sleep(100);
        }

        server.Dispose();
    }

    public void Dispose()
    {
        Stop();
        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left in the temp folder; the next run has a folder of its own.
            }
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit(10_000);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One broker for the whole run; the tests that share it run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedBroker : ICollectionFixture<RabbitBroker>
{
    public const string Name = "broker";
}

/// <summary>A test that needs a broker: skipped where there is none and none is required (CI=true requires one).</summary>
public sealed class BrokerFactAttribute : FactAttribute
{
    public BrokerFactAttribute()
    {
        if (!RabbitBroker.Available)
        {
            Skip = $"no RabbitMQ here: install rabbitmq-server or set {RabbitBroker.UriVariable} (under CI=true this fails instead)";
        }
    }
}
