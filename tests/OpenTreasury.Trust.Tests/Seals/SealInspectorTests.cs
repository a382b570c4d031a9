using OpenTreasury.Trust.Seals;

using static OpenTreasury.Trust.Tests.Seals.SealWorld;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Seals;

public class SealInspectorTests
{
    private static readonly DateTimeOffset s_today = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_ofdrw_signed_seal_is_reported_field_by_field_with_both_signatures_valid()
    {
        var inspection = SealInspector.Inspect(OfdrwFixtureTests.SignedValueV4, new SealInspectionContext(s_today));

        Assert.Null(inspection.Error);
        Assert.Equal(SealInspector.SignedSealKind, inspection.Kind);
        Assert.Equal(SealFormat.V4, inspection.Format);
        var fields = inspection.Fields.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("4", fields["TBS_Sign version"]);
        Assert.Equal("2020-10-12 11:14:03Z", fields["signing time (timeInfo)"]);
        Assert.Equal("/Doc_0/Signs/Sign_0/Signature.xml", fields["propertyInfo"]);
        Assert.Equal("OFDR&WTest", fields["vendor id"]);
        Assert.Equal("OFD R&W 测试用印章", fields["seal name"]);
        Assert.Equal("51f044b76510434e9bc67a1185c2fba5", fields["esID"]);
        Assert.Equal("PNG", fields["picture type"]);
        Assert.Equal("40 × 40 mm", fields["picture size"]);
        Assert.Equal("absent", fields["timestamp"]);
        Assert.Equal(64, fields["data hash"].Length);
        Assert.Contains("signer certificate subject", fields.Keys);
        Assert.Contains("maker certificate issuer", fields.Keys);
        Assert.Contains("signer 1 in the seal serial", fields.Keys);
        Assert.Equal("PNG", inspection.Picture?.Type);

        var verdicts = inspection.Verdicts.ToDictionary(v => v.What, v => v.Verdict);
        Assert.StartsWith("mathematically valid", verdicts["signer signature over TBS_Sign"], StringComparison.Ordinal);
        Assert.StartsWith("mathematically valid", verdicts["maker signature over the seal info"], StringComparison.Ordinal);
        Assert.Equal("not checked: no original data given", verdicts["data hash"]);
        Assert.Equal("not checked: no trust anchor given", verdicts["signer certificate, chain and revocation"]);
        Assert.Equal("not checked: no trust anchor given", verdicts["maker certificate, chain and revocation"]);
        Assert.StartsWith("EXPIRED", verdicts["signer certificate, validity at 2026-03-02 00:00:00Z"], StringComparison.Ordinal);
        Assert.StartsWith("EXPIRED", verdicts["maker certificate, validity at 2026-03-02 00:00:00Z"], StringComparison.Ordinal);
        Assert.StartsWith("within its validity", verdicts["signer certificate, validity at the signing time (2020-10-12 11:14:03Z)"], StringComparison.Ordinal);
        Assert.Equal("yes", verdicts["signer listed in the seal"]);
    }

    [Fact]
    public void The_ofdrw_seal_alone_is_reported_with_its_maker_signature_valid_and_certificates_expired()
    {
        var inspection = SealInspector.Inspect(OfdrwFixtureTests.UserV4, new SealInspectionContext(s_today));

        Assert.Equal(SealInspector.SealKind, inspection.Kind);
        var verdicts = inspection.Verdicts.ToDictionary(v => v.What, v => v.Verdict);
        Assert.StartsWith("mathematically valid", verdicts["maker signature over the seal info"], StringComparison.Ordinal);
        Assert.StartsWith("EXPIRED", verdicts["maker certificate, validity at 2026-03-02 00:00:00Z"], StringComparison.Ordinal);
        Assert.StartsWith("EXPIRED", verdicts["signer 1 in the seal, validity at 2026-03-02 00:00:00Z"], StringComparison.Ordinal);
    }

    [Fact]
    public void Our_stamp_with_its_data_and_a_validator_is_reported_valid_throughout()
    {
        var stamp = Stamp();

        var inspection = SealInspector.Inspect(stamp.Der, new SealInspectionContext(Now, new FakeValidator(), Data, new FakeTimestampVerifier()));

        var verdicts = inspection.Verdicts.ToDictionary(v => v.What, v => v.Verdict);
        Assert.Equal("matches SM3 of the data given", verdicts["data hash"]);
        Assert.StartsWith("valid, time", verdicts["timestamp"], StringComparison.Ordinal);
        Assert.Equal("valid", verdicts[$"signer certificate, chain and revocation at {Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"]);
        Assert.DoesNotContain(inspection.Verdicts, v => v.Verdict.Contains("INVALID", StringComparison.Ordinal) || v.Verdict.Contains("NOT", StringComparison.Ordinal));
    }

    [Fact]
    public void Altered_data_and_garbage_are_reported_plainly()
    {
        var altered = SealInspector.Inspect(Stamp().Der, new SealInspectionContext(Now, Data: [1, 2, 3]));
        var garbage = SealInspector.Inspect([0x30, 0x03, 0x02, 0x01, 0x01], new SealInspectionContext(Now));

        Assert.StartsWith("DOES NOT MATCH", altered.Verdicts.Single(v => v.What == "data hash").Verdict, StringComparison.Ordinal);
        Assert.NotNull(garbage.Error);
        Assert.Empty(garbage.Fields);
    }
}
