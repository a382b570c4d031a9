namespace OpenTreasury.Wire.Tests;

/// <summary>The envelope rules a hostile sender tries: one voucher many times, a namespaced root.</summary>
public sealed class EnvelopeRulesTests
{
    [Fact]
    public void The_same_voucher_twice_in_one_envelope_is_refused_as_DuplicateBody()
    {
        var body = Samples.Body(Samples.Payment(), Samples.Stamp("cz_qm"));
        var bytes = MofFormat.Write(new MofEnvelope([.. Enumerable.Repeat(body, 66)]));

        var error = Samples.SingleError(MofFormat.Read(bytes), WireErrorCode.DuplicateBody);

        Assert.Contains("66 times", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_versions_of_one_voucher_may_travel_together()
    {
        var voucher = Samples.Body(Samples.Payment(), Samples.Stamp("cz_qm"));
        var reply = voucher with { Version = 2, Flag = VoucherFlag.Reply };

        Assert.True(MofFormat.Read(MofFormat.Write(new MofEnvelope([voucher, reply]))).IsSuccess);
    }

    [Fact]
    public void A_namespace_qualified_root_is_named_with_its_namespace()
    {
        var text = Samples.FromGbk(MofFormat.Write(new MofEnvelope([Samples.Body(Samples.Payment())])));
        var namespaced = Samples.ToGbk(text.Replace("<MOF>", "<MOF xmlns=\"urn:evil\">", StringComparison.Ordinal));

        var error = Samples.SingleError(MofFormat.Read(namespaced), WireErrorCode.UnexpectedElement);

        Assert.Contains("in namespace 'urn:evil'", error.Message, StringComparison.Ordinal);
    }
}
