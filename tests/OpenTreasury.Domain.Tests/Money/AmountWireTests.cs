using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Tests.Money;

public sealed class AmountWireTests
{
    [Theory]
    [InlineData("0.00", 0L)]
    [InlineData("0.01", 1L)]
    [InlineData("1234.50", 123450L)]
    [InlineData("-20.00", -2000L)]
    [InlineData("999999999999999.99", 99_999_999_999_999_999L)]
    [InlineData("-999999999999999.99", -99_999_999_999_999_999L)]
    public void A_wire_amount_with_two_decimals_is_read_exactly_and_written_back_the_same(string text, long fen)
    {
        Assert.True(Amount.TryParseWire(text, out var amount, out var error), error);
        Assert.Equal(fen, amount.Fen);
        Assert.Equal(text, amount.ToWire());
        Assert.Equal(amount, Amount.ParseWire(text));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" 1.00", "only digits")]
    [InlineData("1.00 ", "exactly two decimals")]
    [InlineData("1.0", "exactly two decimals")]
    [InlineData("1.000", "exactly two decimals")]
    [InlineData("1e3", "exactly two decimals")]
    [InlineData("1,000.00", "only digits")]
    [InlineData("+1.00", "only digits")]
    [InlineData("01.00", "leading zero")]
    [InlineData("-0.00", "negative zero")]
    [InlineData("1234567890123456.00", "15 integer digits")]
    [InlineData("12345678901234567.00", "longer than 19")]
    [InlineData("１.００", "only digits")]
    [InlineData("NaN", "exactly two decimals")]
    [InlineData("1.-1", "only digits")]
    [InlineData(".50", "exactly two decimals")]
    [InlineData("5.", "exactly two decimals")]
    [InlineData("-", "exactly two decimals")]
    [InlineData("--1.00", "only digits")]
    [InlineData("1..00", "exactly two decimals")]
    public void A_malformed_wire_amount_is_rejected_with_a_clear_reason(string text, string reason)
    {
        Assert.False(Amount.TryParseWire(text, out var amount, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Equal(Amount.Zero, amount);
        var thrown = Assert.Throws<FormatException>(() => Amount.ParseWire(text));
        Assert.Equal(error, thrown.Message);
    }

    [Fact]
    public void A_missing_wire_amount_is_rejected_as_empty()
    {
        Assert.False(Amount.TryParseWire(null, out _, out var error));
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0.00")]
    [InlineData(5L, "0.05")]
    [InlineData(50L, "0.50")]
    [InlineData(-1L, "-0.01")]
    [InlineData(100L, "1.00")]
    [InlineData(123450L, "1234.50")]
    public void An_amount_is_written_with_exactly_two_decimals(long fen, string wire)
    {
        Assert.Equal(wire, new Amount(fen).ToWire());
        Assert.Equal(wire, new Amount(fen).ToString());
    }

    [Fact]
    public void The_largest_amount_is_fifteen_nines_of_yuan_and_ninety_nine_fen()
    {
        Assert.Equal("999999999999999.99", new Amount(Amount.FenMax).ToWire());
        Assert.Equal(Amount.WireLengthMax, new Amount(-Amount.FenMax).ToWire().Length);
    }

    [Fact]
    public void An_amount_beyond_FenMax_cannot_be_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Amount(Amount.FenMax + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Amount(-Amount.FenMax - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Amount(long.MinValue));
    }

    [Fact]
    public void Adding_past_FenMax_throws_instead_of_wrapping()
    {
        var max = new Amount(Amount.FenMax);
        AssertOverflows(() => max + new Amount(1));
        AssertOverflows(() => max + max);
        AssertOverflows(() => Amount.Sum([max, new Amount(1)]));
    }

    [Fact]
    public void Subtracting_past_minus_FenMax_throws_instead_of_wrapping()
    {
        var min = new Amount(-Amount.FenMax);
        AssertOverflows(() => min - new Amount(1));
        AssertOverflows(() => min - new Amount(Amount.FenMax));
    }

    [Fact]
    public void Arithmetic_up_to_the_limits_is_exact()
    {
        Assert.Equal(Amount.FenMax, (new Amount(Amount.FenMax - 1) + new Amount(1)).Fen);
        Assert.Equal(-Amount.FenMax, (new Amount(-Amount.FenMax + 1) - new Amount(1)).Fen);
        Assert.Equal(Amount.FenMax, (-new Amount(-Amount.FenMax)).Fen);
        Assert.Equal(-2000, Amount.FromYuan(-20).Fen);
    }

    [Fact]
    public void Yuan_beyond_the_range_throw()
    {
        AssertOverflows(() => Amount.FromYuan(long.MaxValue));
        AssertOverflows(() => Amount.FromYuan((Amount.FenMax / 100) + 1));
    }

    private static void AssertOverflows(Func<Amount> operation)
    {
        var thrown = Record.Exception(() => operation());
        Assert.True(
            thrown is OverflowException or ArgumentOutOfRangeException,
            $"expected OverflowException or ArgumentOutOfRangeException, got {thrown?.GetType().Name ?? "no exception"}");
    }
}
