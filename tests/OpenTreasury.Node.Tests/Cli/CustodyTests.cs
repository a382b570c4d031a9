using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// <c>treasury network init</c> as an operator runs it: every key with its owner, encrypted, 0600; administration
/// only by administrators, seals only by two of them.
/// </summary>
public sealed class CustodyTests(CustodyTests.InitFolder network) : IClassFixture<CustodyTests.InitFolder>
{
    private static readonly string[] Parties = ["finance", "pboc", "bank-102", "bank-103"];

    [Fact]
    public void Init_succeeds()
    {
        Assert.True(network.Init.ExitCode == 0, network.Init.Stderr);
        Assert.Contains("network created", network.Init.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_party_folder_holds_its_own_key_only_and_no_authority_key()
    {
        foreach (var party in Parties)
        {
            var keys = KeyFiles(Path.Combine(network.Path, party));
            var own = Path.Combine(network.Path, party, "keys", $"{party}.key.pem");
            Assert.Equal([own], keys);
        }

        Assert.Empty(KeyFiles(Path.Combine(network.Path, "public")));
        Assert.Equal(4, KeyFiles(Path.Combine(network.Path, "authority")).Count); // root, issuing, TSA, seal maker
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Every_private_key_file_is_encrypted_pkcs8_with_mode_0600()
    {
        var keys = KeyFiles(network.Path);
        Assert.Equal(8, keys.Count);
        foreach (var file in keys)
        {
            var text = File.ReadAllText(file);
            Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", text, StringComparison.Ordinal);
            Assert.DoesNotContain("BEGIN PRIVATE KEY", text, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        foreach (var party in Parties)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(network.Path, party, "library.db")));
        }

        foreach (var token in Directory.EnumerateFiles(Path.Combine(network.Path, "people"), "*.usbkey", SearchOption.AllDirectories))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(token));
        }
    }

    [Fact]
    public async Task User_add_without_an_administrator_is_refused_and_adds_nobody()
    {
        var before = Users("bank-102");
        var result = await InitFolder.RunAsync("user", "add", "--data", network.Path, "--party", "bank-102", "--id", "yh102_new", "--name", "钱进", "--post", "经办", "--pin", "12345678", "--so-pin", "admin-1234");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("NoAdministratorLogin-1", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Users("bank-102"));
        Assert.False(File.Exists(Path.Combine(network.Path, "people", "bank-102", "yh102_new.usbkey")));

        var notAdmin = await InitFolder.RunAsync("user", "add", "--data", network.Path, "--party", "bank-102", "--id", "yh102_new", "--name", "钱进", "--post", "经办", "--pin", "12345678", "--so-pin", "admin-1234", "--admin", "yh102_jb", "--admin-pin", "88888888");
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Contains("NotAnAdministrator-3", notAdmin.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Users("bank-102"));
    }

    [Fact]
    public async Task User_add_by_the_party_administrator_adds_the_person_with_a_token_of_their_own()
    {
        var result = await InitFolder.RunAsync("user", "add", "--data", network.Path, "--party", "bank-103", "--id", "yh103_new", "--name", "孙红", "--post", "经办", "--pin", "12345678", "--so-pin", "admin-1234", "--admin", "yh103_gly", "--admin-pin", "88888888");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("yh103_new", Users("bank-103"));
        Assert.True(File.Exists(Path.Combine(network.Path, "people", "bank-103", "yh103_new.usbkey")));
    }

    [Fact]
    public async Task One_finance_administrator_alone_cannot_make_a_seal_two_can()
    {
        string[] order = ["seal", "make", "--data", network.Path, "--party", "pboc", "--type", "business", "--grant", "复核员"];
        var none = await InitFolder.RunAsync(order);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("NoAdministratorLogin-1", none.Stderr, StringComparison.Ordinal);

        var alone = await InitFolder.RunAsync([.. order, "--admin", "cz_gly1", "--admin-pin", "88888888"]);
        Assert.Equal(1, alone.ExitCode);
        Assert.Contains("NoAdministratorLogin-1", alone.Stderr, StringComparison.Ordinal);

        var twice = await InitFolder.RunAsync([.. order, "--admin", "cz_gly1", "--admin-pin", "88888888", "--checker", "cz_gly1", "--checker-pin", "88888888"]);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("SameAdministratorTwice-4", twice.Stderr, StringComparison.Ordinal);

        var bankAdmin = await InitFolder.RunAsync([.. order, "--admin", "cz_gly1", "--admin-pin", "88888888", "--checker", "yh102_gly", "--checker-pin", "88888888"]);
        Assert.Equal(1, bankAdmin.ExitCode); // not a user of Finance

        var sealsBefore = Count("pboc", "SELECT COUNT(*) FROM seals");
        Assert.Equal(sealsBefore, Count("pboc", "SELECT COUNT(*) FROM seals"));
        var two = await InitFolder.RunAsync([.. order, "--admin", "cz_gly1", "--admin-pin", "88888888", "--checker", "cz_gly2", "--checker-pin", "88888888"]);
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.Equal(sealsBefore + 1, Count("pboc", "SELECT COUNT(*) FROM seals"));
    }

    [Fact]
    public async Task Revoking_a_seal_also_needs_two_finance_administrators()
    {
        var alone = await InitFolder.RunAsync("seal", "revoke", "--data", network.Path, "--id", "anything", "--reason", "test", "--admin", "cz_gly2", "--admin-pin", "88888888");
        Assert.Equal(1, alone.ExitCode);
        Assert.Contains("NoAdministratorLogin-1", alone.Stderr, StringComparison.Ordinal);
    }

    private static List<string> KeyFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".db", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal)
                && !f.EndsWith(".usbkey", StringComparison.Ordinal) && File.ReadAllText(f).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    private string Users(string party) => string.Join(",", Query(party, "SELECT id FROM users ORDER BY id"));

    private long Count(string party, string sql) => long.Parse(Query(party, sql).Single(), System.Globalization.CultureInfo.InvariantCulture);

    private List<string> Query(string party, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(network.Path, party, "library.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return rows;
    }

    /// <summary>One network made by <c>treasury network init</c> for the class, under a real (non-demo) passphrase.</summary>
    public sealed class InitFolder : IDisposable
    {
        private static readonly Dictionary<string, string> Environment = new() { ["OPENTREASURY_KEY_PASSPHRASE"] = "custody-test-passphrase" };

        public InitFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ot-init-" + System.IO.Path.GetRandomFileName());
            Init = RunAsync("network", "init", "--data", Path).GetAwaiter().GetResult();
        }

        public string Path { get; }

        public CliResult Init { get; }

        public static Task<CliResult> RunAsync(params string[] args) => Cli.RunWithAsync(Environment, args);

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }
}
