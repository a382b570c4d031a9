using OpenTreasury.Domain.Codes;

namespace OpenTreasury.Domain.Tests.Codes;

public sealed class CodeTests
{
    [Theory]
    [InlineData("533103", true)]
    [InlineData("530000", true)]
    [InlineData("110000", true)]
    [InlineData("053310", false)]
    [InlineData("53310", false)]
    [InlineData("5331033", false)]
    [InlineData("53310a", false)]
    [InlineData(" 533103", false)]
    [InlineData("５３３１０３", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_AdmDivCode_is_six_digits_not_starting_with_zero(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out AdmDivCode c) => AdmDivCode.TryParse(t, out c), c => c.ToString(), AdmDivCode.Parse);

    [Theory]
    [InlineData("2026", true)]
    [InlineData("2000", true)]
    [InlineData("2099", true)]
    [InlineData("1999", false)]
    [InlineData("2100", false)]
    [InlineData("26", false)]
    [InlineData("02026", false)]
    [InlineData("+202", false)]
    [InlineData("２０２６", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_StYear_is_a_four_digit_year_from_2000_to_2099(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out StYear c) => StYear.TryParse(t, out c), c => c.ToString(), StYear.Parse);

    [Theory]
    [InlineData("8202", true)]
    [InlineData("0000", true)]
    [InlineData("820", false)]
    [InlineData("82020", false)]
    [InlineData("820A", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_VtCode_is_four_digits(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out VtCode c) => VtCode.TryParse(t, out c), c => c.ToString(), VtCode.Parse);

    [Theory]
    [InlineData("102", true)]
    [InlineData("105", true)]
    [InlineData("10", false)]
    [InlineData("1020", false)]
    [InlineData("1O2", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_BankCode_is_three_digits(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out BankCode c) => BankCode.TryParse(t, out c), c => c.ToString(), BankCode.Parse);

    [Theory]
    [InlineData("102731000011", true)]
    [InlineData("10273100001", false)]
    [InlineData("1027310000111", false)]
    [InlineData("10273100001X", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_BankNo_is_a_twelve_digit_CNAPS_number(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out BankNo c) => BankNo.TryParse(t, out c), c => c.ToString(), BankNo.Parse);

    [Theory]
    [InlineData("101", true)]
    [InlineData("101001", true)]
    [InlineData("123456789012345678901", true)]
    [InlineData("10", false)]
    [InlineData("1234567890123456789012", false)]
    [InlineData("101-001", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_AgencyCode_is_three_to_twenty_one_digits(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out AgencyCode c) => AgencyCode.TryParse(t, out c), c => c.ToString(), AgencyCode.Parse);

    [Theory]
    [InlineData("201", true)]
    [InlineData("20101", true)]
    [InlineData("2010101", true)]
    [InlineData("2010", false)]
    [InlineData("201010", false)]
    [InlineData("20101011", false)]
    [InlineData("3010101", false)]
    [InlineData("20", false)]
    [InlineData("20101a1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_ExpFuncCode_is_a_class_section_or_item_starting_with_2(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out ExpFuncCode c) => ExpFuncCode.TryParse(t, out c), c => c.ToString(), ExpFuncCode.Parse);

    [Theory]
    [InlineData("301", true)]
    [InlineData("30101", true)]
    [InlineData("50101", true)]
    [InlineData("3010", false)]
    [InlineData("3010101", false)]
    [InlineData("20101", false)]
    [InlineData("40101", false)]
    [InlineData("30", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_ExpEcoCode_is_three_or_five_digits_starting_with_3_or_5(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out ExpEcoCode c) => ExpEcoCode.TryParse(t, out c), c => c.ToString(), ExpEcoCode.Parse);

    [Theory]
    [InlineData("1", true)]
    [InlineData("8202-2026-000001", true)]
    [InlineData("ZF_2026_0001", true)]
    [InlineData("2026.0001", true)]
    [InlineData("123456789012345678901234567890123456789012", true)]
    [InlineData("1234567890123456789012345678901234567890123", false)]
    [InlineData("8202 0001", false)]
    [InlineData("8202/0001", false)]
    [InlineData("凭证1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_VoucherNo_is_one_to_42_letters_digits_dashes_underscores_or_points(string? text, bool valid) =>
        AssertCode(text, valid, (string? t, out VoucherNo c) => VoucherNo.TryParse(t, out c), c => c.ToString(), VoucherNo.Parse);

    private delegate bool TryParser<T>(string? text, out T code);

    private static void AssertCode<T>(string? text, bool valid, TryParser<T> tryParse, Func<T, string> toString, Func<string, T> parse)
    {
        Assert.Equal(valid, tryParse(text, out var code));
        if (valid)
        {
            Assert.Equal(text, toString(code));
            Assert.Equal(code, parse(text!));
        }
        else
        {
            Assert.Equal(default, code);
            Assert.Throws<FormatException>(() => parse(text!));
        }
    }
}
