using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenTreasury.Business;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Simulation;

namespace OpenTreasury.Cli.Commands;

/// <summary>Options and output shared by the commands.</summary>
internal static class Common
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Option<DirectoryInfo> DataOption(bool required) => new("--data")
    {
        Description = "The network's folder (made by `treasury demo`)",
        Required = required,
    };

    public static Option<string> PartyOption() => new("--party")
    {
        Description = "The party whose library to read: finance, pboc, bank-102, bank-103 …",
        Required = true,
    };

    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text" };

    /// <summary>
    /// The master data a new network is made from: <paramref name="file"/> as JSON, or the 芒市 sample when null; an
    /// unreadable file is reported as <paramref name="code"/> (exit 2) and null returned.
    /// </summary>
    public static MasterData? ReadMasterData(FileInfo? file, string code)
    {
        try
        {
            return file is null ? SampleMasterData.Mangshi(TimeProvider.System.GetLocalNow().Year) : MasterData.FromJson(File.ReadAllText(file.FullName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            Report.BadInput(code, $"主数据文件无法读取：{ex.Message}", "the master data cannot be read");
            return null;
        }
    }

    /// <summary>The option that names a voucher's division (AdmDivCode) when its number alone does not.</summary>
    public static Option<string?> DivisionOption() =>
        new("--division") { Description = "The voucher's division (AdmDivCode); needed only when the number is used in more than one division the node serves" };

    /// <summary>
    /// The versions of one division: those of <paramref name="division"/> when it is given, else all of them when they
    /// are of one division; null, after reporting WHICH-DIVISION, when the number is used in more than one.
    /// </summary>
    public static IReadOnlyList<StoredVoucher>? OfOneDivision(IReadOnlyList<StoredVoucher> versions, string? division, string vtCode, string voucherNo)
    {
        if (division is not null)
        {
            return [.. versions.Where(v => v.AdmDivCode == division)];
        }

        var divisions = versions.Select(v => v.AdmDivCode).Distinct(StringComparer.Ordinal).ToList();
        if (divisions.Count <= 1)
        {
            return versions;
        }

        Report.BadInput("WHICH-DIVISION", $"{vtCode} {voucherNo} 在多个行政区划中都有（{string.Join("、", divisions)}）；请用 --division 指定",
            $"{vtCode} {voucherNo} exists in divisions {string.Join(", ", divisions)}: name one with --division");
        return null;
    }

    /// <summary>Opens the network and the party's node, or explains what is wrong.</summary>
    public static bool TryOpen(DirectoryInfo data, string partyText, out TreasuryNetwork network, out TreasuryNode node, Node.People.PinSource? pins = null)
    {
        network = null!;
        node = null!;
        if (!TreasuryNetwork.Exists(data.FullName))
        {
            Report.NoNetwork(data.FullName);
            return false;
        }

        if (!PartyId.TryParse(partyText, out var party))
        {
            Report.BadInput("NO-PARTY", $"“{partyText}”不是机构名；可用 finance、pboc 或 bank-NNN", $"'{partyText}' is not a party; use finance, pboc or bank-NNN");
            return false;
        }

        network = TreasuryNetwork.Open(data.FullName, TimeProvider.System, pins);
        if (!network.Nodes.TryGetValue(party, out node!))
        {
            Report.BadInput("NO-PARTY", $"网络中没有机构 {party}；有 {string.Join("、", network.Nodes.Keys)}", $"the network has no party {party}; it has {string.Join(", ", network.Nodes.Keys)}");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Logs a person in on their USBKey with the PIN (the one login path of every command that acts as a person);
    /// a refusal is reported (exit 1) with the tries left.
    /// </summary>
    public static bool TryLogin(TreasuryNode node, string userId, string pin, out Signer? signer)
    {
        var login = node.Users.Login(userId, pin, out signer);
        if (!login.Ok)
        {
            Report.Refused(login.TokenError != Trust.Tokens.TokenError.None ? login.TokenError : login.Rejection, login.Message,
                login.RemainingRetries is { } left ? $"{userId}，还可尝试 {left} 次" : userId);
        }

        return login.Ok;
    }

    /// <summary>
    /// The two people of a two-person command on one of the node's own vouchers (the clerk asks, the checker approves),
    /// each logged in on their USBKey. One person alone — no checker, or the clerk twice — is audited as
    /// <paramref name="refusedOperation"/> and refused <c>SameMakerAndChecker</c>; a refused login is reported. Returns the
    /// exit code to end with, or null when both are logged in (the caller disposes the two signers).
    /// </summary>
    public static int? TryLoginTwo(
        TreasuryNode node, Node.Library.StoredVoucher voucher, string refusedOperation, string what,
        (string User, string Pin) clerk, (string? User, string? Pin) checker, out Signer? clerkSigner, out Signer? checkerSigner)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(voucher);
        clerkSigner = null;
        checkerSigner = null;
        if (checker.User is not { Length: > 0 } checkerId || checker.Pin is not { } checkerPin || string.Equals(checkerId, clerk.User, StringComparison.Ordinal))
        {
            node.Library.Run(session =>
            {
                session.Audit(clerk.User, refusedOperation, voucher.Key.ToString(), $"{Node.Library.LibraryRejection.SameMakerAndChecker}: one person alone");
                return Node.Library.LibraryResult.Done(voucher.Id);
            });
            return Report.Refused(Node.Library.LibraryRejection.SameMakerAndChecker,
                $"{what} of {voucher.VtCode} {voucher.VoucherNo} needs a checker other than {clerk.User} (--checker, --checker-pin)", $"{voucher.VtCode} {voucher.VoucherNo}");
        }

        if (!TryLogin(node, clerk.User, clerk.Pin, out clerkSigner))
        {
            return Exit.Refused;
        }

        if (!TryLogin(node, checkerId, checkerPin, out checkerSigner))
        {
            clerkSigner!.Dispose();
            clerkSigner = null;
            return Exit.Refused;
        }

        return null;
    }

    /// <summary>
    /// Writes an output file the command makes (an export, a print, a report) whole or not at all: never over
    /// an existing file (that is <c>OUTPUT-EXISTS</c>), through a temporary file beside it that is flushed to
    /// disk and then renamed, so a full disk or a crash leaves no half-written file under the name.
    /// </summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> bytes)
    {
        var folder = RequireNew(path);

        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            FileStream stream;
            try
            {
                stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            }
            catch (UnauthorizedAccessException)
            {
                throw new UnauthorizedAccessException($"Access to the path '{folder}' is denied.");
            }

            using (stream)
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Refuses an output path that exists or whose folder does not, before the command changes anything (a print
    /// is counted only when its file can be written); returns the folder.
    /// </summary>
    public static string RequireNew(string path)
    {
        const int Eexist = 17;
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new IOException($"The file '{path}' already exists.", Eexist);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException($"Could not find a part of the path '{folder}'.");
    }

    public static void WriteJson<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>
    /// Waits until Ctrl+C or SIGTERM (both cancel the command's token; <c>Program.cs</c> gives the command
    /// <see cref="StopTimeout"/> to stop its hosts before the process is ended anyway).
    /// </summary>
    public static async Task WaitForStopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: the caller stops its hosts gracefully.
        }
    }

    /// <summary>How long a command has to stop after Ctrl+C or SIGTERM (the hosts' own shutdown timeout is as long).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
}
