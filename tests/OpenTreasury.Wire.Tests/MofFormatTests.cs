using System.Text;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire.Tests;

public class MofFormatTests
{
    private const string Declaration = """<?xml version="1.0" encoding="GBK"?>""";

    private static readonly string s_inner = Convert.ToBase64String(VoucherXml.Write(Samples.Payment()));

    /// <summary>An envelope as text, for inputs <see cref="MofFormat.Write"/> would refuse to produce.</summary>
    private static byte[] Envelope(int count, params string[] bodies) =>
        Samples.ToGbk($"{Declaration}<MOF><VoucherCount>{count}</VoucherCount>{string.Concat(bodies)}</MOF>");

    private static string BodyText(
        string attributes = """AdmDivCode="533103" StYear="2026" VtCode="8202" VoucherNo="X1" Version="1" """,
        string flag = "0", string attach = "note", string? voucher = null, string stamps = "") =>
        $"<VoucherBody {attributes}><VoucherFlag>{flag}</VoucherFlag><Attach>{attach}</Attach><Voucher>{voucher ?? s_inner}</Voucher>{stamps}</VoucherBody>";

    private static void AssertSameBodies(MofEnvelope expected, MofEnvelope actual)
    {
        Assert.Equal(expected.Bodies.Count, actual.Bodies.Count);
        foreach (var (e, a) in expected.Bodies.Zip(actual.Bodies))
        {
            Assert.Equal((e.Key, e.Version, e.Flag, e.Attach), (a.Key, a.Version, a.Flag, a.Attach));
            Assert.Equal(e.InnerVoucher, a.InnerVoucher);
            Assert.Equal(e.Stamps.Select(s => s.Position), a.Stamps.Select(s => s.Position));
            Assert.Equal(e.Stamps.Select(s => s.Der), a.Stamps.Select(s => s.Der));
        }
    }

    [Fact]
    public void An_envelope_is_written_byte_for_byte()
    {
        var body = new VoucherBody(Samples.Key, 1, VoucherFlag.Voucher, "note", Samples.ToGbk("<v/>"), [new WireStamp("cz_qm", [1, 2, 3])]);

        var bytes = MofFormat.Write(new MofEnvelope([body]));

        const string expected = Declaration
            + """<MOF><VoucherCount>1</VoucherCount><VoucherBody AdmDivCode="533103" StYear="2026" VtCode="8202" VoucherNo="X1" Version="1">"""
            + """<VoucherFlag>0</VoucherFlag><Attach>note</Attach><Voucher>PHYvPg==</Voucher>"""
            + """<Stamps><Stamp Position="cz_qm">AQID</Stamp></Stamps></VoucherBody></MOF>""";
        Assert.Equal(Samples.ToGbk(expected), bytes);
    }

