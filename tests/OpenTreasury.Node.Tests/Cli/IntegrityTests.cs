using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// Tampering at rest, as someone with the files but not the keys would try it, on copies of one demo
/// network: what the CLI shows, prints and exports, and what <c>treasury node check</c> names.
/// </summary>
public sealed class IntegrityTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>, IDisposable
{
    private readonly string _copy = Copy(demo.Path);

    [Fact]
    public async Task An_untouched_network_checks_clean_on_every_node()
    {
        foreach (var party in new[] { "finance", "pboc", "bank-102", "bank-103" })
        {
            var check = await Cli.RunAsync("node", "check", "--node", Path.Combine(_copy, party));
            Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
            Assert.Contains("检查通过", check.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Edited_voucher_bytes_are_refused_by_show_print_and_export_and_named_by_node_check()
    {
        Edit("finance", db =>
        {
            var bytes = (byte[])Scalar(db, "SELECT inner_xml FROM vouchers WHERE vt_code = '8202' AND voucher_no = 'ZF1-000001' AND origin = 'own'")!;
            var text = Encoding.Latin1.GetString(bytes);
            var at = text.IndexOf("<PayAmt>", StringComparison.Ordinal) + "<PayAmt>".Length;
            var edited = text[..at] + (text[at] == '9' ? '8' : '9') + text[(at + 1)..];
            Execute(db, "UPDATE vouchers SET inner_xml = $b WHERE vt_code = '8202' AND voucher_no = 'ZF1-000001' AND origin = 'own'", ("$b", Encoding.Latin1.GetBytes(edited)));
        });

        string[] key = ["--data", _copy, "--party", "finance", "--vt", "8202", "--no", "ZF1-000001"];
        var show = await Cli.RunAsync(["voucher", "show", .. key]);
        var print = await Cli.RunAsync(["voucher", "print", .. key, "--user", "cz_sh", "--pin", "88888888", "--out", Path.Combine(_copy, "v.pdf")]);
        var export = await Cli.RunAsync(["voucher", "export", .. key, "--out", Path.Combine(_copy, "v.xml")]);
        foreach (var refused in new[] { show, print, export })
        {
            Assert.Equal(4, refused.ExitCode);
            Assert.Contains("Tampered-19", refused.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("ZF1-000001 v1 —", refused.Stdout, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(_copy, "v.pdf")));
        Assert.False(File.Exists(Path.Combine(_copy, "v.xml")));

        var check = await Cli.RunAsync("node", "check", "--node", Path.Combine(_copy, "finance"));
        Assert.Equal(4, check.ExitCode);
        Assert.Contains("8202/ZF1-000001/v1: the stored bytes do not match their SM3 digest", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_amount_column_is_named_though_the_bytes_are_intact()
    {
        Edit("finance", db => Execute(db, "UPDATE vouchers SET amount_fen = amount_fen + 100 WHERE vt_code = '8202' AND voucher_no = 'ZF1-000002' AND origin = 'own'"));

        var show = await Cli.RunAsync("voucher", "show", "--data", _copy, "--party", "finance", "--vt", "8202", "--no", "ZF1-000002");
        var check = await Cli.RunAsync("node", "check", "--node", Path.Combine(_copy, "finance"));

        Assert.Equal(4, show.ExitCode);
        Assert.Equal(4, check.ExitCode);
        Assert.Contains("the library's column", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_audit_tail_is_named()
    {
        Edit("pboc", db =>
        {
            Execute(db, "DROP TRIGGER audit_no_delete");
            Execute(db, "DELETE FROM audit WHERE seq > (SELECT MAX(seq) - 150 FROM audit)");
        });

        var check = await Cli.RunAsync("node", "check", "--node", Path.Combine(_copy, "pboc"));

        Assert.Equal(4, check.ExitCode);
        Assert.Contains("the log's tail was removed", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recomputed_audit_chain_is_named()
    {
        Edit("finance", db =>
        {
            Execute(db, "DROP TRIGGER audit_no_update");
            Execute(db, "UPDATE audit SET detail = detail || ' (edited)' WHERE seq = 3");
            // Recompute every hash from the edited entry on, as someone who read AuditLog.cs would.
            var rows = new List<(long Seq, string At, string Actor, string Operation, string Subject, string Detail)>();
            using (var command = db.CreateCommand())
            {
                command.CommandText = "SELECT seq, at, actor, operation, subject, detail FROM audit ORDER BY seq";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
                }
            }

            var prev = "0000000000000000000000000000000000000000000000000000000000000000";
            foreach (var row in rows)
            {
                var text = new StringBuilder();
                foreach (var part in new[] { row.Seq.ToString(CultureInfo.InvariantCulture), row.At, row.Actor, row.Operation, row.Subject, row.Detail, prev })
                {
                    text.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append(';');
                }

                var hash = Convert.ToHexStringLower(Trust.Crypto.Sm3.Hash(Encoding.UTF8.GetBytes(text.ToString())));
                Execute(db, "UPDATE audit SET prev_hash = $p, hash = $h WHERE seq = $s", ("$p", prev), ("$h", hash), ("$s", row.Seq));
                prev = hash;
            }
        });

        var verify = await Cli.RunAsync("audit", "verify", "--data", _copy, "--party", "finance");
        var check = await Cli.RunAsync("node", "check", "--node", Path.Combine(_copy, "finance"));

        Assert.Equal(4, check.ExitCode);
        Assert.Contains("the chain was recomputed", check.Stdout, StringComparison.Ordinal);
        // The chain alone is consistent again (audit verify says intact); only the signed checkpoints tell.
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("chain intact", verify.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quota_raised_in_the_banks_table_is_named()
    {
        Edit("bank-102", db => Execute(db, "UPDATE bank_quotas SET issued_fen = issued_fen + 100000000 WHERE agency_code = '101001' AND exp_func_code = '2010301'"));

        var check = await Cli.RunAsync("node", "check", "--node", Path.Combine(_copy, "bank-102"));

        Assert.Equal(4, check.ExitCode);
        Assert.Contains("bank_quotas 101001/2010301: issued", check.Stdout, StringComparison.Ordinal);
        Assert.Contains("the 5105s signed for explain", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unsigned_attach_is_shown_as_unsigned()
    {
        var show = await Cli.RunAsync("voucher", "show", "--data", _copy, "--party", "pboc", "--vt", "5207", "--no", "SB1-003R", "--version", "1");
        var export = await Cli.RunAsync("voucher", "export", "--data", _copy, "--party", "pboc", "--vt", "5207", "--no", "SB1-003R", "--version", "1", "--out", Path.Combine(_copy, "r.xml"));
        var verify = await Cli.RunAsync("voucher", "verify", Path.Combine(_copy, "r.xml"), "--data", _copy);

        Assert.Equal(0, show.ExitCode);
        Assert.Contains("附言（未签名，签章不覆盖）unsigned attach: 重开 SB1-003", show.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, export.ExitCode);
        Assert.Contains("附言（未签名，签章不覆盖）unsigned attach: 重开 SB1-003", verify.Stdout, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_copy, recursive: true);
    }

    private void Edit(string party, Action<SqliteConnection> edit)
    {
        using (var db = new SqliteConnection($"Data Source={Path.Combine(_copy, party, "library.db")};Pooling=False"))
        {
            db.Open();
            edit(db);
        }

        SqliteConnection.ClearAllPools();
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection db, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static string Copy(string source)
    {
        SqliteConnection.ClearAllPools();
        var target = Path.Combine(Path.GetTempPath(), "ot-tamper-" + Path.GetRandomFileName());
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(source, target, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(source, target, StringComparison.Ordinal));
        }

        return target;
    }
}
