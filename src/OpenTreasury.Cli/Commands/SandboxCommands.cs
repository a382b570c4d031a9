using System.CommandLine;
using System.Data.Common;
using OpenTreasury.Node.Network;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury sandbox init|serve</c>: the long-lived test network (测试环境, seed 十二) beside production. It has its own CA,
/// whose names carry 测试环境, so a production node refuses its envelopes and stamps with <c>WrongEnvironment</c> and it
/// refuses production's the same way; its keys and its people's PINs are the demo's, since a test network guards no money.
/// </summary>
internal static class SandboxCommands
{
    /// <summary>The sandbox's desks listen from here, its support controls from <see cref="AgentPortBase"/> (apart from the sample's).</summary>
    public const int PortBase = 5380;

    public const int AgentPortBase = 5490;

    public static Command Create()
    {
        return new Command("sandbox", "The test environment (测试环境): a long-lived test network with its own CA, refused by production nodes and refusing theirs")
        {
            Init(),
            Serve(),
        };
    }

    /// <summary>Where the sandbox lives unless --data says otherwise: beside the sample, in the user's data folder.</summary>
    public static string DefaultFolder() => Path.Combine(Path.GetDirectoryName(ServeDesks.SampleFolder())!, "sandbox");

    private static Command Init()
    {
        var data = Common.DataOption(required: false);
        data.Description = "The folder to make the test network in (default ~/.local/share/opentreasury/sandbox)";
        var master = new Option<FileInfo?>("--master-data") { Description = "The master data as JSON; the 芒市 sample when omitted" };
        var command = new Command("init", "Make the test network: its own CA (测试环境), a node folder per party, the demo people with the demo PINs") { data, master };
        var stores = new StoreOptions();
        stores.AddTo(command);
        command.SetAction(result =>
        {
            var folder = result.GetValue(data)?.FullName ?? DefaultFolder();
            if (!stores.TryRead(result, out var postgres, out var storeFailure))
            {
                return storeFailure;
            }

            if (TreasuryNetwork.Exists(folder))
            {
                return Report.BadInput("SANDBOX-1", $"{folder} 已有一个网络；测试环境长期保留，用 treasury sandbox serve --data {folder} 启动它", $"{folder} already holds a network");
            }

            if (Common.ReadMasterData(result.GetValue(master), "SANDBOX-2") is not { } masterData)
            {
                return Exit.BadInput;
            }

            TreasuryNetwork.Create(folder, masterData, TimeProvider.System, demo: true, TreasuryNetwork.DemoPassphrase, postgres: postgres, environment: NetworkEnvironment.Sandbox);
            Console.WriteLine($"测试环境已建立 test network created in {folder} for {masterData.AdmDivName} ({masterData.AdmDivCode})");
            Console.WriteLine($"  它有自己的 CA（证书名称带“{NetworkEnvironments.SandboxUnit}”）：生产节点拒收它的消息和印章（代码 WrongEnvironment），它也拒收生产环境的");
            Console.WriteLine($"  USBKey 初始 PIN {masterData.DemoPin}；启动：treasury sandbox serve{(result.GetValue(data) is null ? string.Empty : $" --data {folder}")}");
            return 0;
        });
        return command;
    }

    private static Command Serve()
    {
        var data = Common.DataOption(required: false);
        data.Description = "The test network's folder (default ~/.local/share/opentreasury/sandbox)";
        var portBase = new Option<int?>("--port-base") { Description = $"The first port; the nodes listen on consecutive ports from it (default {PortBase})" };
        var command = new Command("serve", "Serve every node of the test network with its desks on 127.0.0.1, until Ctrl+C") { data, portBase };
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(data)?.FullName ?? DefaultFolder();
            var first = result.GetValue(portBase) ?? PortBase;
            if (!TreasuryNetwork.Exists(folder))
            {
                return Report.BadInput("SANDBOX-3", $"{folder} 中没有测试环境；先运行 treasury sandbox init{(result.GetValue(data) is null ? string.Empty : $" --data {folder}")}", $"{folder} holds no network");
            }

            if (first is < 1 or > 65_000)
            {
                return Report.BadInput("SANDBOX-4", $"端口 {first} 无效；--port-base 取 1–65000", "--port-base is out of range");
            }

            TreasuryNetwork network;
            try
            {
                network = TreasuryNetwork.Open(folder, TimeProvider.System, TreasuryNetwork.DemoPins);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or DbException or FormatException)
            {
                return Report.Fail(new("SANDBOX-5", Exit.Environment, $"无法打开 {folder} 中的网络：{ex.Message}", ex.Message));
            }

            using (network)
            {
                if (network.Trust.Environment != NetworkEnvironment.Sandbox)
                {
                    return Report.BadInput("SANDBOX-6", $"{folder} 中是生产环境的网络，不是测试环境；生产网络用 treasury serve 启动", $"{folder} holds a production network");
                }

                Console.WriteLine($"测试环境 test environment: {folder}");
                IReadOnlyList<Microsoft.AspNetCore.Builder.WebApplication> apps;
                try
                {
                    apps = await ServeDesks.StartAsync(network, folder, first, AgentPortBase + (first - PortBase), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    return Report.Fail(new("SANDBOX-7", Exit.Environment, $"无法监听端口：{ex.Message}", ex.Message));
                }

                await Common.WaitForStopAsync(cancellationToken).ConfigureAwait(false);
                await ServeCommand.StopAsync(apps).ConfigureAwait(false);
                return 0;
            }
        });
        return command;
    }
}
