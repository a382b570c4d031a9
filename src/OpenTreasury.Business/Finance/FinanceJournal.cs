using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Ledgers;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Wire;

namespace OpenTreasury.Business.Finance;

/// <summary>What one <see cref="FinanceJournal.PostPending"/> did: the entries it posted (none on a rerun).</summary>
public sealed record JournalPass(IReadOnlyList<JournalEntry> Posted)
{
    public int Count => Posted.Count;
}

/// <summary>
/// Finance's double-entry journal (账务处理), derived from its voucher library: one balanced entry per
/// source voucher event, keyed by that event and its division (voucher_ref <c>533103/8202:ZF…</c>, UNIQUE), so
/// rereading never posts twice and two divisions' vouchers of the same number are two events. Each division keeps
/// its own books (总预算会计): <see cref="Entries"/> and <see cref="TrialBalance"/> take one division, or all.
/// <list type="bullet">
/// <item>quota issued (own 5105, sent): Dr 零余额账户用款额度 / Cr 财政拨款收入, per unit × class;</item>
/// <item>authorized payment reported (a 2207 line, keyed by its 8202): Dr 支出 / Cr 零余额账户用款额度;</item>
/// <item>direct payment paid (the paid lines of a 5201 回单): Dr 支出 / Cr 财政拨款收入;</item>
/// <item>allocation paid (a 5207 回单): Dr 支出 / Cr 国库存款 — 实拨 money leaves the treasury single
/// account itself, with no quota or appropriation in between, so the treasury deposit is credited;</item>
/// <item>refunds, the reverse of their payment: 2208 (授权支付, keyed by the 2302 refund number; the unit's
/// 2204 for the same refund is not booked again), 2203 (直接支付), 3208 (实拨, Dr 国库存款 / Cr 支出).</item>
/// </list>
/// </summary>
public sealed class FinanceJournal(VoucherLibrary library)
{
    private const string Bookkeeper = "cz_lr";
    private const string DefaultFundType = "1";

    /// <summary>Posts every event of the library not yet in the journal, all in one transaction; a rerun posts nothing.</summary>
    public JournalPass PostPending()
    {
        using var session = library.Begin();
        var (connection, tx) = (session.Connection, session.Transaction);
        var posted = connection.Query<string>("SELECT voucher_ref FROM finance_journal", transaction: tx).ToHashSet(StringComparer.Ordinal);
        var next = connection.ExecuteScalar<long>("SELECT COALESCE(MAX(id), 0) FROM finance_journal", transaction: tx) + 1;
        var entries = new List<JournalEntry>();
        foreach (var (sourceId, voucherRef, date, postings) in Events(connection, tx))
        {
            if (postings.Count == 0 || !posted.Add(voucherRef))
            {
                continue;
            }

            var entry = JournalEntry.Create($"JZ{next:D8}", date, voucherRef, postings);
            var id = connection.ExecuteScalar<long>(
                """
                INSERT INTO finance_journal (id, entry_no, entry_date, voucher_ref, source_voucher_id, posted_at)
                VALUES (@next, @no, @date, @ref, @sourceId, @now) RETURNING id
                """,
                new { next, no = entry.EntryNo, date = Date(entry.Date), @ref = voucherRef, sourceId, now = session.NowText }, tx);
            connection.Execute(
                """
                INSERT INTO finance_postings (entry_id, line, account, fund_type, agency_code, exp_func_code, debit_fen, credit_fen)
                VALUES (@id, @line, @Account, @FundType, @AgencyCode, @ExpFuncCode, @debit, @credit)
                """,
                entry.Postings.Select((p, i) => new { id, line = i + 1, p.Account, p.FundType, p.AgencyCode, p.ExpFuncCode, debit = p.Debit.Fen, credit = p.Credit.Fen }), tx);
            session.Audit(Bookkeeper, "journal-post", voucherRef, $"{entry.EntryNo} {entry.TotalDebit.ToWire()}");
            entries.Add(entry);
            next++;
        }

        session.Commit();
        return new JournalPass(entries);
    }

