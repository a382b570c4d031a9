using System.Data.Common;
using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Simulation.Deterministic;

/// <summary>The names the simulator reports a broken invariant under (stable: tests and scripts match on them).</summary>
public static class Invariant
{
    public const string QuotaNotOverspent = "quota-not-overspent";
    public const string TreasuryNotNegative = "treasury-not-negative";
    public const string ClearingQuotaNotOverdrawn = "clearing-quota-not-overdrawn";
    public const string PaidAtMostOnce = "paid-at-most-once";
    public const string ClearedAtMostOnce = "cleared-at-most-once";
    public const string RefundWithinPayment = "refund-within-payment";
    public const string BooksBalanced = "books-balanced";
    public const string AuditIntact = "audit-intact";

    // At quiescence only (all faults healed, every node up, everything delivered and worked, the day closed).
    public const string EverythingDelivered = "everything-delivered";
    public const string ClearedExactlyOnce = "cleared-exactly-once";
    public const string ReconciliationBalanced = "reconciliation-balanced";
    public const string StatementsBalanced = "statements-balanced";
    public const string BooksAgree = "books-agree";

    /// <summary>A step threw: the product failed under the step's faults instead of refusing or retrying.</summary>
    public const string StepCompletes = "step-completes";
}

/// <summary>An invariant the simulator found broken.</summary>
public sealed class InvariantViolationException(string invariant, string detail) : Exception($"{invariant}: {detail}")
{
    public string Invariant { get; } = invariant;

    public string Detail { get; } = detail;
}

/// <summary>
/// Every invariant of the network, checked against the nodes' own stores — through a desk's query API where one
/// exists (PBOC's treasury balance, Finance's trial balance, reconciliation and statements), otherwise with read-only
/// SQL, all of it in this file. Checks after a step are incremental: a node whose audit head did not move and that
/// received nothing did not change (every state change commits with its audit entry), so only the nodes a step
/// changed are read; rows already checked once (payments, clearings, audit entries) are not read again. The checks at
/// quiescence and after a restart read everything (the whole audit chain included).
/// </summary>
public sealed class Invariants(MasterData master)
{
    private readonly Dictionary<PartyId, PartyState> _state = [];

    /// <summary>How many invariant evaluations were made (one per invariant per node checked).</summary>
    public long Checks { get; private set; }

    /// <summary>How many times the invariants were checked after a step (or the setup).</summary>
    public int StepsChecked { get; private set; }

