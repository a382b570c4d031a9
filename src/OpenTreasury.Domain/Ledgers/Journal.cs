using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Ledgers;

/// <summary>
/// Finance's chart of accounts (会计科目) for the journal (账务处理), kept to what the flows book. A
/// simplification of 财政总预算会计 with the units' 零余额账户用款额度: expenditure is one account whose
/// functional class (ExpFuncCode) and budget unit (AgencyCode) are dimensions of each posting.
/// </summary>
public static class Accounts
{
    /// <summary>国库存款: the treasury single account at PBOC; 实拨 pays out of it (credit), its 3208 refunds come back (debit).</summary>
    public const string TreasuryDeposit = "1001";

    /// <summary>零余额账户用款额度: quota issued to a unit (debit) and spent by its authorized payments (credit).</summary>
    public const string QuotaReceivable = "1011";

    /// <summary>财政拨款收入: appropriation revenue, credited when quota is issued and when Finance pays directly.</summary>
    public const string AppropriationRevenue = "4001";

    /// <summary>支出: expenditure, per budget unit × functional class; debited by payments, credited by refunds.</summary>
    public const string Expenditure = "5001";

    private static readonly Dictionary<string, string> s_names = new(StringComparer.Ordinal)
    {
        [TreasuryDeposit] = "国库存款",
        [QuotaReceivable] = "零余额账户用款额度",
        [AppropriationRevenue] = "财政拨款收入",
        [Expenditure] = "支出",
    };

    /// <summary>Every account code of the chart, in code order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. s_names.Keys.Order(StringComparer.Ordinal)];

    public static bool IsKnown(string code) => code is not null && s_names.ContainsKey(code);

    /// <summary>The Chinese name of an account of the chart.</summary>
    public static string Name(string code) =>
        s_names.TryGetValue(code, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(code), code, "Not an account of the chart.");
}

/// <summary>
/// One line of a journal entry: a debit or a credit (never both, never negative) to an account, for a
/// fund type (FundTypeCode), budget unit (AgencyCode) and functional class (ExpFuncCode).
/// </summary>
public sealed record Posting(string Account, string FundType, string AgencyCode, string ExpFuncCode, Amount Debit, Amount Credit)
{
    public static Posting Dr(string account, string fundType, string agencyCode, string expFuncCode, Amount amount) =>
        new(account, fundType, agencyCode, expFuncCode, amount, Amount.Zero);

    public static Posting Cr(string account, string fundType, string agencyCode, string expFuncCode, Amount amount) =>
        new(account, fundType, agencyCode, expFuncCode, Amount.Zero, amount);
}

/// <summary>
/// A journal entry (记账凭证) booked from one source voucher event (<see cref="VoucherRef"/>). It stands
/// only if it balances: Σ debit = Σ credit, and every posting is one-sided and positive; see <see cref="Refusal"/>.
/// </summary>
public sealed record JournalEntry(string EntryNo, DateOnly Date, string VoucherRef, IReadOnlyList<Posting> Postings)
{
    /// <summary>Why this entry may not be booked, or null when it may.</summary>
    public string? Refusal => JournalRules.Check(this);

    public Amount TotalDebit => Amount.Sum(Postings.Select(p => p.Debit));

    public Amount TotalCredit => Amount.Sum(Postings.Select(p => p.Credit));

    /// <summary>A balanced entry, or an <see cref="ArgumentException"/> naming why it is refused.</summary>
    public static JournalEntry Create(string entryNo, DateOnly date, string voucherRef, IReadOnlyList<Posting> postings)
    {
        var entry = new JournalEntry(entryNo, date, voucherRef, postings);
        return entry.Refusal is { } reason ? throw new ArgumentException($"Journal entry {entryNo} refused: {reason}", nameof(postings)) : entry;
    }
}