    /// <summary>Every entry posted, in entry order: of division <paramref name="admDivCode"/> (its source voucher's), or of all when null.</summary>
    public IReadOnlyList<JournalEntry> Entries(string? admDivCode = null)
    {
        using var connection = library.Database.Connect();
        const string OfDivision = "(@admDivCode IS NULL OR EXISTS (SELECT 1 FROM vouchers v WHERE v.id = j.source_voucher_id AND v.adm_div_code = @admDivCode))";
        var postings = connection.Query<PostingRow>(
                $"""
                SELECT p.entry_id AS EntryId, p.account AS Account, p.fund_type AS FundType, p.agency_code AS AgencyCode, p.exp_func_code AS ExpFuncCode,
                       p.debit_fen AS DebitFen, p.credit_fen AS CreditFen
                FROM finance_postings p JOIN finance_journal j ON j.id = p.entry_id WHERE {OfDivision} ORDER BY p.entry_id, p.line
                """,
                new { admDivCode })
            .ToLookup(p => p.EntryId);
        return [.. connection.Query<EntryRow>($"SELECT j.id AS Id, j.entry_no AS EntryNo, j.entry_date AS EntryDate, j.voucher_ref AS VoucherRef FROM finance_journal j WHERE {OfDivision} ORDER BY j.id", new { admDivCode })
            .Select(e => new JournalEntry(e.EntryNo, DateOnly.ParseExact(e.EntryDate, "yyyyMMdd", CultureInfo.InvariantCulture), e.VoucherRef,
                [.. postings[e.Id].Select(p => new Posting(p.Account, p.FundType, p.AgencyCode, p.ExpFuncCode, new Amount(p.DebitFen), new Amount(p.CreditFen)))]))];
    }

    /// <summary>
    /// The trial balance of everything posted (per account, and per account × fund type × unit × class): of division
    /// <paramref name="admDivCode"/>'s books, or of every division together when null.
    /// </summary>
    public TrialBalance TrialBalance(string? admDivCode = null) => Domain.Ledgers.TrialBalance.Of(Entries(admDivCode));

