using System.Diagnostics;

using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Seals;

using Org.BouncyCastle.Asn1;

using Xunit.Abstractions;

using static OpenTreasury.Trust.Tests.Seals.SealWorld;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Seals;

public class SealCodecTests(ITestOutputHelper output)
{
    [Fact]
    public void A_made_seal_encodes_parses_back_and_keeps_every_field()
    {
        var info = Info() with { Extensions = [new SealExtension("1.2.3.4", true, [1, 2]), new SealExtension("1.2.3.5", false, [3])] };
        var seal = SealMaker.Make(info, Maker.Certificate, Maker.PrivateKey, Rng);

        Assert.True(ElectronicSeal.TryParse(seal.Der, out var parsed, out var error), error);

        Assert.Equal(SealFormat.V4, parsed.Format);
        Assert.Equal(info.Header, parsed.Info.Header);
        Assert.Equal(info.EsId, parsed.Info.EsId);
        Assert.Equal(info.Property.Name, parsed.Info.Property.Name);
        Assert.Equal(info.Property.Certificates.Single(), parsed.Info.Property.Certificates.Single());
        Assert.Equal(info.Property.ValidEnd, parsed.Info.Property.ValidEnd);
        Assert.Equal(info.Picture.Data, parsed.Info.Picture.Data);
        Assert.Equal(new[] { ("1.2.3.4", true), ("1.2.3.5", false) }, parsed.Info.Extensions.Select(e => (e.Oid, e.Critical)));
        Assert.Equal(Maker.Certificate.GetEncoded(), parsed.MakerCertificate);
        Assert.True(Sm2.Verify(Maker.Certificate.GetPublicKey(), parsed.SealInfoDer, parsed.SignatureValue));
    }

    [Fact]
    public void Timestamp_and_TBS_extensions_parse_tagged_and_untagged()
    {
        var stamp = Stamp();
        var extensions = new DerSequence(new DerSequence(new DerObjectIdentifier("1.2.3.4"), new DerOctetString([7])));
        var toSign = ((Asn1Sequence)Asn1Object.FromByteArray(stamp.ToSignDer)).Cast<Asn1Encodable>().ToList();
        foreach (var tagged in new[] { true, false })
        {
            var tbs = new DerSequence(toSign.Append(tagged ? new DerTaggedObject(true, 0, extensions) : extensions).ToArray());
            var timeStamp = new DerBitString(stamp.TimeStamp!);
            var der = new DerSequence(
                tbs,
                new DerOctetString(stamp.SignerCertificate),
                new DerObjectIdentifier(stamp.SignatureAlgorithmOid),
                new DerBitString(stamp.Signature),
                tagged ? new DerTaggedObject(true, 0, timeStamp) : timeStamp).GetEncoded(Asn1Encodable.Der);

            Assert.True(SealSignature.TryParse(der, out var parsed, out var error), error);

            Assert.Equal(stamp.TimeStamp, parsed.TimeStamp);
            Assert.Equal("1.2.3.4", parsed.Extensions.Single().Oid);
        }
    }

