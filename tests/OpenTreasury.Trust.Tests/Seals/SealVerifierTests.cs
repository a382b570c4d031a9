using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;

using Org.BouncyCastle.Asn1;

using static OpenTreasury.Trust.Tests.Seals.SealWorld;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Seals;

/// <summary>A genuine stamp verifies; each attack is refused with exactly its own code.</summary>
public class SealVerifierTests
{
    private static readonly SealSignature s_stamp = Stamp();

    [Fact]
    public void A_stamp_made_encoded_and_parsed_back_verifies()
    {
        Assert.True(SealSignature.TryParse(s_stamp.Der, out var parsed, out var error), error);
        var validator = new FakeValidator();

        var check = Verifier(validator).Verify(Data, parsed.Der, Property);

        Assert.Equal(StampFailure.None, check.Failure);
        Assert.True(check.IsValid, check.Message);
        Assert.Equal(Seal.Info.Property.Name, check.SealName);
        Assert.Equal(Seal.Info.EsId, check.EsId);
        Assert.Equal(Signer.Certificate.SubjectDN.ToString(), check.SignerSubject);
        Assert.Equal(Now, check.SigningTime);
        Assert.Equal(Now, check.TimestampTime);
        Assert.Contains(Seal.Info.Property.Name, check.Message, StringComparison.Ordinal);
        Assert.Contains((Maker.Certificate, Now, CertificateUse.Institution), validator.Calls);
        Assert.Contains((Signer.Certificate, Now, CertificateUse.Person), validator.Calls);
    }

    [Fact]
    public void A_stamp_made_is_V4_with_SM3_of_the_data_and_the_timestamp_tagged()
    {
        Assert.Equal(SealFormat.V4, s_stamp.Format);
        Assert.Equal(SealSignature.VersionV4, s_stamp.Version);
        Assert.Equal(Sm3.Hash(Data), s_stamp.DataHash);
        Assert.Equal(Seal.Der, s_stamp.Seal.Der);
        var outer = (Asn1Sequence)Asn1Object.FromByteArray(s_stamp.Der);
        Assert.Equal(5, outer.Count);
        var tagged = Assert.IsAssignableFrom<Asn1TaggedObject>(outer[4]);
        Assert.Equal(0, tagged.TagNo);
        Assert.Equal(s_stamp.TimeStamp, ((DerBitString)tagged.GetExplicitBaseObject()).GetOctets());
    }

    [Fact]
    public void A_signer_certificate_valid_only_as_an_institution_is_accepted()
    {
        var validator = new FakeValidator();
        validator.WrongUse.Add((Signer.Certificate.SerialNumber, CertificateUse.Person));

        Assert.Equal(StampFailure.None, Verifier(validator).Verify(Data, s_stamp.Der, Property).Failure);
    }

    [Fact]
    public void Without_a_required_timestamp_an_untimestamped_stamp_verifies()
    {
        var bare = Strip(s_stamp);

        Assert.Equal(StampFailure.None, Verifier().Verify(Data, bare, Property, requireTimestamp: false).Failure);
    }