    /// <summary>Each source event in library order: (voucher id, voucher_ref, date, balanced postings).</summary>
    private static IEnumerable<(long SourceId, string VoucherRef, DateOnly Date, List<Posting> Postings)> Events(System.Data.IDbConnection connection, System.Data.IDbTransaction tx)
    {
        // Each voucher with the prefix of its division's events (533103/): numbers repeat across divisions.
        IEnumerable<(long Id, string Division, Voucher Voucher)> Contents(string where) =>
            connection.Query<(long Id, string Division, byte[] Xml)>($"SELECT id, adm_div_code, inner_xml FROM vouchers WHERE {where} ORDER BY id", transaction: tx)
                .Select(r => (r.Id, r.Division + "/", VoucherXml.Read(r.Xml).Value));

        // 额度下达: every 5105 Finance sent.
        foreach (var (id, division, v) in Contents("origin = 'own' AND vt_code = '5105' AND flag = 0 AND state = 'sent'"))
        {
            yield return (id, $"{division}5105:{v.Require("VoucherNo")}", DateOf(v, "VouDate"), [.. v.Details.SelectMany(d => Pair(
                Accounts.QuotaReceivable, Accounts.AppropriationRevenue, Fund(v), d, Amount.ParseWire(d["PlanAmt"]!)))]);
        }

        // 授权支付: each payment the banks reported on a 2207, once, however many reports name it.
        foreach (var (id, division, v) in Contents("origin = 'received' AND vt_code = '2207' AND state = 'signed_for'"))
        {
            foreach (var d in v.Details)
            {
                yield return (id, $"{division}8202:{d["VoucherNo"]}", DateOf(v, "VouDate"),
                    Pair(Accounts.Expenditure, Accounts.QuotaReceivable, Fund(v), d, Amount.ParseWire(d["PayAmt"]!)));
            }
        }

        // 直接支付: the lines a bank actually paid (XPayAmt > 0) on its 5201 回单.
        foreach (var (id, division, v) in Contents("origin = 'received' AND vt_code = '5201' AND flag = 1 AND state = 'signed_for'"))
        {
            yield return (id, $"{division}5201:{v.Require("VoucherNo")}", DateOf(v, "XPayDate"), [.. v.Details.SelectMany(d => Pair(
                Accounts.Expenditure, Accounts.AppropriationRevenue, Fund(v), d, Amount.ParseWire(d["XPayAmt"] ?? "0.00")))]);
        }

        // 实拨: PBOC's 回单 of a paid 5207 (a returned one carries no XPayAmt and books nothing).
        foreach (var (id, division, v) in Contents("origin = 'received' AND vt_code = '5207' AND flag = 1 AND state = 'signed_for'"))
        {
            yield return (id, $"{division}5207:{v.Require("VoucherNo")}", DateOf(v, "XPayDate"), [.. v.Details.SelectMany(d => Pair(
                Accounts.Expenditure, Accounts.TreasuryDeposit, Fund(v), d, Amount.ParseWire(d["XPayAmt"] ?? "0.00")))]);
        }

        // 授权支付退款: the 2208 line of each refund (negative on the wire): quota back, expenditure down.
        foreach (var (id, division, v) in Contents("origin = 'received' AND vt_code = '2208' AND state = 'signed_for'"))
        {
            foreach (var d in v.Details)
            {
                yield return (id, $"{division}2302:{d["VoucherNo"]}", DateOf(v, "VouDate"),
                    Pair(Accounts.QuotaReceivable, Accounts.Expenditure, Fund(v), d, Magnitude(d["PayAmt"])));
            }
        }

        // 直接支付退款: 2203, keyed by the refund number (AgentBusinessNo = the 2302).
        foreach (var (id, division, v) in Contents("origin = 'received' AND vt_code = '2203' AND state = 'signed_for'"))
        {
            yield return (id, $"{division}2302:{v["AgentBusinessNo"] ?? v.Require("VoucherNo")}", DateOf(v, "VouDate"), [.. v.Details.SelectMany(d => Pair(
                Accounts.AppropriationRevenue, Accounts.Expenditure, Fund(v), d, Magnitude(d["PayAmt"])))]);
        }

        // 实拨退款: 3208 credits the treasury back, spread over the 5207's lines (each line's Amt, negative).
        foreach (var (id, division, v) in Contents("origin = 'received' AND vt_code = '3208' AND state = 'signed_for'"))
        {
            yield return (id, $"{division}3208:{v.Require("VoucherNo")}", DateOf(v, "VouDate"), [.. v.Details.SelectMany(d => Pair(
                Accounts.TreasuryDeposit, Accounts.Expenditure, Fund(v), d, Magnitude(d["Amt"] ?? d["PayAmt"])))]);
        }
    }

    /// <summary>A debit and a credit of <paramref name="amount"/> for the detail's unit × class; nothing when it is zero.</summary>
    private static List<Posting> Pair(string debit, string credit, string fund, VoucherDetail detail, Amount amount) =>
        amount.IsZero
            ? []
            : [Posting.Dr(debit, fund, detail["AgencyCode"]!, detail["ExpFuncCode"]!, amount), Posting.Cr(credit, fund, detail["AgencyCode"]!, detail["ExpFuncCode"]!, amount)];

    private static Amount Magnitude(string? wire)
    {
        var amount = Amount.ParseWire(wire ?? "0.00");
        return amount.IsNegative ? -amount : amount;
    }

    private static string Fund(Voucher v) => v["FundTypeCode"] ?? DefaultFundType;

    private static DateOnly DateOf(Voucher v, string field) =>
        DateOnly.ParseExact(v[field] ?? v.Require("VouDate"), "yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private sealed class EntryRow
    {
        public long Id { get; init; }

        public string EntryNo { get; init; } = string.Empty;

        public string EntryDate { get; init; } = string.Empty;

        public string VoucherRef { get; init; } = string.Empty;
    }

    private sealed class PostingRow
    {
        public long EntryId { get; init; }

        public string Account { get; init; } = string.Empty;

        public string FundType { get; init; } = string.Empty;

        public string AgencyCode { get; init; } = string.Empty;

        public string ExpFuncCode { get; init; } = string.Empty;

        public long DebitFen { get; init; }

        public long CreditFen { get; init; }
    }
}
