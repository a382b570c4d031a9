using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Reconciliation;

/// <summary>What differs between a counterpart's voucher statement (3501/3502, 4004/4005) and one's own library.</summary>
public enum VoucherMismatchKind
{
    /// <summary>On their statement, not in our library.</summary>
    Missing = 1,

    /// <summary>In our library, not on their statement.</summary>
    Extra = 2,

    AmountDiffers = 3,
    StatusDiffers = 4,

    /// <summary>4004/4005: the number of vouchers of a type differs.</summary>
    CountDiffers = 5,
}

/// <summary>
/// One line of a voucher statement (凭证对账 detail): the voucher number, its amount and its processing
/// status (ProState) as a library status code: 1 received, 3 signed for, 4 refused, 5 returned, 12 回单, 99 voided …
/// </summary>
public sealed record ReconLine(string VoucherNo, Amount Amount, string ProState);

/// <summary>One line of a payment statement (支付对账单 4004/4005): a voucher type's count and total for the day.</summary>
public sealed record TypeTotal(string VtCode, int Count, Amount Amount);

/// <summary>One difference, naming the voucher number (3501/3502) or the voucher type (4004/4005) it is about.</summary>
public sealed record VoucherMismatch(VoucherMismatchKind Kind, string Subject, string? Theirs, string? Ours)
{
    public string Description => Kind switch
    {
        VoucherMismatchKind.Missing => $"{Subject}: on their statement ({Theirs}), not in our library",
        VoucherMismatchKind.Extra => $"{Subject}: in our library ({Ours}), not on their statement",
        VoucherMismatchKind.AmountDiffers => $"{Subject}: amount {Theirs} on their statement, {Ours} in our library",
        VoucherMismatchKind.StatusDiffers => $"{Subject}: status {Theirs} on their statement, {Ours} in our library",
        _ => $"{Subject}: {Theirs} vouchers on their statement, {Ours} in our library",
    };
}

/// <summary>
/// Line-by-line comparison of a counterpart's voucher statement with one's own library (pure: the
/// node reads both sides, this decides what differs). Results are ordered by subject, then kind.
/// </summary>
public static class VoucherReconciliation
{
    /// <summary>The status code of a voided voucher (ours, <c>VoucherStatus.Voided</c>).</summary>
    public const string Voided = "99";

    /// <summary>Compares voucher by voucher number; a number listed twice is matched pairwise, the surplus is missing or extra.</summary>
    public static IReadOnlyList<VoucherMismatch> Compare(IReadOnlyList<ReconLine> theirs, IReadOnlyList<ReconLine> ours)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        ArgumentNullException.ThrowIfNull(ours);
        var mismatches = new List<VoucherMismatch>();
        var theirsByNo = theirs.ToLookup(l => l.VoucherNo, StringComparer.Ordinal);
        var oursByNo = ours.ToLookup(l => l.VoucherNo, StringComparer.Ordinal);
        var numbers = theirs.Select(l => l.VoucherNo).Concat(ours.Select(l => l.VoucherNo)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var no in numbers)
        {
            var their = theirsByNo[no].ToList();
            var our = oursByNo[no].ToList();
            for (var i = 0; i < Math.Max(their.Count, our.Count); i++)
            {
                if (i >= our.Count)
                {
                    mismatches.Add(new(VoucherMismatchKind.Missing, no, Text(their[i]), null));
                }
                else if (i >= their.Count)
                {
                    mismatches.Add(new(VoucherMismatchKind.Extra, no, null, Text(our[i])));
                }
                else
                {
                    if (their[i].Amount != our[i].Amount)
                    {
                        mismatches.Add(new(VoucherMismatchKind.AmountDiffers, no, their[i].Amount.ToWire(), our[i].Amount.ToWire()));
                    }

                    if (!StatesAgree(their[i].ProState, our[i].ProState))
                    {
                        mismatches.Add(new(VoucherMismatchKind.StatusDiffers, no, their[i].ProState, our[i].ProState));
                    }
                }
            }
        }

        return mismatches;
    }

    /// <summary>Compares the count and total of each voucher type.</summary>
    public static IReadOnlyList<VoucherMismatch> CompareTotals(IReadOnlyList<TypeTotal> theirs, IReadOnlyList<TypeTotal> ours)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        ArgumentNullException.ThrowIfNull(ours);
        var mismatches = new List<VoucherMismatch>();
        var theirsByType = Sum(theirs);
        var oursByType = Sum(ours);
        foreach (var type in theirsByType.Keys.Concat(oursByType.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var (hasTheirs, hasOurs) = (theirsByType.TryGetValue(type, out var their), oursByType.TryGetValue(type, out var our));
            if (!hasOurs)
            {
                mismatches.Add(new(VoucherMismatchKind.Missing, type, Text(their!), null));
            }
            else if (!hasTheirs)
            {
                mismatches.Add(new(VoucherMismatchKind.Extra, type, null, Text(our!)));
            }
            else
            {
                if (their!.Count != our!.Count)
                {
                    mismatches.Add(new(VoucherMismatchKind.CountDiffers, type, Num(their.Count), Num(our.Count)));
                }

                if (their.Amount != our.Amount)
                {
                    mismatches.Add(new(VoucherMismatchKind.AmountDiffers, type, their.Amount.ToWire(), our.Amount.ToWire()));
                }
            }
        }

        return mismatches;
    }

    /// <summary>The count and total per voucher type of statement lines, as a 4004/4005 carries them.</summary>
    public static IReadOnlyList<TypeTotal> Totals(IEnumerable<(string VtCode, ReconLine Line)> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return [.. lines.GroupBy(l => l.VtCode, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TypeTotal(g.Key, g.Count(), Amount.Sum(g.Select(l => l.Line.Amount))))];
    }

    /// <summary>
    /// Two status codes agree when equal, or when one side voided (99) a voucher the other refused (4),
    /// returned (5) or failed to receive (2): a voucher is voided only after one of those, and the other
    /// side never learns of the void.
    /// </summary>
    public static bool StatesAgree(string theirs, string ours)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        ArgumentNullException.ThrowIfNull(ours);
        return string.Equals(theirs, ours, StringComparison.Ordinal)
            || (theirs == Voided && ours is "2" or "4" or "5")
            || (ours == Voided && theirs is "2" or "4" or "5");
    }

    /// <summary>All mismatches as one text, one per line (empty when balanced).</summary>
    public static string Describe(IReadOnlyList<VoucherMismatch> mismatches)
    {
        ArgumentNullException.ThrowIfNull(mismatches);
        return string.Join("\n", mismatches.Select(m => $"{m.Kind}: {m.Description}"));
    }

    private static Dictionary<string, TypeTotal> Sum(IReadOnlyList<TypeTotal> totals) =>
        totals.GroupBy(t => t.VtCode, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new TypeTotal(g.Key, g.Sum(t => t.Count), Amount.Sum(g.Select(t => t.Amount))), StringComparer.Ordinal);

    private static string Text(ReconLine line) => $"{line.Amount.ToWire()}, status {line.ProState}";

    private static string Text(TypeTotal total) => $"{Num(total.Count)} vouchers, {total.Amount.ToWire()}";

    private static string Num(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
