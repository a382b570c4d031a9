using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Data.Sqlite;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Signing;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Server.Tests;

/// <summary>
/// A network as five processes on one machine: <c>treasury authority serve</c> and one <c>treasury serve --node</c>
/// per party, each reading only its own folder, the public trust, the master data and the peers file, reaching the
/// others and the TSA over HTTP on 127.0.0.1.
/// </summary>
public sealed class NodeAloneTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private static readonly string[] Parties = ["finance", "pboc", "bank-102", "bank-103"];

    [Fact]
    public async Task A_payment_left_in_finances_outbox_travels_to_bank_102s_process_and_its_status_comes_back()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-alone-" + Path.GetRandomFileName());
        NetworkTemplate.CopyTo(folder);
        var processes = new List<Process>();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            // A payment submitted at Finance and not delivered: it waits in Finance's outbox for its worker.
            var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(ServerLimits.BusinessTimeOffset).DateTime);
            using (var network = TreasuryNetwork.Open(folder, TimeProvider.System, TreasuryNetwork.DemoPins))
            {
                var payee = network.Master.Payees[0];
                network.Finance.FinanceDesk!.SubmitPayment(new PaymentOrder("ZF-ALONE-1", "101001", "2010301", Amount.ParseWire("321.00"), payee, "办公用品采购"), today).ThrowIfRefused();
            }

            SqliteConnection.ClearAllPools();
            Assert.False(BankHolds(folder), "before the processes start, bank 102 has not received the 8202");

            var authorityPort = FreePort();
            var ports = Parties.ToDictionary(p => p, _ => FreePort());
            var peers = Path.Combine(folder, "peers.json");
            await File.WriteAllTextAsync(peers, "{ " + string.Join(", ", Parties.Select(p => $"\"{p}\": \"http://127.0.0.1:{ports[p]}\"")) + " }");

            using var timeout = new CancellationTokenSource(Timeout);
            var authority = Start(processes, errors, "authority", "serve", "--data", folder, "--urls", $"http://127.0.0.1:{authorityPort}");
            Assert.Equal($"authority http://127.0.0.1:{authorityPort}", await FirstLineAsync(authority, timeout.Token));
            var tsa = $"http://127.0.0.1:{authorityPort}/tsa";
            var nodes = Parties.ToDictionary(
                p => p,
                p => Start(processes, errors, "serve", "--node", Path.Combine(folder, p), "--urls", $"http://127.0.0.1:{ports[p]}", "--peers", peers, "--tsa", tsa));
            foreach (var (party, process) in nodes)
            {
                Assert.Equal($"{party} http://127.0.0.1:{ports[party]}", await FirstLineAsync(process, timeout.Token));
            }

            using var http = new HttpClient();
            using (var health = await http.GetAsync(new Uri($"http://127.0.0.1:{authorityPort}/health"), timeout.Token))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }

            foreach (var party in Parties)
            {
                var url = new Uri($"http://127.0.0.1:{ports[party]}/");
                using var health = await http.GetAsync(new Uri(url, "health"), timeout.Token);
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                Assert.Equal(party, (await Json.ReadAsync(health)).GetProperty("party").GetString());
                var served = Pem.ReadCertificate(await http.GetStringAsync(new Uri(url, "node/certificate"), timeout.Token));
                var own = Pem.ReadCertificate(await File.ReadAllTextAsync(Path.Combine(folder, party, "keys", NodeCredential.CertificateFileName(PartyId.Parse(party))), timeout.Token));
                Assert.Equal(own, served);
            }

            // Finance's worker delivers over HTTP; bank 102's worker pays or returns it; the status comes back.
            int status;
            while ((status = DeliveryStatus(folder)) is not ((int)VoucherStatus.SignedFor or (int)VoucherStatus.Returned or (int)VoucherStatus.ReplyArrived))
            {
                Assert.False(timeout.IsCancellationRequested, $"the 8202's status at Finance is still {status}; standard error: {string.Join(" | ", errors)}");
                await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
            }

            Assert.True(BankHolds(folder), "bank 102's library holds the 8202");

            // The authority's TSA answers RFC 3161 over HTTP with a token the network's trust accepts, and only that media type.
            var trust = NetworkTrust.Load(Path.Combine(folder, TreasuryNetwork.PublicFolder), new DeferredTimestampAuthority(() => throw new InvalidOperationException("not asked")));
            var token = await new HttpTimestampAuthority(http, new Uri(tsa), trust.TimestampVerifier, new SecureRandom()).StampAsync(new byte[] { 1, 2, 3 }, timeout.Token);
            Assert.NotEmpty(token);
            using (var wrongType = await http.PostAsync(new Uri(tsa), new StringContent("x"), timeout.Token))
            {
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
            }

            // SIGTERM stops a node gracefully: exit code 0.
            if (!OperatingSystem.IsWindows())
            {
                using (var kill = Process.Start("kill", ["-TERM", nodes["bank-103"].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync(timeout.Token);
                }

                await nodes["bank-103"].WaitForExitAsync(timeout.Token);
                Assert.Equal(0, nodes["bank-103"].ExitCode);
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already exited.
                }

                await process.WaitForExitAsync(CancellationToken.None);
                process.Dispose();
            }

            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_node_without_a_tsa_prints_one_chinese_error_line_with_its_code_and_exits_2()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-alone-notsa-" + Path.GetRandomFileName());
        NetworkTemplate.CopyTo(folder);
        var processes = new List<Process>();
        try
        {
            var peers = Path.Combine(folder, "peers.json");
            await File.WriteAllTextAsync(peers, "{ \"finance\": \"http://127.0.0.1:1\" }");
            using var timeout = new CancellationTokenSource(Timeout);
            var process = Start(processes, null, "serve", "--node", Path.Combine(folder, "finance"), "--peers", peers);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(2, process.ExitCode);
            Assert.Equal(string.Empty, await stdout);
            var error = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("错误 [NoTsa-6] ", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Finance's delivery status of ZF-ALONE-1 to bank 102, read from its library without writing.</summary>
    private static int DeliveryStatus(string folder)
    {
        using var connection = ReadOnly(Path.Combine(folder, "finance", "library.db"));
        return connection.ExecuteScalar<int?>(
            "SELECT d.status FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id WHERE v.origin = 'own' AND v.vt_code = '8202' AND v.voucher_no = 'ZF-ALONE-1' AND d.receiver = 'bank-102'")
            ?? (int)VoucherStatus.NotFound;
    }

    private static bool BankHolds(string folder)
    {
        using var connection = ReadOnly(Path.Combine(folder, "bank-102", "library.db"));
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM vouchers WHERE origin = 'received' AND vt_code = '8202' AND voucher_no = 'ZF-ALONE-1'") == 1;
    }

    private static SqliteConnection ReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static readonly HashSet<int> Taken = [];

    /// <summary>
    /// A port that is free now, below Linux's ephemeral range (32768–60999): the kernel never hands it to another
    /// test's port-0 listener or outgoing connection between this check and the node's own bind, as it could a port
    /// it picked itself and this test released.
    /// </summary>
    private static int FreePort()
    {
        lock (Taken)
        {
            while (true)
            {
                var port = Random.Shared.Next(10_000, 20_000);
                if (!Taken.Add(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // In use: another.
                }
            }
        }
    }

    private static async Task<string> FirstLineAsync(Process process, CancellationToken cancellationToken)
    {
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
        if (line is null)
        {
            await process.WaitForExitAsync(cancellationToken);
            Assert.Fail($"the process ended ({process.ExitCode}) without its line");
        }

        return line;
    }

    /// <summary>Starts the CLI; with <paramref name="errors"/>, its standard error is drained into it line by line.</summary>
    private static Process Start(List<Process> processes, System.Collections.Concurrent.ConcurrentQueue<string>? errors, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // no terminal: a passphrase prompt could never block
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "treasury.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        processes.Add(process);
        if (errors is not null)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    errors.Enqueue(line);
                }
            };
            process.BeginErrorReadLine();
        }

        return process;
    }
}
