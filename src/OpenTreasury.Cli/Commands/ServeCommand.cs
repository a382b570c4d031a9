using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using OpenTreasury.Server;
using OpenTreasury.Simulation;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury serve --data DIR [--port-base N]</c>: every node of the network in DIR serves its library
/// interface over HTTP on 127.0.0.1, one port each, with its worker delivering and handling vouchers; the
/// nodes still reach each other in-process. Prints <c>&lt;party&gt; &lt;base URL&gt;</c> per node once all
/// listen, and runs until Ctrl+C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Why serve could not start; stable codes in its one error line.</summary>
    private enum ServeError
    {
        None = 0,
        NoNetwork = 1,      // the folder is missing, empty, or holds no network.json
        CannotOpen = 2,     // the network is there but cannot be opened (e.g. made by an older build)
        CannotListen = 3,   // a port is taken or not allowed
    }

    public static Command Create()
    {
        var data = Common.DataOption(required: false);
        var portBase = new Option<int?>("--port-base") { Description = "The first port; the nodes listen on consecutive ports from it (any free port when omitted)" };
        var command = new Command("serve", "Serve every node's library interface over HTTP on 127.0.0.1 (login with USBKeys, OpenAPI at /openapi/v1.json, reference at /scalar/v1)")
        {
            data, portBase,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(data);
            var first = result.GetValue(portBase);
            if (folder is null || !TreasuryNetwork.Exists(folder.FullName))
            {
                return Fail(ServeError.NoNetwork, $"目录 {folder?.FullName ?? "(未指定 --data)"} 中没有凭证网络；请先运行 treasury demo --data <目录> 建立网络");
            }

            if (first is < 1 or > 65_000)
            {
                return Fail(ServeError.CannotListen, $"端口 {first} 无效；--port-base 取 1–65000");
            }

            TreasuryNetwork network;
            try
            {
                network = TreasuryNetwork.Open(folder.FullName, TimeProvider.System, TreasuryNetwork.DemoPins);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or SqliteException or FormatException)
            {
                return Fail(ServeError.CannotOpen, $"无法打开 {folder.FullName} 中的网络：{ex.Message}");
            }

            using (network)
            {
                var hosts = network.Nodes.Values
                    .Select((node, i) => (node.Party, App: NodeHost.Build(node, $"http://127.0.0.1:{(first is { } p ? p + i : 0)}")))
                    .ToList();
                try
                {
                    foreach (var (_, app) in hosts)
                    {
                        await app.StartAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (IOException ex)
                {
                    await StopAsync(hosts.Select(h => h.App)).ConfigureAwait(false);
                    return Fail(ServeError.CannotListen, $"无法监听端口：{ex.Message}");
                }

                foreach (var (party, app) in hosts)
                {
                    Console.WriteLine($"{party} {app.Urls.First()}");
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop every host gracefully below.
                }

                await StopAsync(hosts.Select(h => h.App)).ConfigureAwait(false);
                return 0;
            }
        });
        return command;
    }

    private static async Task StopAsync(IEnumerable<WebApplication> apps)
    {
        foreach (var app in apps)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static int Fail(ServeError error, string message)
    {
        Console.Error.WriteLine($"错误 {error} ({(int)error}): {message}");
        return 2;
    }
}
