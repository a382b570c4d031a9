using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Seals;

using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Tests.Seals;

/// <summary>Two real V4 files written by another implementation (ofdrw, Java): we read them as it wrote them.</summary>
public class OfdrwFixtureTests
{
    internal static byte[] UserV4 => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Seals", "Fixtures", "UserV4.esl"));

    internal static byte[] SignedValueV4 => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Seals", "Fixtures", "SignedValueV4.dat"));

    [Fact]
    public void The_ofdrw_seal_parses_as_V4_with_the_fields_it_was_made_with()
    {
        Assert.True(ElectronicSeal.TryParse(UserV4, out var seal, out var error), error);

        Assert.Equal(SealFormat.V4, seal.Format);
        Assert.Equal(new SealHeader("ES", 4, "OFDR&WTest"), seal.Info.Header);
        Assert.Equal("51f044b76510434e9bc67a1185c2fba5", seal.Info.EsId);
        var property = seal.Info.Property;
        Assert.Equal(3, property.Type);
        Assert.Equal("OFD R&W 测试用印章", property.Name);
        Assert.Equal(SealProperty.CertListCertificates, property.CertListType);
        Assert.Single(property.Certificates);
        Assert.Equal(new DateTimeOffset(2020, 4, 22, 2, 9, 0, TimeSpan.Zero), property.CreateDate);
        Assert.Equal(new DateTimeOffset(2020, 4, 22, 2, 9, 0, TimeSpan.Zero), property.ValidStart);
        Assert.Equal(new DateTimeOffset(2022, 4, 22, 2, 9, 0, TimeSpan.Zero), property.ValidEnd);
        Assert.Equal("PNG", seal.Info.Picture.Type);
        Assert.Equal((40, 40), (seal.Info.Picture.WidthMm, seal.Info.Picture.HeightMm));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], seal.Info.Picture.Data[..4]);
        Assert.Empty(seal.Info.Extensions);
        Assert.Equal(Sm2.SignatureAlgorithmOid, seal.SignatureAlgorithmOid);
        Assert.Equal(UserV4, seal.Der);
    }

    [Fact]
    public void The_ofdrw_seal_info_reencodes_to_the_bytes_its_maker_signed()
    {
        Assert.True(ElectronicSeal.TryParse(UserV4, out var seal, out var error), error);

        Assert.Equal(seal.SealInfoDer, seal.Info.ToDer());
        Assert.Equal(seal.SealInfoDer, seal.MakerSignedDer);
    }

    [Fact]
    public void The_ofdrw_maker_signature_over_the_seal_info_verifies()
    {
        Assert.True(ElectronicSeal.TryParse(UserV4, out var seal, out var error), error);
        var maker = new X509Certificate(seal.MakerCertificate);

        Assert.True(Sm2.Verify(maker.GetPublicKey(), seal.MakerSignedDer, seal.SignatureValue));
    }

    [Fact]
    public void The_ofdrw_signed_seal_parses_as_V4_and_its_signer_signature_over_TBS_verifies()
    {
        Assert.True(SealSignature.TryParse(SignedValueV4, out var signature, out var error), error);

        Assert.Equal(SealFormat.V4, signature.Format);
        Assert.Equal(4, signature.Version);
        Assert.Equal(UserV4, signature.Seal.Der);
        Assert.Equal(new DateTimeOffset(2020, 10, 12, 11, 14, 3, TimeSpan.Zero), signature.TimeInfo);
        Assert.Equal("/Doc_0/Signs/Sign_0/Signature.xml", signature.PropertyInfo);
        Assert.Equal(Sm3.HashBytes, signature.DataHash.Length);
        Assert.Null(signature.TimeStamp);
        Assert.Equal(Sm2.SignatureAlgorithmOid, signature.SignatureAlgorithmOid);
        var signer = new X509Certificate(signature.SignerCertificate);
        Assert.True(Sm2.Verify(signer.GetPublicKey(), signature.ToSignDer, signature.Signature));
        var maker = new X509Certificate(signature.Seal.MakerCertificate);
        Assert.True(Sm2.Verify(maker.GetPublicKey(), signature.Seal.MakerSignedDer, signature.Seal.SignatureValue));
        Assert.Equal(SignedValueV4, signature.Der);
    }
}
