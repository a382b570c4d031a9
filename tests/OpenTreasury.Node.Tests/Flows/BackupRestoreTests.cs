using System.IO.Compression;
using System.Text;
using Dapper;
using OpenTreasury.Business.Checks;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Recovery;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Recovery;
using OpenTreasury.Node.Storage;
using OpenTreasury.Node.Tests.Storage;
using OpenTreasury.Simulation;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>
/// A node's backup and restore (ADR 0016): the backup is whole and signed, a restore checks it and never overwrites a node,
/// and a restored node does no business until its peers have accounted for what it did after the backup.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private readonly TestNetwork _net = new();
    private TreasuryNetwork? _restored;

    public void Dispose()
    {
        _restored?.Dispose();
        _net.Dispose();
    }

    private string BankFolder => Path.Combine(_net.Directory, "bank-102");

    private string BackupFile => Path.Combine(_net.Directory, "bank-102.backup");

    [Fact]
    public async Task A_bank_restored_from_its_backup_takes_again_what_finance_sent_after_it_and_pays_it_once()
    {
        if (PostgresServer.Selected)
        {
            AssertPostgresIsBackedUpByTheDatabase();
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow());

        // After the backup Finance pays again; the bank has taken the 8202 in but not worked it when its disk is lost.
        _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0002", Amount.ParseWire("200.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAsync();
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers WHERE voucher_no = 'ZF-0002' AND state = 'received'"));

        var network = LoseAndRestoreBank();
        var bank = network.Bank("102");
        Assert.NotNull(bank.Library.RecoveringSince);
        Assert.Throws<NodeRecoveringException>(() => bank.BankDesk!.RequestClearing(TestNetwork.BusinessDate));
        Assert.Equal(0, TestNetwork.Count(bank, "SELECT COUNT(*) FROM vouchers WHERE voucher_no = 'ZF-0002'"));

        await network.SettleAndProcessAsync(TestNetwork.BusinessDate);

        Assert.Null(bank.Library.RecoveringSince);
        Assert.Equal(1, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0001'"));
        Assert.Equal(1, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0002'"));
        Assert.Equal(30_000, TestNetwork.Count(bank, "SELECT COALESCE(SUM(paid_fen), 0) FROM bank_quotas"));
        var second = network.Finance.Library.List("8202").Single(v => v.VoucherNo == "ZF-0002");
        Assert.Equal(VoucherStatus.SignedFor, network.Finance.Library.Deliveries(second.Id).Single().Status);
        Assert.True(NodeCheck.Run(bank).Clean, string.Join("; ", NodeCheck.Run(bank).Differences));
        Assert.Equal(["restore", "recovered"], Operations(bank, "restore", "recovered"));
    }

    [Fact]
    public async Task A_bank_that_paid_after_its_backup_pays_again_from_finances_resend_and_gives_the_answer_finance_holds()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow());
        await PayAsync("ZF-0002", "200.00"); // paid after the backup: only its 签收 notice, now at Finance, says so
        await PayAsync("ZF-0003", "9000.00"); // beyond the quota left: returned after the backup
        var (deliveries, applied) = Answers(_net.Finance);

        var network = LoseAndRestoreBank();
        var bank = network.Bank("102");
        await network.SettleAndProcessAsync(TestNetwork.BusinessDate);

        Assert.Null(bank.Library.RecoveringSince);
        Assert.Equal(1, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0002'"));
        Assert.Equal(0, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0003'"));
        Assert.Equal(30_000, TestNetwork.Count(bank, "SELECT COALESCE(SUM(paid_fen), 0) FROM bank_quotas"));
        Assert.Equal("returned", bank.Library.List("8202").Single(v => v.VoucherNo == "ZF-0003").State);
        // Finance applied each answer once, as it first came.
        Assert.Equal(deliveries, Answers(network.Finance).Deliveries);
        Assert.Equal(applied, Answers(network.Finance).Applied);
        Assert.Equal(2, TestNetwork.Count(bank, "SELECT COUNT(*) FROM outbox WHERE kind = 'status' AND delivered_at IS NOT NULL AND message_id IN (SELECT message_id FROM recovery_returns)"));
        Assert.Equal(["restore", "recovery-replayed", "recovery-replayed", "recovered"], Operations(bank, "restore", "recovery-replayed", "recovered"));
        Assert.True(NodeCheck.Run(bank).Clean, string.Join("; ", NodeCheck.Run(bank).Differences));

        // Open again: the next payment is worked as any other.
        network.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0004", Amount.ParseWire("50.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await network.SettleAndProcessAsync(TestNetwork.BusinessDate);
        Assert.Equal(1, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0004'"));
    }

    [Fact]
    public async Task A_bank_whose_work_again_would_answer_otherwise_stays_closed_and_takes_nothing()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow());
        await PayAsync("ZF-0002", "200.00");

        // The restored books are not what they were when the bank paid (here: the quota, changed behind its back), so paying
        // ZF-0002 again would return it: the bank must not answer otherwise than Finance holds.
        var network = LoseAndRestoreBank(restored => Execute(restored, "UPDATE bank_quotas SET issued_fen = paid_fen"));
        var bank = network.Bank("102");
        await network.SettleAndProcessAsync(TestNetwork.BusinessDate);
        var progress = await bank.RecoverAsync(TestNetwork.BusinessDate, CancellationToken.None);

        Assert.NotNull(progress);
        Assert.True(progress.Recovering);
        Assert.Contains("结果不同", progress.Blocked, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0002'"));
        Assert.Equal("received", bank.Library.List("8202").Single(v => v.VoucherNo == "ZF-0002").State);
        Assert.Equal(["restore", "recovery-blocked"], Operations(bank, "restore", "recovery-blocked", "recovered"));
        Assert.Throws<NodeRecoveringException>(() => bank.BankDesk!.RequestClearing(TestNetwork.BusinessDate));
    }

    [Fact]
    public async Task A_bank_that_cleared_after_its_backup_makes_its_2301_again_as_pboc_holds_it_and_takes_pbocs_answer_once()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow());
        await PayAsync("ZF-0002", "200.00");
        _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate); // a 2301 to PBOC after the backup, and PBOC's 回单
        await _net.SettleAndProcessAsync();
        var clearings = TestNetwork.Count(_net.Pboc, "SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings");

        var network = LoseAndRestoreBank();
        var bank = network.Bank("102");
        await network.SettleAndProcessAsync(TestNetwork.BusinessDate);

        Assert.True(bank.Library.RecoveringSince is null, string.Join(" | ", Details(bank)));
        var request = Assert.Single(bank.Library.List("2301"), v => v.Origin == "own" && !v.IsReply);
        Assert.Equal(VoucherStatus.ReplyArrived, bank.Library.Deliveries(request.Id).Single().Status);
        Assert.Equal(0, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments WHERE cleared_date IS NULL"));
        Assert.Equal(2, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_payments"));
        Assert.Equal(clearings, TestNetwork.Count(network.Pboc, "SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings"));
        Assert.Equal(0, TestNetwork.Count(network.Pboc, "SELECT COUNT(*) FROM rejected_messages WHERE sender = 'bank-102'"));
        Assert.Equal(1, TestNetwork.Count(network.Pboc, "SELECT COUNT(*) FROM vouchers WHERE origin = 'received' AND vt_code = '2301'"));
        Assert.True(NodeCheck.Run(bank).Clean, string.Join("; ", NodeCheck.Run(bank).Differences));
    }

    [Fact]
    public async Task Finance_restored_after_it_sent_a_payment_makes_its_8202_again_with_the_stamps_the_bank_holds_and_opens()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        var folder = Path.Combine(_net.Directory, "finance");
        var backup = Path.Combine(_net.Directory, "finance.backup");
        NodeBackup.Take(_net.Finance.Library, folder, backup, _net.Clock.GetUtcNow());
        await PayAsync("ZF-0002", "200.00"); // an 8202 made after the backup: only the bank's copy says so
        var (deliveries, applied) = Answers(_net.Finance);
        var held = StampsOf(_net.Bank102, "received", "ZF-0002");

        _net.Network.Dispose();
        NodeDatabase.ReleaseAll();
        Directory.Delete(folder, recursive: true);
        Restore(backup, folder);
        var asked = new List<string>(); // the people of Finance asked for their PIN while it recovers
        _restored = TreasuryNetwork.Open(_net.Directory, _net.Clock, (party, user) =>
        {
            if (party == Domain.Parties.PartyId.Finance && _restored?.Finance.Library.RecoveringSince is not null)
            {
                asked.Add(user);
            }

            return TreasuryNetwork.DemoPins(party, user);
        });
        var finance = _restored.Finance;
        await _restored.SettleAndProcessAsync(TestNetwork.BusinessDate);

        Assert.True(finance.Library.RecoveringSince is null, string.Join(" | ", Details(finance)));
        Assert.Empty(asked); // nobody at Finance logged in to recover it
        Assert.Equal(held, StampsOf(finance, "own", "ZF-0002")); // the very stamps the unit's people made, as the bank holds them
        Assert.Equal(deliveries, Answers(finance).Deliveries); // ZF-0002 stands signed for, as the bank answered it
        Assert.Equal(applied, Answers(finance).Applied);
        Assert.Equal(1, TestNetwork.Count(_restored.Bank("102"), "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0002'")); // paid once
        Assert.Equal(0, TestNetwork.Count(_restored.Bank("102"), "SELECT COUNT(*) FROM rejected_messages WHERE sender = 'finance'"));
        Assert.Equal(["restore", "recovery-replayed", "recovered"], Operations(finance, "restore", "recovery-replayed", "recovered"));
        Assert.True(NodeCheck.Run(finance).Clean, string.Join("; ", NodeCheck.Run(finance).Differences));

        // Open again: the next payment is made and paid as any other.
        finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0003", Amount.ParseWire("10.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _restored.SettleAndProcessAsync(TestNetwork.BusinessDate);
        Assert.Equal(1, TestNetwork.Count(_restored.Bank("102"), "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0003'"));
    }

    [Fact]
    public async Task Finance_whose_restored_books_no_longer_take_the_stamps_the_bank_holds_stays_closed_and_sends_nothing()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        var folder = Path.Combine(_net.Directory, "finance");
        var backup = Path.Combine(_net.Directory, "finance.backup");
        NodeBackup.Take(_net.Finance.Library, folder, backup, _net.Clock.GetUtcNow());
        await PayAsync("ZF-0002", "200.00");

        _net.Network.Dispose();
        NodeDatabase.ReleaseAll();
        Directory.Delete(folder, recursive: true);
        Restore(backup, folder);
        // In the restored books the unit clerk's personal seal is revoked: the stamp the bank holds is not taken again.
        Execute(Path.Combine(folder, NodeDatabase.LibraryFile), "UPDATE seals SET revoked_at = '2000-01-01T00:00:00.0000000+00:00', revoke_reason = 'test' WHERE holder_user LIKE 'dw%_jbr'");
        _restored = TreasuryNetwork.Open(_net.Directory, _net.Clock, TreasuryNetwork.DemoPins);
        await _restored.SettleAndProcessAsync(TestNetwork.BusinessDate);
        var progress = await _restored.Finance.RecoverAsync(TestNetwork.BusinessDate, CancellationToken.None);

        Assert.NotNull(progress);
        Assert.True(progress.Recovering);
        Assert.Contains("结果不同", progress.Blocked, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(_restored.Finance, "SELECT COUNT(*) FROM vouchers WHERE voucher_no = 'ZF-0002'"));
        Assert.Throws<NodeRecoveringException>(() => _restored.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0003", Amount.ParseWire("10.00")), TestNetwork.BusinessDate));
        Assert.Equal(1, TestNetwork.Count(_restored.Bank("102"), "SELECT COUNT(*) FROM bank_payments WHERE voucher_no = 'ZF-0002'")); // paid once, at the bank
    }

    [Fact]
    public async Task Pboc_restored_after_it_cleared_and_sent_its_statements_makes_them_again_as_its_peers_hold_them()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        await PayAsync("ZF-0001", "100.00");
        var folder = Path.Combine(_net.Directory, "pboc");
        var backup = Path.Combine(_net.Directory, "pboc.backup");
        NodeBackup.Take(_net.Pboc.Library, folder, backup, _net.Clock.GetUtcNow());
        _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate); // after the backup: PBOC clears and answers with its 回单
        await _net.SettleAndProcessAsync();
        _net.Pboc.PbocDesk!.SendVoucherReconciliation(TestNetwork.BusinessDate); // and sends the day's statements
        await _net.SettleAndProcessAsync();
        var clearings = TestNetwork.Count(_net.Pboc, "SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings");
        var statements = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND flag = 0");
        var signedFor = TestNetwork.Count(_net.Pboc, $"SELECT COUNT(*) FROM deliveries WHERE status = {(int)VoucherStatus.SignedFor}");
        Assert.True(statements > 0);

        _net.Network.Dispose();
        NodeDatabase.ReleaseAll();
        Directory.Delete(folder, recursive: true);
        Restore(backup, folder);
        _restored = TreasuryNetwork.Open(_net.Directory, _net.Clock, TreasuryNetwork.DemoPins);
        var pboc = _restored.Pboc;
        await _restored.SettleAndProcessAsync(TestNetwork.BusinessDate);

        Assert.True(pboc.Library.RecoveringSince is null, string.Join(" | ", Details(pboc)));
        Assert.Equal(clearings, TestNetwork.Count(pboc, "SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings")); // cleared once
        Assert.Equal(statements, TestNetwork.Count(pboc, "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND flag = 0"));
        foreach (var peer in new[] { _restored.Finance, _restored.Bank("102") })
        {
            Assert.Equal(0, TestNetwork.Count(peer, "SELECT COUNT(*) FROM rejected_messages WHERE sender = 'pboc'"));
        }

        Assert.Equal(1, TestNetwork.Count(_restored.Bank("102"), "SELECT COUNT(*) FROM vouchers WHERE origin = 'received' AND vt_code = '2301' AND flag = 1"));

        // The bank's 签收 of the statements came while they were not made again yet: held, then applied as they were made.
        Assert.True(TestNetwork.Count(pboc, "SELECT COUNT(*) FROM audit WHERE operation = 'status-held'") > 0);
        Assert.Equal(signedFor, TestNetwork.Count(pboc, $"SELECT COUNT(*) FROM deliveries WHERE status = {(int)VoucherStatus.SignedFor}"));
        Assert.True(NodeCheck.Run(pboc).Clean, string.Join("; ", NodeCheck.Run(pboc).Differences));
    }

    [Fact]
    public async Task Every_message_a_node_writes_has_the_next_number_to_its_receiver_and_the_receiver_keeps_it_as_it_came()
    {
        await PayAsync("ZF-0001", "100.00");
        await PayAsync("ZF-0002", "200.00");

        foreach (var node in _net.Network.Nodes.Values)
        {
            using var connection = node.Library.Database.Connect();
            foreach (var receiver in connection.Query<string>("SELECT DISTINCT receiver FROM outbox"))
            {
                var numbers = connection.Query<long>("SELECT peer_seq FROM outbox WHERE receiver = @receiver ORDER BY id", new { receiver }).ToList();
                Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
                var sent = connection.Query<(long, string)>("SELECT peer_seq, message_id FROM outbox WHERE receiver = @receiver ORDER BY peer_seq", new { receiver }).ToList();
                using var peer = _net.Network.Nodes[Domain.Parties.PartyId.Parse(receiver)].Library.Database.Connect();
                var kept = peer.Query<(long, string)>("SELECT seq, message_id FROM received_messages WHERE sender = @sender ORDER BY seq", new { sender = node.Party.ToString() }).ToList();
                Assert.Equal(sent, kept);
            }
        }
    }

    [Fact]
    public void A_backup_is_refused_into_an_existing_file_and_restored_only_into_an_empty_folder_of_its_own_party()
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow());
        Assert.Throws<IOException>(() => NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow()));

        var exists = Assert.Throws<BackupException>(() => Restore(BackupFile, BankFolder));
        Assert.Equal(BackupFailure.NodeExists, exists.Failure);

        var foreign = Assert.Throws<BackupException>(() => Restore(BackupFile, Path.Combine(_net.Directory, "bank-103-new", "bank-103")));
        Assert.Equal(BackupFailure.WrongParty, foreign.Failure);
        Assert.False(Directory.Exists(Path.Combine(_net.Directory, "bank-103-new", "bank-103")));
    }

    [Theory]
    [InlineData("library.db", BackupFailure.Altered)]
    [InlineData("keys/bank-102.key.pem", BackupFailure.Altered)]
    [InlineData("manifest.json", BackupFailure.BadSignature)]
    [InlineData("extra.txt", BackupFailure.Altered)]
    public void A_changed_backup_is_refused_and_nothing_is_restored(string entry, BackupFailure expected)
    {
        if (PostgresServer.Selected)
        {
            return;
        }

        NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow());
        using (var zip = ZipFile.Open(BackupFile, ZipArchiveMode.Update))
        {
            var old = zip.GetEntry(entry);
            byte[] bytes = [];
            if (old is not null)
            {
                using (var stream = old.Open())
                using (var buffer = new MemoryStream())
                {
                    stream.CopyTo(buffer);
                    bytes = buffer.ToArray();
                }

                old.Delete();
                bytes = entry == "manifest.json"
                    ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"AuditSeq\": ", "\"AuditSeq\": 1", StringComparison.Ordinal))
                    : [.. bytes[..^1], (byte)(bytes[^1] ^ 0x20)];
            }

            using var written = zip.CreateEntry(entry).Open();
            written.Write(bytes.Length == 0 ? "something else"u8 : bytes);
        }

        var target = Path.Combine(_net.Directory, "restore-here", "bank-102");
        var refused = Assert.Throws<BackupException>(() => Restore(BackupFile, target));

        Assert.Equal(expected, refused.Failure);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.False(Directory.Exists(target));
        var parent = Path.Combine(_net.Directory, "restore-here");
        Assert.True(!Directory.Exists(parent) || Directory.GetDirectories(parent).Length == 0); // no scratch folder left behind
    }

    private async Task PayAsync(string voucherNo, string amount)
    {
        if (TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_quotas") == 0)
        {
            await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        }

        _net.Finance.FinanceDesk!.SubmitPayment(_net.Order(voucherNo, Amount.ParseWire(amount)), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
    }

    /// <summary>
    /// The bank's disk is lost: every node closes, the bank's folder goes, it is restored from its backup (and, for a test,
    /// changed by <paramref name="meddle"/>), and the network opens again.
    /// </summary>
    private TreasuryNetwork LoseAndRestoreBank(Action<string>? meddle = null)
    {
        _net.Network.Dispose();
        NodeDatabase.ReleaseAll();
        Directory.Delete(BankFolder, recursive: true);
        var outcome = Restore(BackupFile, BankFolder);
        Assert.True(outcome.Check.Clean);
        meddle?.Invoke(Path.Combine(BankFolder, NodeDatabase.LibraryFile));
        _restored = TreasuryNetwork.Open(_net.Directory, _net.Clock, TreasuryNetwork.DemoPins);
        return _restored;
    }

    private static void Execute(string libraryFile, string sql)
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={libraryFile}"))
        {
            connection.Open();
            connection.Execute(sql);
        }

        NodeDatabase.ReleaseAll();
    }

    /// <summary>How each of Finance's 8202s stands at bank 102, and every status notice Finance applied.</summary>
    private static (List<string> Deliveries, List<string> Applied) Answers(Business.TreasuryNode finance)
    {
        using var connection = finance.Library.Database.Connect();
        return (
            [.. connection.Query<string>("SELECT v.voucher_no || ':' || d.status FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id WHERE v.vt_code = '8202' ORDER BY v.voucher_no")],
            [.. connection.Query<string>("SELECT message_id FROM applied_notices ORDER BY message_id")]);
    }

    /// <summary>The stamps on the 8202 <paramref name="voucherNo"/> as <paramref name="node"/> holds it (own or received), by position.</summary>
    private static List<string> StampsOf(Business.TreasuryNode node, string origin, string voucherNo)
    {
        using var connection = node.Library.Database.Connect();
        return [.. connection.Query<(string Position, byte[] Der)>(
            "SELECT s.position, s.der FROM stamps s JOIN vouchers v ON v.id = s.voucher_id WHERE v.origin = @origin AND v.vt_code = '8202' AND v.voucher_no = @voucherNo ORDER BY s.position",
            new { origin, voucherNo }).Select(s => $"{s.Position}:{Convert.ToHexString(s.Der)}")];
    }

    private RestoreOutcome Restore(string backup, string folder) =>
        RestoreNode.Run(backup, folder, _net.Bank102.Library.Signing.Trust, _net.Master, () => TreasuryNetwork.DemoPassphrase, _net.Clock, "test");

    private void AssertPostgresIsBackedUpByTheDatabase()
    {
        var refused = Assert.Throws<BackupException>(() => NodeBackup.Take(_net.Bank102.Library, BankFolder, BackupFile, _net.Clock.GetUtcNow()));
        Assert.Equal(BackupFailure.NotSqlite, refused.Failure);
        Assert.False(File.Exists(BackupFile));
    }

    private static List<string> Details(Business.TreasuryNode node)
    {
        using var connection = node.Library.Database.Connect();
        return [.. connection.Query<string>("SELECT operation || ': ' || subject || ': ' || detail FROM audit WHERE operation LIKE 'recover%' OR operation = 'restore' ORDER BY seq")];
    }

    private static List<string> Operations(Business.TreasuryNode node, params string[] operations)
    {
        using var connection = node.Library.Database.Connect();
        return [.. connection.Query<string>("SELECT operation FROM audit WHERE operation IN @operations ORDER BY seq", new { operations })];
    }
}