    public static TheoryData<string, StampFailure> Attacks => new()
    {
        { "data byte changed", StampFailure.DataHashMismatch },
        { "TBS version changed", StampFailure.SignatureInvalid },
        { "TBS timeInfo changed", StampFailure.SignatureInvalid },
        { "TBS dataHash changed with the data", StampFailure.SignatureInvalid },
        { "TBS propertyInfo changed", StampFailure.SignatureInvalid },
        { "signer certificate swapped", StampFailure.SignatureInvalid },
        { "signature bit flipped", StampFailure.SignatureInvalid },
        { "seal name changed", StampFailure.SealSignatureInvalid },
        { "seal esID changed", StampFailure.SealSignatureInvalid },
        { "seal validEnd changed", StampFailure.SealSignatureInvalid },
        { "seal picture changed", StampFailure.SealSignatureInvalid },
        { "seal cert list changed", StampFailure.SealSignatureInvalid },
        { "maker signature bit flipped", StampFailure.SealSignatureInvalid },
        { "unauthorised maker", StampFailure.MakerNotAuthorized },
        { "maker certificate revoked", StampFailure.MakerCertificateInvalid },
        { "seal expired at signing time", StampFailure.SealNotValidAtSigningTime },
        { "signer not listed in the seal", StampFailure.SignerNotInSeal },
        { "signer certificate revoked", StampFailure.SignerCertificateInvalid },
        { "position not allowed", StampFailure.PositionNotAllowed },
        { "seal revoked", StampFailure.SealRevoked },
        { "timestamp stripped", StampFailure.TimestampMissing },
        { "foreign timestamp", StampFailure.TimestampInvalid },
        { "timestamp 11 minutes after timeInfo", StampFailure.TimestampMismatch },
        { "signer algorithm OID changed", StampFailure.UnsupportedAlgorithm },
        { "maker algorithm OID changed", StampFailure.UnsupportedAlgorithm },
        { "signer certificate not X.509", StampFailure.Malformed },
        { "truncated DER", StampFailure.Malformed },
        { "trailing byte", StampFailure.Malformed },
        { "garbage", StampFailure.Malformed },
        { "empty", StampFailure.Malformed },
        { "deeply nested", StampFailure.Malformed },
        { "V5 seal", StampFailure.UnsupportedVersion },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Each_attack_is_refused_with_its_own_code(string attack, StampFailure expected)
    {
        var validator = new FakeValidator();
        var authorised = true;
        StampRefusal? refusal = null;
        var data = Data;
        var s = s_stamp;
        byte[] der;
        switch (attack)
        {
            case "data byte changed":
                data = [.. Data];
                data[5] ^= 1;
                der = s.Der;
                break;
            case "TBS version changed":
                der = Rebuild(s, version: 3);
                break;
            case "TBS timeInfo changed":
                der = Rebuild(s, time: s.TimeInfo.AddMinutes(-1));
                break;
            case "TBS dataHash changed with the data":
                data = "<Voucher><Amount>9234.50</Amount></Voucher>"u8.ToArray();
                der = Rebuild(s, hash: Sm3.Hash(data));
                break;
            case "TBS propertyInfo changed":
                der = Rebuild(s, property: "520100260302000002:yh_stamp1");
                break;
            case "signer certificate swapped":
                der = SealSignature.Encode(s.ToSignDer, Stranger.Certificate.GetEncoded(), s.SignatureAlgorithmOid, s.Signature, s.TimeStamp);
                break;
            case "signature bit flipped":
                der = SealSignature.Encode(s.ToSignDer, s.SignerCertificate, s.SignatureAlgorithmOid, Flip(s.Signature), s.TimeStamp);
                break;
            case "seal name changed":
                der = Restamped(Seal.Info with { Property = Seal.Info.Property with { Name = "某市财政局" } });
                break;
            case "seal esID changed":
                der = Restamped(Seal.Info with { EsId = "5201000000000002" });
                break;
            case "seal validEnd changed":
                der = Restamped(Seal.Info with { Property = Seal.Info.Property with { ValidEnd = Now.AddYears(20) } });
                break;
            case "seal picture changed":
                der = Restamped(Seal.Info with { Picture = Seal.Info.Picture with { Data = [0x89, (byte)'P', (byte)'N', (byte)'G', 9] } });
                break;
            case "seal cert list changed":
                der = Restamped(Seal.Info with { Property = Seal.Info.Property with { Certificates = [Signer.Certificate.GetEncoded(), Stranger.Certificate.GetEncoded()] } }, Stranger);
                break;
            case "maker signature bit flipped":
                der = Stamp(Parse(ElectronicSeal.Encode(Seal.Info, Seal.MakerCertificate, Seal.SignatureAlgorithmOid, Flip(Seal.SignatureValue)))).Der;
                break;
            case "unauthorised maker":
                authorised = false;
                der = s.Der;
                break;
            case "maker certificate revoked":
                validator.Revoked.Add(Maker.Certificate.SerialNumber);
                der = s.Der;
                break;
            case "seal expired at signing time":
                der = Stamp(SealMaker.Make(Info(validEnd: Now.AddMinutes(-1)), Maker.Certificate, Maker.PrivateKey, Rng)).Der;
                break;
            case "signer not listed in the seal":
                der = Stamp(signer: Stranger).Der;
                break;
            case "signer certificate revoked":
                validator.Revoked.Add(Signer.Certificate.SerialNumber);
                der = s.Der;
                break;
            case "position not allowed":
                refusal = new StampRefusal(StampFailure.PositionNotAllowed, "ICBC may not stamp yh_stamp1");
                der = s.Der;
                break;
            case "seal revoked":
                refusal = new StampRefusal(StampFailure.SealRevoked, "the seal was revoked on 2026-03-01");
                der = s.Der;
                break;
            case "timestamp stripped":
                der = Strip(s);
                break;
            case "foreign timestamp":
                der = SealSignature.Encode(s.ToSignDer, s.SignerCertificate, s.SignatureAlgorithmOid, s.Signature, Stamp().TimeStamp);
                break;
            case "timestamp 11 minutes after timeInfo":
                der = Stamp(tsa: new FakeTsa(Now.AddMinutes(11))).Der;
                break;
            case "signer algorithm OID changed":
                der = SealSignature.Encode(s.ToSignDer, s.SignerCertificate, "1.2.156.10197.1.502", s.Signature, s.TimeStamp);
                break;
            case "maker algorithm OID changed":
                der = Stamp(Parse(ElectronicSeal.Encode(Seal.Info, Seal.MakerCertificate, "1.2.156.10197.1.502", Seal.SignatureValue))).Der;
                break;
            case "signer certificate not X.509":
                der = SealSignature.Encode(s.ToSignDer, [0x30, 0x03, 0x02, 0x01, 0x01], s.SignatureAlgorithmOid, s.Signature, s.TimeStamp);
                break;
            case "truncated DER":
                der = s.Der[..^10];
                break;
            case "trailing byte":
                der = [.. s.Der, 0];
                break;
            case "garbage":
                der = new byte[512];
                Rng.NextBytes(der);
                break;
            case "empty":
                der = [];
                break;
            case "deeply nested":
                der = Nested(5_000);
                break;
            case "V5 seal":
                der = Rebuild(s, sealDer: new DerSequence(
                    ((Asn1Sequence)Asn1Object.FromByteArray(Seal.Der)).Cast<Asn1Encodable>().Append(new DerTaggedObject(true, 0, new DerBitString([1]))).ToArray()).GetEncoded(Asn1Encodable.Der));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, "no such attack");
        }

        var check = Verifier(validator, _ => authorised).Verify(data, der, Property, _ => refusal);

        Assert.Equal(expected, check.Failure);
        Assert.False(check.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(check.Message));
    }