    [Fact]
    public void A_timestamp_under_another_tag_is_refused()
    {
        var stamp = Stamp();
        var outer = ((Asn1Sequence)Asn1Object.FromByteArray(stamp.Der)).Cast<Asn1Encodable>().Take(4).ToList();
        var der = new DerSequence(outer.Append(new DerTaggedObject(true, 1, new DerBitString(stamp.TimeStamp!))).ToArray()).GetEncoded(Asn1Encodable.Der);

        Assert.False(SealSignature.TryParse(der, out _, out var error));
        Assert.Contains("timeStamp", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_V1_signed_seal_built_by_hand_parses_as_V1_and_verifies()
    {
        var signerDer = Signer.Certificate.GetEncoded();
        var makerDer = Maker.Certificate.GetEncoded();
        var algorithm = new DerObjectIdentifier(Sm2.SignatureAlgorithmOid);
        var sealInfo = new DerSequence(
            new DerSequence(new DerIA5String("ES"), DerInteger.ValueOf(1), new DerIA5String("OpenTreasury")),
            new DerIA5String("5201000000000009"),
            new DerSequence(
                DerInteger.ValueOf(1),
                new DerUtf8String("某市财政局国库支付专用章"),
                new DerSequence(new DerOctetString(signerDer)),
                new DerUtcTime(Now.AddDays(-1).UtcDateTime, 2049),
                new DerUtcTime(Now.AddDays(-1).UtcDateTime, 2049),
                new DerUtcTime(Now.AddDays(30).UtcDateTime, 2049)),
            new DerSequence(new DerIA5String("GIF"), new DerOctetString([0x47, 0x49, 0x46]), DerInteger.ValueOf(42), DerInteger.ValueOf(42)));
        var makerSigned = new DerSequence(sealInfo, new DerOctetString(makerDer), algorithm).GetEncoded(Asn1Encodable.Der);
        var seal = new DerSequence(
            sealInfo,
            new DerSequence(new DerOctetString(makerDer), algorithm, new DerBitString(Sm2.Sign(Maker.PrivateKey, makerSigned, Rng))));
        var tbs = new DerSequence(
            DerInteger.ValueOf(1),
            seal,
            new DerBitString(new DerUtcTime(Now.UtcDateTime, 2049).GetEncoded(Asn1Encodable.Der)),
            new DerBitString(Sm3.Hash(Data)),
            new DerIA5String(Property),
            new DerOctetString(signerDer),
            algorithm);
        var der = new DerSequence(tbs, new DerBitString(Sm2.Sign(Signer.PrivateKey, tbs.GetEncoded(Asn1Encodable.Der), Rng))).GetEncoded(Asn1Encodable.Der);

        Assert.True(SealSignature.TryParse(der, out var parsed, out var error), error);
        Assert.True(ElectronicSeal.TryParse(seal.GetEncoded(Asn1Encodable.Der), out var parsedSeal, out error), error);

        Assert.Equal(SealFormat.V1, parsed.Format);
        Assert.Equal(SealFormat.V1, parsed.Seal.Format);
        Assert.Equal(SealFormat.V1, parsedSeal.Format);
        Assert.Equal(1, parsed.Version);
        Assert.Equal(Now, parsed.TimeInfo);
        Assert.Equal("某市财政局国库支付专用章", parsed.Seal.Info.Property.Name);
        Assert.Equal(SealProperty.CertListCertificates, parsed.Seal.Info.Property.CertListType);
        Assert.Equal(makerSigned, parsed.Seal.MakerSignedDer);
        Assert.Null(parsed.TimeStamp);
        Assert.Equal(StampFailure.None, Verifier().Verify(Data, der, Property, requireTimestamp: false).Failure);
        Assert.Equal(SealFormat.V1, SealInspector.Inspect(der, new SealInspectionContext(Now)).Format);
    }

    [Fact]
    public void A_picture_over_200_KB_is_refused()
    {
        var info = Info() with { Picture = new SealPicture("PNG", new byte[200 * 1024 + 1], 40, 40) };
        var der = ElectronicSeal.Encode(info, Maker.Certificate.GetEncoded(), Sm2.SignatureAlgorithmOid, [1]);

        Assert.False(ElectronicSeal.TryParse(der, out _, out var error));
        Assert.Contains("picture", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SealMaker.Make(info, Maker.Certificate, Maker.PrivateKey, Rng));
    }

    [Fact]
    public void A_cert_list_of_17_is_refused()
    {
        var cert = Signer.Certificate.GetEncoded();
        var info = Info() with { Property = Info().Property with { Certificates = Enumerable.Repeat(cert, 17).ToArray() } };

        Assert.False(ElectronicSeal.TryParse(ElectronicSeal.Encode(info, cert, Sm2.SignatureAlgorithmOid, [1]), out _, out var error));
        Assert.Contains("certList", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_stamp_is_refused_without_throwing()
    {
        var der = Stamp().Der;
        for (var length = 0; length < der.Length; length += 7)
        {
            Assert.False(SealSignature.TryParse(der.AsSpan(0, length), out _, out _));
            Assert.False(ElectronicSeal.TryParse(der.AsSpan(0, length), out _, out _));
        }
    }

    [Fact]
    public async Task OpenSsl_asn1parse_reads_a_seal_and_a_stamp_we_write()
    {
        using var temp = new TempDirectory();
        var seal = Path.Combine(temp.Path, "seal.esl");
        var stamp = Path.Combine(temp.Path, "SignedValue.dat");
        File.WriteAllBytes(seal, Seal.Der);
        File.WriteAllBytes(stamp, Stamp().Der);
        foreach (var file in new[] { seal, stamp })
        {
            ProcessStartInfo start = new("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "asn1parse", "-inform", "DER", "-in", file })
            {
                start.ArgumentList.Add(argument);
            }

            Process? process;
            try
            {
                process = Process.Start(start);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                output.WriteLine($"openssl is not available ({e.Message}); asn1parse interop not checked.");
                return;
            }

            Assert.NotNull(process);
            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, stderr);
                Assert.Contains("SM2-with-SM3", await stdout, StringComparison.Ordinal);
                Assert.Contains("GENERALIZEDTIME", await stdout, StringComparison.Ordinal);
            }
        }
    }
}
