using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using OpenTreasury.Domain.Money;

using DomainAmount = OpenTreasury.Domain.Money.Amount;

namespace OpenTreasury.Domain.Tests.Money;

/// <summary>Amounts over the whole range, with the edges and small values (where bugs live) often.</summary>
public static class AmountArbitraries
{
    public static Arbitrary<DomainAmount> Amount() =>
        Arb.From(
            Gen.OneOf(
                FsCheck.FSharp.Gen.Choose64(-DomainAmount.FenMax, DomainAmount.FenMax),
                Gen.Choose(-100_000, 100_000).Select(i => (long)i),
                Gen.Elements(0L, 1L, -1L, 99L, 100L, DomainAmount.FenMax, -DomainAmount.FenMax))
            .Select(fen => new DomainAmount(fen)));
}

/// <summary>Amounts small enough that a hundred of them never leave the range.</summary>
public static class SummableAmountArbitraries
{
    public const long FenMaxEach = DomainAmount.FenMax / 1_000;

    public static Arbitrary<DomainAmount> Amount() =>
        Arb.From(FsCheck.FSharp.Gen.Choose64(-FenMaxEach, FenMaxEach).Select(fen => new DomainAmount(fen)));
}

public sealed class AmountPropertyTests
{
    [Property(Arbitrary = [typeof(AmountArbitraries)])]
    public bool Every_amount_survives_a_trip_through_the_wire(Amount amount) =>
        Amount.ParseWire(amount.ToWire()) == amount;

    [Property(Arbitrary = [typeof(AmountArbitraries)])]
    public bool The_wire_form_never_exceeds_its_maximum_length(Amount amount) =>
        amount.ToWire().Length <= Amount.WireLengthMax;

    [Property(Arbitrary = [typeof(SummableAmountArbitraries)])]
    public bool Adding_amounts_is_associative(Amount a, Amount b, Amount c) =>
        (a + b) + c == a + (b + c);

    [Property(Arbitrary = [typeof(SummableAmountArbitraries)], MaxTest = 200)]
    public bool The_sum_of_amounts_equals_the_sum_of_their_fen(Amount[] amounts)
    {
        var some = amounts.Take(1_000).ToArray();
        return Amount.Sum(some).Fen == some.Sum(a => a.Fen);
    }

    [Property(Arbitrary = [typeof(SummableAmountArbitraries)])]
    public bool Subtracting_undoes_adding(Amount a, Amount b) =>
        a + b - b == a;
}