/// <summary>The rule every journal entry obeys before it is booked.</summary>
public static class JournalRules
{
    /// <summary>Null when the entry balances; otherwise the first reason it does not, in plain words.</summary>
    public static string? Check(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (string.IsNullOrWhiteSpace(entry.EntryNo))
        {
            return "the entry has no number";
        }

        if (string.IsNullOrWhiteSpace(entry.VoucherRef))
        {
            return "the entry names no source voucher";
        }

        if (entry.Postings is null || entry.Postings.Count < 2)
        {
            return "an entry needs at least one debit and one credit posting";
        }

        for (var i = 0; i < entry.Postings.Count; i++)
        {
            var p = entry.Postings[i];
            var line = i + 1;
            if (p is null)
            {
                return $"posting {line} is missing";
            }

            if (!Accounts.IsKnown(p.Account))
            {
                return $"posting {line}: account '{p.Account}' is not in the chart of accounts";
            }

            if (p.Debit.IsNegative || p.Credit.IsNegative)
            {
                return $"posting {line} ({Accounts.Name(p.Account)}): a debit or credit may not be negative";
            }

            if (!p.Debit.IsZero && !p.Credit.IsZero)
            {
                return $"posting {line} ({Accounts.Name(p.Account)}): a posting is either a debit or a credit, not both";
            }

            if (p.Debit.IsZero && p.Credit.IsZero)
            {
                return $"posting {line} ({Accounts.Name(p.Account)}): a posting must carry a positive amount";
            }
        }

        var (debit, credit) = (entry.TotalDebit, entry.TotalCredit);
        return debit == credit ? null : $"debits {debit.ToWire()} do not equal credits {credit.ToWire()}";
    }
}

/// <summary>One row of a trial balance: total debits and credits and the balance (debit − credit; negative is a credit balance).</summary>
public sealed record TrialBalanceLine(string Account, string FundType, string AgencyCode, string ExpFuncCode, Amount Debits, Amount Credits)
{
    public string AccountName => Accounts.Name(Account);

    public Amount Balance => Debits - Credits;
}

/// <summary>
/// The trial balance (试算平衡表) of a set of entries: per account, and per account × fund type × unit ×
/// class. Σ debits = Σ credits whenever every entry balances.
/// </summary>
public sealed record TrialBalance(IReadOnlyList<TrialBalanceLine> ByAccount, IReadOnlyList<TrialBalanceLine> ByUnitAndClass)
{
    public Amount TotalDebits => Amount.Sum(ByAccount.Select(l => l.Debits));

    public Amount TotalCredits => Amount.Sum(ByAccount.Select(l => l.Credits));

    public bool IsBalanced => TotalDebits == TotalCredits;

    /// <summary>The line of one account, all units and classes together (zero when it was never posted).</summary>
    public TrialBalanceLine Account(string account) =>
        ByAccount.SingleOrDefault(l => l.Account == account) ?? new TrialBalanceLine(account, string.Empty, string.Empty, string.Empty, Amount.Zero, Amount.Zero);

    /// <summary>The balance of one account for one unit × class (every fund type together).</summary>
    public Amount BalanceOf(string account, string agencyCode, string expFuncCode) =>
        Amount.Sum(ByUnitAndClass.Where(l => l.Account == account && l.AgencyCode == agencyCode && l.ExpFuncCode == expFuncCode).Select(l => l.Balance));

    /// <summary>The trial balance of <paramref name="entries"/>; every entry must balance, or it is refused by name.</summary>
    public static TrialBalance Of(IEnumerable<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var postings = new List<Posting>();
        foreach (var entry in entries)
        {
            if (JournalRules.Check(entry) is { } reason)
            {
                throw new ArgumentException($"Journal entry {entry.EntryNo} ({entry.VoucherRef}) does not balance: {reason}", nameof(entries));
            }

            postings.AddRange(entry.Postings);
        }

        var byAccount = postings
            .GroupBy(p => p.Account, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TrialBalanceLine(g.Key, string.Empty, string.Empty, string.Empty, Amount.Sum(g.Select(p => p.Debit)), Amount.Sum(g.Select(p => p.Credit))))
            .ToList();
        var byUnitAndClass = postings
            .GroupBy(p => (p.Account, p.FundType, p.AgencyCode, p.ExpFuncCode))
            .OrderBy(g => g.Key.Account, StringComparer.Ordinal)
            .ThenBy(g => g.Key.FundType, StringComparer.Ordinal)
            .ThenBy(g => g.Key.AgencyCode, StringComparer.Ordinal)
            .ThenBy(g => g.Key.ExpFuncCode, StringComparer.Ordinal)
            .Select(g => new TrialBalanceLine(g.Key.Account, g.Key.FundType, g.Key.AgencyCode, g.Key.ExpFuncCode, Amount.Sum(g.Select(p => p.Debit)), Amount.Sum(g.Select(p => p.Credit))))
            .ToList();
        return new TrialBalance(byAccount, byUnitAndClass);
    }
}