    [Fact]
    public void A_stamp_moved_to_another_position_is_refused_as_a_property_mismatch()
    {
        var check = Verifier().Verify(Data, s_stamp.Der, "520100260302000001:yh_stamp2");

        Assert.Equal(StampFailure.PropertyMismatch, check.Failure);
        Assert.Contains("yh_stamp2", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_signer_message_carries_the_certificate_failure()
    {
        var validator = new FakeValidator();
        validator.Revoked.Add(Signer.Certificate.SerialNumber);

        var check = Verifier(validator).Verify(Data, s_stamp.Der, Property);

        Assert.Equal(StampFailure.SignerCertificateInvalid, check.Failure);
        Assert.Contains(nameof(CertificateFailure.Revoked), check.Message, StringComparison.Ordinal);
        Assert.Contains(Seal.Info.EsId, check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seal_listing_signer_digests_accepts_the_listed_signer_by_sm3_or_sha256()
    {
        var signerDer = Signer.Certificate.GetEncoded();
        foreach (var (name, digest) in new[] { ("sm3", Sm3.Hash(signerDer)), ("SHA-256", System.Security.Cryptography.SHA256.HashData(signerDer)) })
        {
            var info = SealWorld.Info() with
            {
                Property = SealWorld.Info().Property with { CertListType = SealProperty.CertListDigests, Certificates = [], CertDigests = [new SealCertDigest(name, digest)] },
            };
            var seal = SealMaker.Make(info, Maker.Certificate, Maker.PrivateKey, Rng);

            Assert.Equal(StampFailure.None, Verifier().Verify(Data, Stamp(seal).Der, Property).Failure);
            Assert.Equal(StampFailure.SignerNotInSeal, Verifier().Verify(Data, Stamp(seal, Stranger).Der, Property).Failure);
        }
    }

    [Fact]
    public void A_timestamp_without_a_configured_verifier_is_refused_when_required()
    {
        var verifier = new SealVerifier(new FakeValidator(), null, _ => true);

        Assert.Equal(StampFailure.TimestampInvalid, verifier.Verify(Data, s_stamp.Der, Property).Failure);
        Assert.Equal(StampFailure.None, verifier.Verify(Data, s_stamp.Der, Property, requireTimestamp: false).Failure);
    }

    private static byte[] Rebuild(SealSignature s, int? version = null, DateTimeOffset? time = null, byte[]? hash = null, string? property = null, byte[]? sealDer = null) =>
        SealSignature.Encode(
            SealSignature.EncodeToSign(version ?? s.Version, sealDer ?? s.Seal.Der, time ?? s.TimeInfo, hash ?? s.DataHash, property ?? s.PropertyInfo),
            s.SignerCertificate,
            s.SignatureAlgorithmOid,
            s.Signature,
            s.TimeStamp);

    /// <summary>The seal with altered info and the maker's original signature, stamped anew by a listed signer.</summary>
    private static byte[] Restamped(SealInfo altered, OpenTreasury.Trust.Certificates.NodeCredential? signer = null) =>
        Stamp(Parse(ElectronicSeal.Encode(altered, Seal.MakerCertificate, Seal.SignatureAlgorithmOid, Seal.SignatureValue)), signer).Der;

    private static ElectronicSeal Parse(byte[] der) =>
        ElectronicSeal.TryParse(der, out var seal, out var error) ? seal : throw new InvalidOperationException(error);

    private static byte[] Strip(SealSignature s) =>
        SealSignature.Encode(s.ToSignDer, s.SignerCertificate, s.SignatureAlgorithmOid, s.Signature, null);

    private static byte[] Flip(byte[] value)
    {
        var flipped = value.ToArray();
        flipped[^5] ^= 0x10;
        return flipped;
    }

    /// <summary>SEQUENCE { SEQUENCE { … NULL … } }, built without recursion.</summary>
    private static byte[] Nested(int depth)
    {
        byte[] value = [0x05, 0x00];
        for (var i = 0; i < depth; i++)
        {
            var length = value.Length;
            byte[] header = unchecked(length < 0x80 ? [0x30, (byte)length]
                : length < 0x100 ? [0x30, 0x81, (byte)length]
                : length < 0x10000 ? [0x30, 0x82, (byte)(length >> 8), (byte)length]
                : [0x30, 0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
            value = [.. header, .. value];
        }

        return value;
    }
}