    [Fact]
    public void An_envelope_without_stamps_omits_the_Stamps_element_and_stays_standard()
    {
        var bytes = MofFormat.Write(new MofEnvelope([Samples.Body(Samples.Payment())]));

        Assert.DoesNotContain("Stamps", Samples.FromGbk(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_then_reading_an_envelope_is_lossless_and_writing_is_deterministic()
    {
        var reply = Samples.Payment("X2").With("AgencyName", "德宏州芒市财政局");
        var envelope = new MofEnvelope(
        [
            Samples.Body(Samples.Payment(), Samples.Stamp("cz_qm"), Samples.Stamp("cz_ywzyz", 4000, 7)),
            new VoucherBody(reply.Key, 3, VoucherFlag.Reply, "退回：金额 < 余额 & 账户有误", VoucherXml.Write(reply), []),
        ]);

        var bytes = MofFormat.Write(envelope);
        var read = MofFormat.Read(bytes);

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        AssertSameBodies(envelope, read.Value);
        Assert.Equal(bytes, MofFormat.Write(read.Value));
        Assert.Equal(bytes, MofFormat.Write(envelope));
    }

    [Fact]
    public void Opening_a_body_gives_back_the_voucher()
    {
        var voucher = Samples.Payment();

        var opened = MofFormat.OpenBody(MofFormat.Read(MofFormat.Write(new MofEnvelope([Samples.Body(voucher)]))).Value.Bodies[0]);

        Assert.True(opened.IsSuccess, string.Join("; ", opened.Errors));
        Assert.Equal(voucher.Header, opened.Value.Header);
        Assert.Equal("2.50", opened.Value.Details[1]["PayAmt"]);
    }

    [Fact]
    public void A_standard_envelope_without_Version_and_Stamps_reads_as_version_1_without_stamps()
    {
        var text = Envelope(1, BodyText(attributes: """AdmDivCode="533103" StYear="2026" VtCode="8202" VoucherNo="X1" """));

        var body = Assert.Single(MofFormat.Read(text).Value.Bodies);

        Assert.Equal((1, 0), (body.Version, body.Stamps.Count));
    }

    [Fact]
    public void Pretty_printed_envelopes_are_read()
    {
        var text = Samples.ToGbk($"{Declaration}\r\n<MOF>\r\n  <VoucherCount>1</VoucherCount>\r\n  {BodyText(stamps: "\r\n  <Stamps>\r\n    <Stamp Position=\"cz_qm\">AQID</Stamp>\r\n  </Stamps>\r\n")}\r\n</MOF>\r\n");

        var read = MofFormat.Read(text);

        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        Assert.Equal([1, 2, 3], read.Value.Bodies[0].Stamps[0].Der);
    }

    [Fact]
    public void A_VoucherCount_that_differs_from_the_bodies_is_a_count_mismatch() =>
        Samples.SingleError(MofFormat.Read(Envelope(2, BodyText())), WireErrorCode.CountMismatch);

    [Fact]
    public void An_envelope_with_no_body_is_malformed() =>
        Samples.SingleError(MofFormat.Read(Envelope(0)), WireErrorCode.Malformed);

    [Fact]
    public void More_bodies_than_the_limit_are_too_many()
    {
        var bodies = Enumerable.Repeat(BodyText(), Limits.EnvelopeVouchersMax + 1).ToArray();

        Samples.SingleError(MofFormat.Read(Envelope(Limits.EnvelopeVouchersMax + 1, bodies)), WireErrorCode.TooMany);
        Samples.SingleError(MofFormat.Read(Envelope(Limits.EnvelopeVouchersMax, bodies)), WireErrorCode.TooMany);
    }

    [Fact]
    public void An_oversize_envelope_is_too_large()
    {
        var bytes = new byte[Limits.MessageBytesMax + 1];
        Array.Fill(bytes, (byte)' ');
        Envelope(1, BodyText()).CopyTo(bytes, 0);

        Samples.SingleError(MofFormat.Read(bytes), WireErrorCode.TooLarge);
    }

    [Theory]
    [InlineData("@@@@")]
    [InlineData("PHYvPg=")]
    [InlineData("PHYv Pg==")]
    [InlineData("PHYv\nPg==")]
    [InlineData("PHYvPh==")] // Non-zero padding bits: decodes, but would not write back the same.
    [InlineData("")]
    public void Voucher_content_that_is_not_strict_base64_is_invalid(string base64)
    {
        var error = Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(voucher: base64))), WireErrorCode.InvalidBase64);

