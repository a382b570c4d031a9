using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire.Tests;

public class VoucherXmlTests
{
    [Fact]
    public void A_small_voucher_is_written_byte_for_byte_as_compact_GBK_XML()
    {
        var voucher = new Voucher(
            [new("AdmDivCode", "533103"), new("PayeeAcctName", "芒市财政局 & <co>"), new("Hold1", "")],
            [new VoucherDetail([new("PayAmt", "-20.00")])]);

        var bytes = VoucherXml.Write(voucher);

        const string expected = """<?xml version="1.0" encoding="GBK"?><Voucher><AdmDivCode>533103</AdmDivCode>"""
            + """<PayeeAcctName>芒市财政局 &amp; &lt;co&gt;</PayeeAcctName><Hold1></Hold1>"""
            + """<DetailList><Detail><PayAmt>-20.00</PayAmt></Detail></DetailList></Voucher>""";
        Assert.Equal(Samples.ToGbk(expected), bytes);
        // 芒 is C3 A2 and 市 is CA D0 in GBK: two bytes each, no UTF-8, no BOM.
        Assert.True(bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xC3, 0xA2, 0xCA, 0xD0]) > 0);
        Assert.Equal((byte)'<', bytes[0]);
        Assert.DoesNotContain((byte)'\n', bytes);
    }

    [Fact]
    public void The_header_alone_is_the_full_reads_header_and_nothing_after_the_detail_list_is_read()
    {
        var bytes = VoucherXml.Write(Samples.Payment());
        var header = VoucherXml.ReadHeader(bytes);
        Assert.Equal(VoucherXml.Read(bytes).Value.Header, header.Value);

        // What follows <DetailList> is not looked at: a list of stored vouchers reads a payroll's payee, not its lines.
        var text = Samples.FromGbk(bytes);
        var cut = Samples.Gbk.GetBytes(text[..(text.IndexOf("<DetailList>", StringComparison.Ordinal) + "<DetailList>".Length)] + "<Detail><<<");
        Assert.False(VoucherXml.Read(cut).IsSuccess);
        Assert.Equal(header.Value, VoucherXml.ReadHeader(cut).Value);
    }

    [Fact]
    public void An_empty_detail_list_is_still_written()
    {
        var bytes = VoucherXml.Write(new Voucher([new("VtCode", "8202")], []));

        Assert.EndsWith("<VtCode>8202</VtCode><DetailList></DetailList></Voucher>", Samples.FromGbk(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_voucher_round_trips_losslessly()
    {
        var voucher = Samples.Payment();
        var bytes = VoucherXml.Write(voucher);

        var read = VoucherXml.Read(bytes);

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        Assert.Equal(voucher.Header, read.Value.Header);
        Assert.Equal(voucher.Details.Select(d => d.Fields), read.Value.Details.Select(d => d.Fields));
        Assert.Equal(bytes, VoucherXml.Write(read.Value));
        Assert.Equal("芒市财政局", read.Value["AgencyName"]);
        Assert.Equal("2.50", read.Value.Details[1]["PayAmt"]);
    }

    [Fact]
    public void Line_breaks_tabs_and_spaces_in_values_survive_the_round_trip()
    {
        var voucher = Samples.Payment().With("PayeeAcctName", " a\r\nb\tc\rd\n ").With("Hold1", "   ");

        var read = VoucherXml.Read(VoucherXml.Write(voucher));

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        Assert.Equal(" a\r\nb\tc\rd\n ", read.Value["PayeeAcctName"]);
        Assert.Equal("   ", read.Value["Hold1"]);
    }

    [Fact]
    public void Writing_a_character_GBK_cannot_encode_throws_naming_the_field()
    {
        var voucher = Samples.Payment().With("PayeeAcctName", "商贸😀");

        var error = Assert.Throws<ArgumentException>(() => VoucherXml.Write(voucher));

        Assert.Contains("PayeeAcctName", error.Message, StringComparison.Ordinal);
        Assert.Contains("U+1F600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_a_control_character_throws_naming_the_detail_field()
    {
        var voucher = Samples.Payment().WithDetails([Samples.Detail("10.00", "bell\u0007")]);

        var error = Assert.Throws<ArgumentException>(() => VoucherXml.Write(voucher));

        Assert.Contains("Detail 1 field Remark", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pay Amt")]
    [InlineData("付款")]
    [InlineData("a:b")]
    [InlineData("")]
    public void Writing_a_field_name_XML_cannot_carry_plainly_throws(string name)
    {
        var voucher = new Voucher([new(name, "1")], []);

        _ = Assert.Throws<ArgumentException>(() => VoucherXml.Write(voucher));
    }

    [Fact]
    public void Self_closing_elements_read_as_empty_values_and_write_back_the_long_form()
    {
        var written = VoucherXml.Write(Samples.Payment().With("Hold1", "").With("Hold2", ""));
        var text = Samples.FromGbk(written).Replace("<Hold1></Hold1>", "<Hold1/>", StringComparison.Ordinal);

        var read = VoucherXml.Read(Samples.ToGbk(text));

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        Assert.Equal("", read.Value["Hold1"]);
        Assert.Equal("", read.Value["Hold2"]);
        Assert.Equal(written, VoucherXml.Write(read.Value));
    }

    [Fact]
    public void Whitespace_between_elements_comments_and_CDATA_are_accepted()
    {
        var text = Samples.FromGbk(VoucherXml.Write(Samples.Payment()))
            .Replace("encoding=\"GBK\"?>", "encoding=\"gbk\"?>\n", StringComparison.Ordinal)
            .Replace("<VoucherNo>", "\n  <!-- note -->\n  <VoucherNo>", StringComparison.Ordinal)
            .Replace("<DetailList>", "\n  <DetailList>\n  ", StringComparison.Ordinal)
            .Replace(">芒市财政局<", "><![CDATA[芒市财政局]]><", StringComparison.Ordinal)
            + "\n";

        var read = VoucherXml.Read(Samples.ToGbk(text));

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        Assert.Equal("芒市财政局", read.Value["AgencyName"]);
        Assert.Equal(VoucherXml.Write(Samples.Payment()), VoucherXml.Write(read.Value));
    }

    [Fact]
    public void A_message_declared_GB18030_is_read_when_every_character_is_in_GBK()
    {
        var text = Samples.FromGbk(VoucherXml.Write(Samples.Payment())).Replace("encoding=\"GBK\"", "encoding=\"GB18030\"", StringComparison.Ordinal);

        var read = VoucherXml.Read(Samples.ToGbk(text));

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
    }

    [Fact]
    public void The_error_reads_as_a_sentence_naming_voucher_field_and_amounts()
    {
        var voucher = Samples.Payment().WithDetails([Samples.Detail("9.00")]);

        var error = Samples.SingleError(VoucherXml.Read(VoucherXml.Write(voucher)), WireErrorCode.Content);

        Assert.Equal(
            "Content/TotalMismatch in voucher 8202/533103/2026/X1 field PayAmt: the header total 10.00 differs from the sum of the details 9.00",
            error.ToString());
    }

    [Fact]
    public void Value_of_a_failed_result_throws_listing_the_errors()
    {
        var result = VoucherXml.Read("not xml"u8);

        var error = Assert.Throws<InvalidOperationException>(() => result.Value);

        Assert.Contains("Malformed", error.Message, StringComparison.Ordinal);
    }
}
