using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Domain.Tests.Vouchers;

public sealed class VoucherRulesTests
{
    /// <summary>A valid 财政授权支付凭证 (8202) of 芒市 with two detail lines summing to its PayAmt.</summary>
    private static Voucher Valid8202() => new(
        [
            new("Id", "8202-0001"),
            new("AdmDivCode", "533103"),
            new("StYear", "2026"),
            new("VtCode", "8202"),
            new("VouDate", "20260315"),
            new("VoucherNo", "SQ2026000001"),
            new("PayTypeCode", "12"),
            new("AgencyCode", "101001"),
            new("ExpFuncCode", "2010101"),
            new("PayeeAcctNo", "6222020200000000001"),
            new("PayeeAcctName", "芒市某某办公用品商店"),
            new("PayAcctNo", "2505000000000000001"),
            new("PayBankCode", "102"),
            new("PayAmt", "1234.50"),
        ],
        [Detail("1", "1000.00"), Detail("2", "234.50")]);

    private static VoucherDetail Detail(string id, string payAmt) => new(
        [
            new("Id", id),
            new("AgencyCode", "101001"),
            new("ExpFuncCode", "2010101"),
            new("ExpEcoCode", "30201"),
            new("PayAmt", payAmt),
        ]);

    private static Voucher Without(Voucher voucher, string field) =>
        new(voucher.Header.Where(f => f.Name != field), voucher.Details);

    private static Voucher WithExtra(Voucher voucher, string field, string value) =>
        new([.. voucher.Header, new VoucherField(field, value)], voucher.Details);

    [Fact]
    public void A_valid_authorized_payment_voucher_has_no_problems() =>
        Assert.Empty(VoucherRules.Check(Valid8202()));

    [Fact]
    public void A_payment_with_a_negative_or_zero_line_is_refused_line_by_line()
    {
        var problems = VoucherRules.Check(Valid8202().With("PayAmt", "100.00").WithDetails([Detail("1", "200.00"), Detail("2", "-100.00")]));

        AssertOnlyProblem(problems, VoucherProblemCode.AmountNotPositive, "PayAmt", 2);
    }

    [Fact]
    public void A_payment_of_zero_is_refused() =>
        Assert.Contains(VoucherRules.Check(Valid8202().With("PayAmt", "0.00").WithDetails([Detail("1", "0.00")])),
            p => p is { Code: VoucherProblemCode.AmountNotPositive, Field: "PayAmt", DetailLine: null });

    [Fact]
    public void A_refund_with_negative_amounts_that_sum_up_is_valid()
    {
        var refund = new Voucher(
            [new("AdmDivCode", "533103"), new("StYear", "2026"), new("VtCode", "2302"), new("VouDate", "20260315"), new("VoucherNo", "TK001"),
             new("PayTypeCode", "12"), new("PayAmt", "-1234.50"), new("PayBankNo", "102751100019")],
            [new VoucherDetail([new("OriVoucherNo", "ZF1"), new("ExpFuncCode", "2010301"), new("PayAmt", "-1000.00")]),
             new VoucherDetail([new("OriVoucherNo", "ZF2"), new("ExpFuncCode", "2010301"), new("PayAmt", "-234.50")])]);

        Assert.Empty(VoucherRules.Check(refund));
    }

    [Theory]
    [InlineData("PayeeAcctName")]
    [InlineData("PayAmt")]
    [InlineData("VoucherNo")]
    [InlineData("VouDate")]
    public void A_missing_required_header_field_is_named(string field) =>
        AssertOnlyProblem(VoucherRules.Check(Without(Valid8202(), field)), VoucherProblemCode.MissingField, field, null);