        Assert.Equal((Samples.Label, "Voucher"), (error.Voucher, error.Field));
    }

    [Fact]
    public void A_stamp_that_is_not_base64_is_invalid() =>
        Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(stamps: """<Stamps><Stamp Position="cz_qm">AQI*</Stamp></Stamps>"""))), WireErrorCode.InvalidBase64);

    [Theory]
    [InlineData("AdmDivCode", "53310")]
    [InlineData("StYear", "1999")]
    [InlineData("VtCode", "82O2")]
    [InlineData("VoucherNo", "X 1")]
    [InlineData("Version", "0")]
    [InlineData("Version", "01")]
    public void A_bad_body_attribute_is_an_error_naming_body_and_attribute(string attribute, string value)
    {
        var values = new Dictionary<string, string>
        {
            ["AdmDivCode"] = "533103",
            ["StYear"] = "2026",
            ["VtCode"] = "8202",
            ["VoucherNo"] = "X1",
            ["Version"] = "1",
        };
        values[attribute] = value;
        var attributes = string.Join(" ", values.Select(a => $"{a.Key}=\"{a.Value}\""));

        var result = MofFormat.Read(Envelope(1, BodyText(attributes: attributes)));

        var error = Samples.SomeError(result, WireErrorCode.InvalidAttribute);
        Assert.Equal(attribute, error.Field);
        Assert.StartsWith(attribute == "Version" ? "8202/" : "body 1", error.Voucher, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_attribute_is_invalid()
    {
        var error = Samples.SingleError(
            MofFormat.Read(Envelope(1, BodyText(attributes: """AdmDivCode="533103" StYear="2026" VtCode="8202" """))), WireErrorCode.InvalidAttribute);

        Assert.Equal(("body 1", "VoucherNo"), (error.Voucher, error.Field));
    }

    [Theory]
    [InlineData("2")]
    [InlineData("")]
    [InlineData("01")]
    public void A_voucher_flag_other_than_0_or_1_is_malformed(string flag) =>
        Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(flag: flag))), WireErrorCode.Malformed);

    [Fact]
    public void An_Attach_longer_than_the_limit_is_too_large() =>
        Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(attach: new string('因', Limits.ReasonLengthMax + 1)))), WireErrorCode.TooLarge);

    [Fact]
    public void Body_children_out_of_order_are_unexpected()
    {
        var text = Envelope(1, $"""<VoucherBody AdmDivCode="533103" StYear="2026" VtCode="8202" VoucherNo="X1"><Voucher>{s_inner}</Voucher><VoucherFlag>0</VoucherFlag></VoucherBody>""");

        Samples.SingleError(MofFormat.Read(text), WireErrorCode.UnexpectedElement);
    }

    [Fact]
    public void A_body_without_its_voucher_is_malformed()
    {
        var text = Envelope(1, """<VoucherBody AdmDivCode="533103" StYear="2026" VtCode="8202" VoucherNo="X1"><VoucherFlag>0</VoucherFlag></VoucherBody>""");

        var error = Samples.SingleError(MofFormat.Read(text), WireErrorCode.Malformed);

        Assert.Equal("Voucher", error.Field);
    }

    [Fact]
    public void A_body_whose_attributes_differ_from_its_inner_voucher_is_a_body_mismatch()
    {
        var body = Samples.Body(Samples.Payment()) with { Key = Samples.Key with { VoucherNo = VoucherNo.Parse("X2") } };
        var read = MofFormat.Read(MofFormat.Write(new MofEnvelope([body])));

        var error = Samples.SingleError(MofFormat.OpenBody(read.Value.Bodies[0]), WireErrorCode.BodyMismatch);

        Assert.Equal(("8202/533103/2026/X2", "VoucherNo"), (error.Voucher, error.Field));
    }

    [Fact]
    public void Opening_a_body_reports_the_inner_voucher_content_errors()
    {
        var body = Samples.Body(Samples.Payment().With("PayAmt", "10.001"));

        var error = Samples.SingleError(MofFormat.OpenBody(body), WireErrorCode.Content);

        Assert.Equal(VoucherProblemCode.InvalidAmount, error.Problem);
    }

    [Fact]
    public void Two_stamps_at_one_position_are_a_duplicate()
    {
        var stamps = """<Stamps><Stamp Position="cz_qm">AQID</Stamp><Stamp Position="cz_qm">BAUG</Stamp></Stamps>""";

        var error = Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(stamps: stamps))), WireErrorCode.DuplicateStamp);

        Assert.Equal(Samples.Label, error.Voucher);
    }

    [Theory]
    [InlineData("CZ_QM")]
    [InlineData("cz")]
    [InlineData("c_qm")]
    [InlineData("cz_qm_a_b_c")]
    [InlineData("cz-qm")]
    [InlineData("cz_qm&#xA;")]
    [InlineData("")]
    public void A_stamp_position_not_like_cz_qm_is_invalid(string position) =>
        Samples.SingleError(
            MofFormat.Read(Envelope(1, BodyText(stamps: $"""<Stamps><Stamp Position="{position}">AQID</Stamp></Stamps>"""))),
            WireErrorCode.InvalidStampPosition);

    [Fact]
    public void More_stamps_than_the_limit_are_too_many()
    {
        var stamps = string.Concat(Enumerable.Range(0, Limits.VoucherStampsMax + 1).Select(i => $"""<Stamp Position="cz_p{(char)('a' + i)}">AQID</Stamp>"""));

        Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(stamps: $"<Stamps>{stamps}</Stamps>"))), WireErrorCode.TooMany);
    }

    [Fact]
    public void A_stamp_larger_than_the_limit_is_too_large()
    {
        var der = Convert.ToBase64String(new byte[Limits.StampBytesMax + 3]);

        Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(stamps: $"""<Stamps><Stamp Position="cz_qm">{der}</Stamp></Stamps>"""))), WireErrorCode.TooLarge);
    }

    [Fact]
    public void An_envelope_declared_UTF8_is_the_wrong_encoding()
    {
        var bytes = Encoding.UTF8.GetBytes(Samples.FromGbk(Envelope(1, BodyText())).Replace("GBK", "UTF-8", StringComparison.Ordinal));

        Samples.SingleError(MofFormat.Read(bytes), WireErrorCode.WrongEncoding);
    }

    [Fact]
    public void An_envelope_with_a_DTD_is_prohibited()
    {
        var text = Samples.FromGbk(Envelope(1, BodyText(attach: "&x;")))
            .Replace("<MOF>", """<!DOCTYPE MOF [<!ENTITY x SYSTEM "http://example.com/x">]><MOF>""", StringComparison.Ordinal);

        Samples.SingleError(MofFormat.Read(Samples.ToGbk(text)), WireErrorCode.DtdProhibited);
    }

    [Fact]
    public void An_unknown_element_in_the_envelope_is_unexpected() =>
        Samples.SingleError(MofFormat.Read(Envelope(1, BodyText(stamps: "<Extra/>"))), WireErrorCode.UnexpectedElement);

    [Fact]
    public void Writing_refuses_what_reading_would_reject()
    {
        var body = Samples.Body(Samples.Payment());

        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Stamps = [Samples.Stamp("cz_qm"), Samples.Stamp("cz_qm")] }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Stamps = [Samples.Stamp("CZ")] }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Version = 0 }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Attach = "😀" }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Attach = new string('a', Limits.ReasonLengthMax + 1) }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Key = default }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope([body with { Flag = (VoucherFlag)2 }])));
        _ = Assert.Throws<ArgumentException>(() => MofFormat.Write(new MofEnvelope(Enumerable.Repeat(body, Limits.EnvelopeVouchersMax + 1).ToList())));
    }

    [Fact]
    public void Random_corruptions_of_an_envelope_never_throw()
    {
        var valid = MofFormat.Write(new MofEnvelope([Samples.Body(Samples.Payment(), Samples.Stamp("cz_qm"))]));
        var random = new Random(533103);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var c = random.Next(1, 4); c > 0; c--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var result = MofFormat.Read(bytes.AsSpan(0, random.Next(4) == 0 ? random.Next(bytes.Length) : bytes.Length));

            if (result.IsSuccess)
            {
                foreach (var body in result.Value.Bodies)
                {
                    _ = MofFormat.OpenBody(body);
                }
            }
        }
    }
}