    /// <summary>After every step: the invariants of every live node the step may have changed.</summary>
    public void AfterStep(IReadOnlyDictionary<PartyId, TreasuryNode> live, IReadOnlyCollection<PartyId> touched, bool all = false)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(touched);
        StepsChecked++;
        CheckNodes(live, touched, all);
    }

    private void CheckNodes(IReadOnlyDictionary<PartyId, TreasuryNode> live, IReadOnlyCollection<PartyId> touched, bool all)
    {
        foreach (var (party, node) in live)
        {
            var state = State(party);
            using var connection = node.Library.Database.Connect();
            var head = connection.ExecuteScalar<long>("SELECT COALESCE(MAX(seq), 0) FROM audit");
            if (!all && head == state.CheckedHead && !touched.Contains(party))
            {
                continue;
            }

            CheckAudit(party, connection, state);
            switch (party.Kind)
            {
                case PartyKind.Bank:
                    CheckBank(party, connection, state);
                    break;
                case PartyKind.Pboc:
                    CheckPboc(node, connection, state);
                    break;
                default:
                    CheckFinance(node, connection, state, force: all);
                    break;
            }

            state.CheckedHead = head;
        }
    }

    /// <summary>A node reopened after a crash: its whole audit chain is checked again from the file.</summary>
    public void Reopened(TreasuryNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var state = State(node.Party);
        (state.AuditSeq, state.AuditHash, state.CheckedHead) = (0, AuditLog.GenesisHash, -1);
        using var connection = node.Library.Database.Connect();
        CheckAudit(node.Party, connection, state);
    }

    /// <summary>
    /// At quiescence, after a day was closed on a mended network: nothing left to deliver, every paid line cleared
    /// exactly once, the parties' books agreeing, the day's reconciliation and every statement balanced, every per-step invariant on every node, and
    /// every audit chain verified whole.
    /// </summary>
    public void AtQuiescence(IReadOnlyDictionary<PartyId, TreasuryNode> live, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(live);
        foreach (var party in live.Keys)
        {
            var state = State(party);
            (state.AuditSeq, state.AuditHash) = (0, AuditLog.GenesisHash); // The whole chain again, not only what is new.
        }

        CheckNodes(live, [], all: true);
        foreach (var (party, node) in live)
        {
            using var connection = node.Library.Database.Connect();
            var waiting = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL");
            Check(Invariant.EverythingDelivered, waiting == 0, () => $"{party} still has {waiting} message(s) undelivered at quiescence");
        }

        using (var pboc = live[PartyId.Pboc].Library.Database.Connect())
        {
            var clearings = pboc.Query<(string Bank, string VoucherNo, long Amount)>("SELECT bank_code, voucher_no, amount_fen FROM pboc_clearings")
                .ToDictionary(c => (c.Bank, c.VoucherNo), c => c.Amount);
            foreach (var (party, node) in live.Where(n => n.Key.Kind == PartyKind.Bank))
            {
                var bank = party.Bank!.Value.Value;
                using var connection = node.Library.Database.Connect();
                foreach (var table in new[] { "bank_payments", "bank_direct_payments" })
                {
                    var lines = connection.Query<(string VoucherNo, long Line, long Amount, string? Clearing)>(
                        $"SELECT voucher_no, line, amount_fen, clearing_voucher_no FROM {table}").ToList();
                    foreach (var line in lines)
                    {
                        Check(Invariant.ClearedExactlyOnce, line.Clearing is not null && clearings.ContainsKey((bank, line.Clearing)),
                            () => $"{party} {table} {line.VoucherNo}/{line.Line} ({line.Amount} fen) is not cleared at PBOC (clearing {line.Clearing ?? "none"})");
                    }

                    foreach (var group in lines.GroupBy(l => l.Clearing!))
                    {
                        var cleared = clearings[(bank, group.Key)];
                        var sum = group.Sum(l => l.Amount);
                        Check(Invariant.ClearedExactlyOnce, cleared == sum, () => $"{party} 2301 {group.Key}: PBOC cleared {cleared} fen, the lines naming it sum to {sum} fen");
                    }
                }
            }
        }

        CheckBooksAgree(live);
        var finance = live[PartyId.Finance];
        var report = FinanceReconciliation.Reconcile(FinanceBooksReader.Read(finance.Library, master, date));
        Check(Invariant.ReconciliationBalanced, report.Balanced,
            () => $"{date:yyyy-MM-dd}: {report.Mismatches.Count} mismatch(es): {string.Join("; ", report.Mismatches.Take(3).Select(m => $"{m.Kind} {m.Description}"))}");
        foreach (var (party, node) in live)
        {
            var statements = node switch
            {
                { FinanceDesk: { } desk } => desk.VoucherReconciliations(date),
                { BankDesk: { } desk } => desk.VoucherReconciliations(date),
                _ => [],
            };
            foreach (var statement in statements)
            {
                Check(Invariant.StatementsBalanced, statement.Balanced, () => $"{party} {statement.StatementVtCode} {statement.StatementNo}: {statement.MismatchCount} mismatch(es): {statement.Mismatches}");
            }
        }

        var answers = live[PartyId.Pboc].PbocDesk!.ClearingReconciliations();
        var pbocState = State(PartyId.Pboc);
        foreach (var answer in answers.Skip(pbocState.ClearingAnswersChecked))
        {
            Check(Invariant.StatementsBalanced, answer.XCheckResult == 0, () => $"{answer.Party} answered 3507 {answer.StatementNo} with {answer.VtCode} 不符, {answer.XDiffNum} difference(s)");
        }

        pbocState.ClearingAnswersChecked = answers.Count;
    }

    /// <summary>
    /// The parties' books tell one story: what PBOC has cleared on each clearing quota is what the banks paid less what
    /// came back (per pay type), and what each bank still holds of a unit × class quota is what Finance's journal says
    /// is left of it (1011).
    /// </summary>
    private void CheckBooksAgree(IReadOnlyDictionary<PartyId, TreasuryNode> live)
    {
        long paid12 = 0, paid11 = 0, refunded12 = 0, refunded11 = 0;
        var trial = new FinanceJournal(live[PartyId.Finance].Library).TrialBalance();
        foreach (var (party, node) in live.Where(n => n.Key.Kind == PartyKind.Bank))
        {
            using var connection = node.Library.Database.Connect();
            paid12 += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_payments");
            paid11 += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_direct_payments");
            refunded12 += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_refunds WHERE pay_type = '12' AND cancelled_reason IS NULL");
            refunded11 += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM bank_refunds WHERE pay_type = '11' AND cancelled_reason IS NULL");
            foreach (var quota in connection.Query<(string Agency, string Func, long Issued, long Paid)>("SELECT agency_code, exp_func_code, issued_fen, paid_fen FROM bank_quotas"))
            {
                var booked = trial.BalanceOf(Domain.Ledgers.Accounts.QuotaReceivable, quota.Agency, quota.Func).Fen;
                Check(Invariant.BooksAgree, quota.Issued - quota.Paid == booked,
                    () => $"{party} quota {quota.Agency}/{quota.Func}: issued − paid = {quota.Issued - quota.Paid} fen, Finance's journal 1011 holds {booked} fen");
            }
        }

        using var pboc = live[PartyId.Pboc].Library.Database.Connect();
        var cleared12 = pboc.ExecuteScalar<long>("SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_clearing_quotas");
        var cleared11 = pboc.ExecuteScalar<long>("SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_direct_clearing_quotas");
        Check(Invariant.BooksAgree, cleared12 == paid12 - refunded12, () => $"授权 (12): PBOC's clearing quotas cleared {cleared12} fen, the banks paid {paid12} less {refunded12} refunded");
        Check(Invariant.BooksAgree, cleared11 == paid11 - refunded11, () => $"直接 (11): PBOC's direct clearing quotas cleared {cleared11} fen, the banks paid {paid11} less {refunded11} refunded");
    }

    private void CheckAudit(PartyId party, DbConnection connection, PartyState state)
    {
        var verdict = AuditLog.VerifyFrom(connection, state.AuditSeq, state.AuditHash, out var last);
        Check(Invariant.AuditIntact, verdict.Intact, () => $"{party}: {verdict.Message}");
        (state.AuditSeq, state.AuditHash) = (verdict.Entries, last);
    }

    private void CheckBank(PartyId party, DbConnection connection, PartyState state)
    {
        var over = connection.QueryFirstOrDefault<(string Agency, string Func, long Issued, long Paid)?>(
            "SELECT agency_code, exp_func_code, issued_fen, paid_fen FROM bank_quotas WHERE paid_fen > issued_fen OR paid_fen < 0 OR issued_fen < 0 LIMIT 1");
        Check(Invariant.QuotaNotOverspent, over is null, () => $"{party} quota {over!.Value.Agency}/{over.Value.Func}: paid {over.Value.Paid} fen of {over.Value.Issued} fen issued");

        foreach (var table in new[] { "bank_payments", "bank_direct_payments" })
        {
            var after = state.LastRow.GetValueOrDefault(table);
            foreach (var row in connection.Query<(long RowId, string VoucherNo, long Line)>($"SELECT rowid, voucher_no, line FROM {table} WHERE rowid > @after ORDER BY rowid", new { after }))
            {
                Check(Invariant.PaidAtMostOnce, state.Seen.Add($"{table}|{row.VoucherNo}|{row.Line}"), () => $"{party} paid {row.VoucherNo} line {row.Line} a second time ({table})");
                after = row.RowId;
            }

            state.LastRow[table] = after;
        }

        var refund = connection.QueryFirstOrDefault<(string VoucherNo, long Line, long Refunded, long Paid)?>(
            """
            SELECT r.ori_voucher_no, r.ori_line, SUM(r.amount_fen) AS refunded, COALESCE(p.amount_fen, d.amount_fen, 0) AS paid
            FROM bank_refunds r
            LEFT JOIN bank_payments p ON p.voucher_id = r.ori_voucher_id AND p.line = r.ori_line
            LEFT JOIN bank_direct_payments d ON d.voucher_id = r.ori_voucher_id AND d.line = r.ori_line
            WHERE r.cancelled_reason IS NULL
            GROUP BY r.ori_voucher_id, r.ori_line HAVING refunded > paid LIMIT 1
            """);
        Check(Invariant.RefundWithinPayment, refund is null, () => $"{party} refunded {refund!.Value.Refunded} fen of {refund.Value.VoucherNo} line {refund.Value.Line}, which paid {refund.Value.Paid} fen");
    }

    private void CheckPboc(TreasuryNode node, DbConnection connection, PartyState state)
    {
        var treasury = node.PbocDesk!.TreasuryBalance();
        Check(Invariant.TreasuryNotNegative, !treasury.IsNegative, () => $"PBOC's treasury single account holds {treasury.ToWire()}");
        foreach (var table in new[] { "pboc_clearing_quotas", "pboc_direct_clearing_quotas" })
        {
            var over = connection.QueryFirstOrDefault<(string Bank, string Agency, string Func, long Issued, long Cleared)?>(
                $"SELECT bank_code, agency_code, exp_func_code, issued_fen, cleared_fen FROM {table} WHERE cleared_fen > issued_fen OR cleared_fen < 0 OR issued_fen < 0 LIMIT 1");
            Check(Invariant.ClearingQuotaNotOverdrawn, over is null, () => $"PBOC {table} bank {over!.Value.Bank} {over.Value.Agency}/{over.Value.Func}: cleared {over.Value.Cleared} fen of {over.Value.Issued} fen");
        }

        var after = state.LastRow.GetValueOrDefault("pboc_clearings");
        foreach (var row in connection.Query<(long RowId, string Bank, string VoucherNo)>("SELECT rowid, bank_code, voucher_no FROM pboc_clearings WHERE rowid > @after ORDER BY rowid", new { after }))
        {
            Check(Invariant.ClearedAtMostOnce, state.Seen.Add($"{row.Bank}|{row.VoucherNo}"), () => $"PBOC cleared 2301 {row.VoucherNo} of bank {row.Bank} a second time");
            after = row.RowId;
        }

        state.LastRow["pboc_clearings"] = after;
    }

    private void CheckFinance(TreasuryNode node, DbConnection connection, PartyState state, bool force)
    {
        var entries = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM finance_journal");
        if (!force && entries == state.JournalEntriesChecked)
        {
            return;
        }

        var trial = new FinanceJournal(node.Library).TrialBalance();
        Check(Invariant.BooksBalanced, trial.IsBalanced, () => $"Finance's trial balance: debits {trial.TotalDebits.ToWire()}, credits {trial.TotalCredits.ToWire()}");
        state.JournalEntriesChecked = entries;
    }

    private void Check(string invariant, bool holds, Func<string> detail)
    {
        Checks++;
        if (!holds)
        {
            throw new InvariantViolationException(invariant, detail());
        }
    }

    private PartyState State(PartyId party)
    {
        if (!_state.TryGetValue(party, out var state))
        {
            _state[party] = state = new PartyState();
        }

        return state;
    }

    private sealed class PartyState
    {
        public long AuditSeq { get; set; }

        public string AuditHash { get; set; } = AuditLog.GenesisHash;

        /// <summary>The audit head when this node was last checked; -1: check it next step whatever happened.</summary>
        public long CheckedHead { get; set; } = -1;

        public Dictionary<string, long> LastRow { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public long JournalEntriesChecked { get; set; } = -1;

        public int ClearingAnswersChecked { get; set; }
    }
}