    [Fact]
    public void An_empty_required_field_counts_as_missing() =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With("PayeeAcctName", "")), VoucherProblemCode.MissingField, "PayeeAcctName", null);

    [Fact]
    public void A_missing_required_detail_field_names_its_line()
    {
        var voucher = Valid8202();
        var second = new VoucherDetail(voucher.Details[1].Fields.Where(f => f.Name != "ExpFuncCode"));
        AssertOnlyProblem(VoucherRules.Check(voucher.WithDetails([voucher.Details[0], second])), VoucherProblemCode.MissingField, "ExpFuncCode", 2);
    }

    [Fact]
    public void An_unknown_header_field_is_named() =>
        AssertOnlyProblem(VoucherRules.Check(WithExtra(Valid8202(), "Bogus", "1")), VoucherProblemCode.UnknownField, "Bogus", null);

    [Fact]
    public void An_unknown_detail_field_names_its_line()
    {
        var voucher = Valid8202();
        var voucherWithBogus = voucher.WithDetails([voucher.Details[0].With("Bogus", "1"), voucher.Details[1]]);
        AssertOnlyProblem(VoucherRules.Check(voucherWithBogus), VoucherProblemCode.UnknownField, "Bogus", 1);
    }

    [Fact]
    public void A_field_given_twice_is_a_duplicate() =>
        AssertOnlyProblem(VoucherRules.Check(WithExtra(Valid8202(), "PayeeAcctName", "someone else")), VoucherProblemCode.DuplicateField, "PayeeAcctName", null);

    [Theory]
    [InlineData("1234.5")]
    [InlineData("1,234.50")]
    [InlineData("1234.50元")]
    [InlineData("-0.00")]
    public void A_header_amount_not_in_wire_form_is_invalid(string payAmt) =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With("PayAmt", payAmt)), VoucherProblemCode.InvalidAmount, "PayAmt", null);

    [Fact]
    public void A_detail_amount_not_in_wire_form_names_its_line()
    {
        var voucher = Valid8202();
        AssertOnlyProblem(
            VoucherRules.Check(voucher.WithDetails([voucher.Details[0], Detail("2", "234.5")])), VoucherProblemCode.InvalidAmount, "PayAmt", 2);
    }

    [Theory]
    [InlineData("20260230")]
    [InlineData("2026-03-15")]
    [InlineData("2026315")]
    [InlineData("20261315")]
    public void A_date_not_in_the_form_yyyyMMdd_is_invalid(string vouDate) =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With("VouDate", vouDate)), VoucherProblemCode.InvalidDate, "VouDate", null);

    [Fact]
    public void Details_that_do_not_sum_to_the_header_total_are_a_mismatch_naming_PayAmt()
    {
        var problems = VoucherRules.Check(Valid8202().With("PayAmt", "1234.51"));
        AssertOnlyProblem(problems, VoucherProblemCode.TotalMismatch, "PayAmt", null);
        Assert.Contains("1234.51", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("1234.50", problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_VtCode_outside_the_catalogue_is_unknown() =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With("VtCode", "9999")), VoucherProblemCode.UnknownVtCode, "VtCode", null);

    [Fact]
    public void A_voucher_without_a_VtCode_is_missing_it() =>
        AssertOnlyProblem(VoucherRules.Check(Without(Valid8202(), "VtCode")), VoucherProblemCode.MissingField, "VtCode", null);

    [Theory]
    [InlineData("AdmDivCode", "53310")]
    [InlineData("AdmDivCode", "053310")]
    [InlineData("StYear", "1999")]
    [InlineData("VoucherNo", "SQ 2026")]
    [InlineData("PayBankCode", "1020")]
    [InlineData("AgencyCode", "10")]
    [InlineData("ExpFuncCode", "3010101")]
    public void A_malformed_code_is_invalid(string field, string value) =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With(field, value)), VoucherProblemCode.InvalidCode, field, null);

    [Fact]
    public void A_malformed_code_in_a_detail_names_its_line()
    {
        var voucher = Valid8202();
        AssertOnlyProblem(
            VoucherRules.Check(voucher.WithDetails([voucher.Details[0], voucher.Details[1].With("AgencyCode", "1x1")])),
            VoucherProblemCode.InvalidCode, "AgencyCode", 2);
    }

    [Fact]
    public void More_details_than_the_limit_are_rejected_before_they_are_read()
    {
        var details = Enumerable.Range(1, Limits.VoucherDetailsMax + 1).Select(i => Detail(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "0.01"));
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With("PayAmt", new Amount(Limits.VoucherDetailsMax + 1).ToWire()).WithDetails(details)), VoucherProblemCode.TooManyDetails, "DetailList", null);
    }

    [Fact]
    public void Exactly_the_limit_of_details_is_accepted()
    {
        var details = Enumerable.Range(1, Limits.VoucherDetailsMax).Select(i => Detail(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "0.01"));
        Assert.Empty(VoucherRules.Check(Valid8202().With("PayAmt", new Amount(Limits.VoucherDetailsMax).ToWire()).WithDetails(details)));
    }

    [Fact]
    public void A_voucher_whose_total_is_zero_and_has_no_details_is_rejected_for_having_none() =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().With("PayAmt", "0.00").WithDetails([])), VoucherProblemCode.NoDetails, "DetailList", null);

    [Fact]
    public void A_voucher_with_no_details_is_rejected_for_having_none_and_nothing_else() =>
        AssertOnlyProblem(VoucherRules.Check(Valid8202().WithDetails([])), VoucherProblemCode.NoDetails, "DetailList", null);

    [Fact]
    public void Details_summing_past_the_largest_amount_are_reported_not_thrown()
    {
        var voucher = Valid8202()
            .With("PayAmt", "999999999999999.99")
            .WithDetails([Detail("1", "999999999999999.99"), Detail("2", "999999999999999.99")]);
        AssertOnlyProblem(VoucherRules.Check(voucher), VoucherProblemCode.TotalMismatch, "PayAmt", null);
    }

    private static void AssertOnlyProblem(IReadOnlyList<VoucherProblem> problems, VoucherProblemCode code, string field, int? line)
    {
        var problem = Assert.Single(problems);
        Assert.Equal(code, problem.Code);
        Assert.Equal(field, problem.Field);
        Assert.Equal(line, problem.DetailLine);
        Assert.False(string.IsNullOrWhiteSpace(problem.Message));
    }
}
