using System.Text;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire.Tests;

/// <summary>Hostile and broken inner vouchers: each gives its stable error code, none throws.</summary>
public class MalformedVoucherTests
{
    private static readonly string s_valid = Samples.FromGbk(VoucherXml.Write(Samples.Payment()));

    private static WireResult<Voucher> ReadText(string text) => VoucherXml.Read(Samples.ToGbk(text));

    private static WireResult<Voucher> ReadVoucher(Voucher voucher) => VoucherXml.Read(VoucherXml.Write(voucher));

    [Fact]
    public void Text_that_is_not_XML_is_malformed() =>
        Samples.SingleError(VoucherXml.Read("this is not xml"u8), WireErrorCode.Malformed);

    [Fact]
    public void Empty_input_is_malformed() =>
        Samples.SingleError(VoucherXml.Read([]), WireErrorCode.Malformed);

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(200)]
    public void A_truncated_voucher_is_malformed(int bytesCut)
    {
        var bytes = VoucherXml.Write(Samples.Payment());

        Samples.SingleError(VoucherXml.Read(bytes.AsSpan(0, bytes.Length - bytesCut)), WireErrorCode.Malformed);
    }

    [Theory]
    [InlineData("UTF-8")]
    [InlineData("utf-8")]
    [InlineData("GB2312")]
    [InlineData("ISO-8859-1")]
    public void A_declaration_naming_another_encoding_is_the_wrong_encoding(string encoding)
    {
        var text = s_valid.Replace("encoding=\"GBK\"", $"encoding=\"{encoding}\"", StringComparison.Ordinal);

        Samples.SingleError(ReadText(text), WireErrorCode.WrongEncoding);
    }

    [Fact]
    public void A_declaration_without_encoding_is_the_wrong_encoding() =>
        Samples.SingleError(ReadText(s_valid.Replace(" encoding=\"GBK\"", "", StringComparison.Ordinal)), WireErrorCode.WrongEncoding);

    [Fact]
    public void A_UTF8_byte_order_mark_is_the_wrong_encoding() =>
        Samples.SingleError(VoucherXml.Read([0xEF, 0xBB, 0xBF, .. Samples.ToGbk(s_valid)]), WireErrorCode.WrongEncoding);

    [Fact]
    public void UTF8_bytes_declared_GBK_are_the_wrong_encoding()
    {
        // 芒市财政局 in UTF-8 is not valid GBK: the decoder must refuse, not guess.
        var bytes = Encoding.UTF8.GetBytes(s_valid);

        Samples.SingleError(VoucherXml.Read(bytes), WireErrorCode.WrongEncoding);
    }

    [Fact]
    public void Invalid_GBK_bytes_are_the_wrong_encoding()
    {
        var head = Samples.ToGbk(s_valid[..s_valid.IndexOf("</PayeeAcctName>", StringComparison.Ordinal)]);
        var tail = Samples.ToGbk(s_valid[s_valid.IndexOf("</PayeeAcctName>", StringComparison.Ordinal)..]);

        // 0x81 is a GBK lead byte; 0x20 can never be its trail byte.
        Samples.SingleError(VoucherXml.Read([.. head, 0x81, 0x20, .. tail]), WireErrorCode.WrongEncoding);
    }

    [Fact]
    public void A_GB18030_message_with_a_character_outside_GBK_is_the_wrong_encoding()
    {
        var gb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936)!;
        var text = s_valid.Replace("encoding=\"GBK\"", "encoding=\"GB18030\"", StringComparison.Ordinal)
            .Replace("芒市财政局<", "芒市财政局😀<", StringComparison.Ordinal);

        Samples.SingleError(VoucherXml.Read(gb18030.GetBytes(text)), WireErrorCode.WrongEncoding);
    }

    [Fact]
    public void A_billion_laughs_DTD_is_prohibited()
    {
        const string text = """
            <?xml version="1.0" encoding="GBK"?>
            <!DOCTYPE Voucher [
              <!ENTITY lol "lol">
              <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <Voucher><Remark>&lol9;</Remark><DetailList/></Voucher>
            """;

        Samples.SingleError(ReadText(text), WireErrorCode.DtdProhibited);
    }

    [Fact]
    public void An_external_entity_is_prohibited()
    {
        const string text = """
            <?xml version="1.0" encoding="GBK"?>
            <!DOCTYPE Voucher [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Voucher><Remark>&xxe;</Remark><DetailList/></Voucher>
            """;

        Samples.SingleError(ReadText(text), WireErrorCode.DtdProhibited);
    }

    [Fact]
    public void An_undeclared_entity_is_malformed() =>
        Samples.SingleError(ReadText(s_valid.Replace(">10.00<", ">&amt;<", StringComparison.Ordinal)), WireErrorCode.Malformed);

    [Fact]
    public void Another_root_element_is_unexpected() =>
        Samples.SingleError(ReadText("""<?xml version="1.0" encoding="GBK"?><MOF></MOF>"""), WireErrorCode.UnexpectedElement);

    [Fact]
    public void A_nested_element_in_the_header_is_unexpected()
    {
        var text = s_valid.Replace("<PayAmt>10.00</PayAmt>", "<PayAmt><Yuan>10</Yuan></PayAmt>", StringComparison.Ordinal);

        var error = Samples.SingleError(ReadText(text), WireErrorCode.UnexpectedElement);

        Assert.Equal("PayAmt", error.Field);
        Assert.Equal(Samples.Label, error.Voucher);
    }

    [Fact]
    public void A_field_after_the_detail_list_is_unexpected() =>
        Samples.SingleError(ReadText(s_valid.Replace("</DetailList>", "</DetailList><Hold1>x</Hold1>", StringComparison.Ordinal)), WireErrorCode.UnexpectedElement);

    [Fact]
    public void A_detail_list_holding_something_other_than_details_is_unexpected() =>
        Samples.SingleError(ReadText(s_valid.Replace("<DetailList>", "<DetailList><Row></Row>", StringComparison.Ordinal)), WireErrorCode.UnexpectedElement);

    [Fact]
    public void Text_directly_in_the_voucher_is_unexpected() =>
        Samples.SingleError(ReadText(s_valid.Replace("<DetailList>", "loose text<DetailList>", StringComparison.Ordinal)), WireErrorCode.UnexpectedElement);

    [Fact]
    public void An_attribute_on_a_field_is_invalid() =>
        Samples.SingleError(ReadText(s_valid.Replace("<PayAmt>10.00", "<PayAmt cur=\"CNY\">10.00", StringComparison.Ordinal)), WireErrorCode.InvalidAttribute);

    [Fact]
    public void Content_after_the_root_is_malformed() =>
        Samples.SingleError(ReadText(s_valid + "<Voucher/>"), WireErrorCode.Malformed);

    [Fact]
    public void An_unknown_VtCode_is_a_content_error()
    {
        var error = Samples.SingleError(ReadVoucher(Samples.Payment().With("VtCode", "9999")), WireErrorCode.Content);

        Assert.Equal(VoucherProblemCode.UnknownVtCode, error.Problem);
        Assert.Equal("VtCode", error.Field);
        Assert.Equal("9999/533103/2026/X1", error.Voucher);
    }

    [Fact]
    public void A_missing_required_field_is_a_content_error_naming_it()
    {
        var error = Samples.SingleError(ReadVoucher(Samples.Payment().Without("PayeeAcctNo")), WireErrorCode.Content);

        Assert.Equal(VoucherProblemCode.MissingField, error.Problem);
        Assert.Equal("PayeeAcctNo", error.Field);
        Assert.Equal(Samples.Label, error.Voucher);
    }

    [Fact]
    public void A_missing_required_detail_field_names_its_line()
    {
        var details = new[] { Samples.Detail("9.00"), new VoucherDetail([new("AgencyCode", "101001"), new("PayAmt", "1.00")]) };

        var error = Samples.SingleError(ReadVoucher(Samples.Payment().WithDetails(details)), WireErrorCode.Content);

        Assert.Equal((VoucherProblemCode.MissingField, "ExpFuncCode", 2), (error.Problem!.Value, error.Field!, error.DetailLine!.Value));
    }

    [Theory]
    [InlineData("10.001")]
    [InlineData("1e1")]
    [InlineData("1.0E+1")]
    [InlineData("10")]
    [InlineData("1000000000000000.00")]
    [InlineData("99999999999999999999.00")]
    [InlineData(" 10.00")]
    public void A_bad_amount_is_a_content_error(string amount)
    {
        var voucher = Samples.Payment().With("PayAmt", amount);

        var error = Samples.SomeError(ReadVoucher(voucher), WireErrorCode.Content);

        Assert.Equal((VoucherProblemCode.InvalidAmount, "PayAmt"), (error.Problem!.Value, error.Field!));
    }

    [Fact]
    public void A_blank_amount_is_a_missing_field()
    {
        var error = Samples.SingleError(ReadVoucher(Samples.Payment().With("PayAmt", "")), WireErrorCode.Content);

        Assert.Equal((VoucherProblemCode.MissingField, "PayAmt"), (error.Problem!.Value, error.Field!));
    }

    [Fact]
    public void Details_that_do_not_sum_to_the_total_are_a_content_error()
    {
        var voucher = Samples.Payment().WithDetails([Samples.Detail("7.50"), Samples.Detail("2.51")]);

        var error = Samples.SingleError(ReadVoucher(voucher), WireErrorCode.Content);

        Assert.Equal((VoucherProblemCode.TotalMismatch, "PayAmt"), (error.Problem!.Value, error.Field!));
    }

    [Fact]
    public void Details_whose_sum_overflows_are_a_content_error_not_a_crash()
    {
        const string huge = "999999999999999.99";
        var voucher = Samples.Payment().With("PayAmt", huge).WithDetails(Enumerable.Repeat(Samples.Detail(huge), 200));

        var error = Samples.SingleError(ReadVoucher(voucher), WireErrorCode.Content);

        Assert.Equal((VoucherProblemCode.TotalMismatch, "PayAmt"), (error.Problem!.Value, error.Field!));
        Assert.Contains("beyond the largest amount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_a_content_error()
    {
        var error = Samples.SingleError(ReadVoucher(Samples.Payment().With("Bogus", "1")), WireErrorCode.Content);

        Assert.Equal((VoucherProblemCode.UnknownField, "Bogus"), (error.Problem!.Value, error.Field!));
    }

    [Fact]
    public void More_details_than_the_limit_stop_the_read()
    {
        var details = Enumerable.Range(0, Limits.VoucherDetailsMax + 1).Select(_ => Samples.Detail("0.01")).ToList();
        var voucher = Samples.Payment().With("PayAmt", new Amount(Limits.VoucherDetailsMax + 1).ToWire()).WithDetails(details);

        var error = Samples.SingleError(ReadVoucher(voucher), WireErrorCode.TooMany);

        Assert.Equal("DetailList", error.Field);
    }

    [Fact]
    public void Exactly_the_limit_of_details_is_read()
    {
        var details = Enumerable.Range(0, Limits.VoucherDetailsMax).Select(_ => Samples.Detail("0.01")).ToList();
        var voucher = Samples.Payment().With("PayAmt", new Amount(Limits.VoucherDetailsMax).ToWire()).WithDetails(details); // 0.01 a line

        Assert.True(ReadVoucher(voucher).IsSuccess);
    }

    [Fact]
    public void More_fields_than_the_limit_stop_the_read()
    {
        var fields = Enumerable.Range(0, Limits.VoucherFieldsMax + 1).Select(i => new VoucherField($"F{i}", ""));

        Samples.SingleError(ReadVoucher(new Voucher(fields, [])), WireErrorCode.TooMany);
    }

    [Fact]
    public void A_value_longer_than_the_limit_stops_the_read()
    {
        var voucher = Samples.Payment().With("PayeeAcctName", new string('名', Limits.FieldValueLengthMax + 1));

        var error = Samples.SingleError(ReadVoucher(voucher), WireErrorCode.TooLarge);

        Assert.Equal("PayeeAcctName", error.Field);
    }

    [Fact]
    public void A_message_over_the_byte_limit_is_refused_before_parsing()
    {
        var bytes = new byte[Limits.MessageBytesMax + 1];
        Array.Fill(bytes, (byte)' ');
        Samples.ToGbk(s_valid).CopyTo(bytes, 0);

        var error = Samples.SingleError(VoucherXml.Read(bytes), WireErrorCode.TooLarge);

        Assert.Contains(Limits.MessageBytesMax.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tag_with_a_flood_of_attributes_is_refused_before_the_XML_reader_sees_it()
    {
        // XmlReader's duplicate-attribute check is quadratic: a million attributes would cost seconds.
        var attributes = string.Concat(Enumerable.Range(0, 200_000).Select(i => $" a{i}=\"\""));

        Samples.SingleError(ReadText($"""<?xml version="1.0" encoding="GBK"?><Voucher{attributes}/>"""), WireErrorCode.TooMany);
    }

    [Fact]
    public void Attribute_like_text_in_values_comments_and_CDATA_is_not_counted()
    {
        var equals = string.Concat(Enumerable.Repeat("a=1 ", 40));
        var text = s_valid
            .Replace("<VoucherNo>", $"<!-- <x {equals}> --><VoucherNo>", StringComparison.Ordinal)
            .Replace(">芒市财政局<", $"><![CDATA[<x {equals}>]]>芒市财政局<", StringComparison.Ordinal)
            .Replace(">行政运行<", $">{equals}&gt;<", StringComparison.Ordinal);

        Assert.True(ReadText(text).IsSuccess);
    }

    [Fact]
    public void Random_corruptions_never_throw()
    {
        var valid = VoucherXml.Write(Samples.Payment());
        var random = new Random(20260315);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])valid.Clone();
            var changes = random.Next(1, 4);
            for (var c = 0; c < changes; c++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(4) == 0 ? random.Next(bytes.Length) : bytes.Length;

            var result = VoucherXml.Read(bytes.AsSpan(0, length));

            Assert.True(result.IsSuccess || result.Errors.Count > 0);
        }
    }
}
