using FsCheck.Xunit;

using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Tests.Money;

/// <summary>大写金额 by 《支付结算办法》 (domain guide §9); where a form is optional, the first one.</summary>
public sealed class ChineseCapitalsTests
{
    [Theory]
    // The regulation's own examples.
    [InlineData("1409.50", "壹仟肆佰零玖元伍角")]
    [InlineData("6007.14", "陆仟零柒元壹角肆分")]
    [InlineData("1680.32", "壹仟陆佰捌拾元零叁角贰分")]
    [InlineData("107000.53", "壹拾万柒仟元零伍角叁分")]
    [InlineData("16409.02", "壹万陆仟肆佰零玖元零贰分")]
    [InlineData("325.04", "叁佰贰拾伍元零肆分")]
    // The examples.
    [InlineData("1005.00", "壹仟零伍元整")]
    [InlineData("1005.06", "壹仟零伍元零陆分")]
    public void The_regulation_examples_are_written_in_their_first_form(string wire, string capitals) =>
        Assert.Equal(capitals, Amount.ParseWire(wire).ToChineseCapitals());

    [Theory]
    [InlineData("1.00", "壹元整")]
    [InlineData("10.00", "壹拾元整")]
    [InlineData("20.00", "贰拾元整")]
    [InlineData("110.00", "壹佰壹拾元整")]
    [InlineData("10000.00", "壹万元整")]
    [InlineData("10001.00", "壹万零壹元整")]
    [InlineData("1000700.00", "壹佰万零柒佰元整")]
    [InlineData("100000000.00", "壹亿元整")]
    [InlineData("100000005.00", "壹亿零伍元整")]
    [InlineData("100010000.00", "壹亿零壹万元整")]
    [InlineData("1070000000.00", "壹拾亿柒仟万元整")]
    public void An_amount_that_ends_at_yuan_gets_zheng(string wire, string capitals) =>
        Assert.Equal(capitals, Amount.ParseWire(wire).ToChineseCapitals());

    [Theory]
    [InlineData("0.50", "伍角")]
    [InlineData("0.10", "壹角")]
    [InlineData("1409.50", "壹仟肆佰零玖元伍角")]
    [InlineData("10.50", "壹拾元零伍角")]
    [InlineData("10010.10", "壹万零壹拾元零壹角")]
    public void An_amount_that_ends_at_jiao_gets_no_zheng(string wire, string capitals) =>
        Assert.Equal(capitals, Amount.ParseWire(wire).ToChineseCapitals());

    [Theory]
    [InlineData("0.05", "伍分")]
    [InlineData("0.01", "壹分")]
    [InlineData("0.11", "壹角壹分")]
    [InlineData("100.05", "壹佰元零伍分")]
    [InlineData("6007.14", "陆仟零柒元壹角肆分")]
    public void An_amount_that_ends_at_fen_never_gets_zheng(string wire, string capitals) =>
        Assert.Equal(capitals, Amount.ParseWire(wire).ToChineseCapitals());

    [Fact]
    public void Zero_is_zero_yuan_zheng() =>
        Assert.Equal("零元整", Amount.Zero.ToChineseCapitals());

    [Theory]
    [InlineData("-20.00", "负贰拾元整")]
    [InlineData("-0.05", "负伍分")]
    [InlineData("-1409.50", "负壹仟肆佰零玖元伍角")]
    public void A_refund_is_written_with_a_leading_fu(string wire, string capitals) =>
        Assert.Equal(capitals, Amount.ParseWire(wire).ToChineseCapitals());

    [Theory]
    [InlineData("1000000000000.00", "壹万亿元整")]
    [InlineData("1000100000000.00", "壹万零壹亿元整")]
    [InlineData("1000000000001.00", "壹万亿零壹元整")]
    [InlineData("1000070000000.00", "壹万亿零柒仟万元整")]
    [InlineData("100000000000000.00", "壹佰万亿元整")]
    [InlineData("1234567890123.45", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分")]
    [InlineData("99999999999999.99", "玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分")]
    [InlineData("999999999999999.99", "玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分")]
    [InlineData("-999999999999999.99", "负玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分")]
    public void Amounts_of_ten_thousand_yi_and_more_name_yi_once(string wire, string capitals) =>
        Assert.Equal(capitals, Amount.ParseWire(wire).ToChineseCapitals());

    [Property(Arbitrary = [typeof(AmountArbitraries)])]
    public bool Every_amount_is_written_in_a_well_formed_way(Amount amount)
    {
        var text = amount.ToChineseCapitals();
        var body = amount.IsNegative ? text[1..] : text;
        return body.Length > 0
            && !body.Contains("零零", StringComparison.Ordinal)
            && (amount.IsZero || !body.StartsWith('零'))
            && (body.EndsWith("元整", StringComparison.Ordinal) || body.EndsWith('角') || body.EndsWith('分'))
            && body.Count(c => c == '亿') <= 1
            && body.Count(c => c == '元') <= 1
            && body.All(c => "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整".Contains(c, StringComparison.Ordinal));
    }

    [Property(Arbitrary = [typeof(AmountArbitraries)])]
    public bool A_refund_reads_as_its_amount_with_fu_in_front(Amount amount) =>
        amount.IsNegative
            ? amount.ToChineseCapitals() == "负" + (-amount).ToChineseCapitals()
            : !amount.ToChineseCapitals().Contains('负', StringComparison.Ordinal);
}
