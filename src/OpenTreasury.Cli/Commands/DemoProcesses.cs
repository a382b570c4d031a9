using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Simulation;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury demo --processes</c>: the authority and every node in an OS process of its own, on 127.0.0.1, the nodes
/// talking over the HTTP transport (or, given a broker, through RabbitMQ) and taking the demo's steps from this driver.
/// Disposing kills them all.
/// </summary>
internal sealed class DemoProcesses : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<Process> _processes = [];

    private DemoProcesses(HttpDemoParties parties) => Parties = parties;

    public HttpDemoParties Parties { get; }

    /// <summary>The peers file the nodes read (one per run: the ports are chosen afresh).</summary>
    public static string PeersFile(string folder) => Path.Combine(folder, "peers.json");

    public static async Task<DemoProcesses> StartAsync(string folder, IReadOnlyList<PartyId> parties, Action<string> progress, HttpClient http, CancellationToken cancellationToken, Uri? amqp = null)
    {
        // The broker's password goes to the node processes in their environment, never on their command lines (ps shows those to everyone).
        string[] transport = amqp is null ? [] : ["--transport", "rabbitmq", "--amqp", Transport.Rabbit.RabbitTopology.Redacted(amqp)];
        var amqpPassword = amqp is null ? null : Transport.Rabbit.RabbitTopology.Password(amqp);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var authorityUrl = new Uri($"http://127.0.0.1:{FreePort()}");
        var nodes = parties.Select(p => (Party: p, BaseUrl: new Uri($"http://127.0.0.1:{FreePort()}"))).ToList();
        File.WriteAllText(PeersFile(folder), JsonSerializer.Serialize(nodes.ToDictionary(n => n.Party.ToString(), n => n.BaseUrl.ToString().TrimEnd('/'))));
        var started = new DemoProcesses(new HttpDemoParties(nodes, token, http));
        try
        {
            await started.LaunchAsync("authority", ["authority", "serve", "--data", folder, "--urls", authorityUrl.ToString().TrimEnd('/')], token, cancellationToken).ConfigureAwait(false);
            progress($"进程 authority (CA, TSA) at {authorityUrl}");
            foreach (var (party, url) in nodes)
            {
                await started.LaunchAsync(party.ToString(),
                    ["serve", "--node", Path.Combine(folder, party.ToString()), "--urls", url.ToString().TrimEnd('/'), "--peers", PeersFile(folder), "--tsa", new Uri(authorityUrl, "/tsa").ToString(), "--no-worker", .. transport],
                    token, cancellationToken, amqpPassword).ConfigureAwait(false);
                progress($"进程 node {party} at {url}{(amqp is null ? string.Empty : $", inbox {Transport.Rabbit.RabbitTopology.InboxQueue(party)} on RabbitMQ")}");
            }

            return started;
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        _processes.Clear();
    }

    /// <summary>Starts <c>treasury ARGS</c> and waits for its "&lt;name&gt; &lt;URL&gt;" line.</summary>
    private async Task LaunchAsync(string name, IReadOnlyList<string> args, string token, CancellationToken cancellationToken, string? amqpPassword = null)
    {
        var start = SelfCommand();
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.Environment[DemoNodeEndpoints.TokenVariable] = token;
        start.Environment[Trust.Certificates.KeyPassphrase.EnvironmentVariable] = TreasuryNetwork.DemoPassphrase;
        if (amqpPassword is not null)
        {
            start.Environment[Transport.Rabbit.RabbitTopology.PasswordVariable] = amqpPassword;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        _processes.Add(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"  [{name}] {line}");
            }
        };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{name} stopped before it listened (exit {(process.WaitForExit(1_000) ? process.ExitCode : -1)})");
            if (line.StartsWith(name + " http", StringComparison.Ordinal))
            {
                break;
            }
        }

        // Keep draining its standard output so it never blocks on a full pipe.
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is not null)
            {
            }
        }, CancellationToken.None);
    }

    /// <summary>This very command: the apphost or tool when run as one, else <c>dotnet treasury.dll</c>.</summary>
    private static ProcessStartInfo SelfCommand()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var start = new ProcessStartInfo(host);
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            return start;
        }

        return new ProcessStartInfo(host);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
