using System.Text;

using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Signatures;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Signatures;

public class VoucherSignatureTests
{
    private const string Property = "520120260302000001:yh_stamp1";

    private static readonly byte[] s_voucher = Encoding.UTF8.GetBytes("<Voucher><VoucherNo>520120260302000001</VoucherNo><PayAmt>1234.50</PayAmt><PayeeAcctName>某某建设有限公司</PayeeAcctName></Voucher>");

    private static readonly DateTimeOffset s_signedAt = Now.AddHours(2);

    private readonly SignatureVerifier _verifier = new(Ca.Certificate);

    [Fact]
    public void A_signature_verifies_and_reports_who_signed_when()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);

        var check = _verifier.Verify(s_voucher, der, Property, Bank102);

        Assert.True(check.IsValid, check.Message);
        Assert.Equal(SignatureFailure.None, check.Failure);
        Assert.Equal(Bank102, check.Signer);
        Assert.Equal(s_signedAt, check.SigningTime);
        Assert.Contains("CN=bank-102", check.SignerSubject, StringComparison.Ordinal);
    }

    [Fact]
    public void The_DER_has_the_SES_Signature_shape()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt.AddTicks(1234567), Rng);

        var outer = (Asn1Sequence)Asn1Object.FromByteArray(der);
        var toSign = (Asn1Sequence)outer[0];
        Assert.Equal(1, ((DerInteger)toSign[0]).IntValueExact);
        Assert.Equal("20260302033000Z", ((Asn1GeneralizedTime)toSign[1]).TimeString); // whole seconds, UTC
        Assert.Equal(Sm3.Hash(s_voucher), ((DerBitString)toSign[2]).GetOctets());
        Assert.Equal(Property, ((DerUtf8String)toSign[3]).GetString());
        Assert.Equal(Icbc.Certificate.GetEncoded(), ((Asn1OctetString)outer[1]).GetOctets());
        Assert.Equal("1.2.156.10197.1.501", ((DerObjectIdentifier)outer[2]).Id);
        var signature = ((DerBitString)outer[3]).GetOctets();
        Assert.True(Sm2.Verify(Icbc.Certificate.GetPublicKey(), toSign.GetEncoded(Asn1Encodable.Der), signature));
    }

    [Fact]
    public void Malformed_when_the_bytes_are_empty_garbage_truncated_or_padded()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);
        var garbage = new byte[300];
        Rng.NextBytes(garbage);

        AssertFails(SignatureFailure.Malformed, _verifier.Verify(s_voucher, [], Property, Bank102));
        AssertFails(SignatureFailure.Malformed, _verifier.Verify(s_voucher, garbage, Property, Bank102));
        AssertFails(SignatureFailure.Malformed, _verifier.Verify(s_voucher, [.. der, 0], Property, Bank102));
        AssertFails(SignatureFailure.Malformed, _verifier.Verify(s_voucher, null!, Property, Bank102));
        for (var length = 0; length < der.Length; length++)
        {
            AssertFails(SignatureFailure.Malformed, _verifier.Verify(s_voucher, der[..length], Property, Bank102));
        }
    }

    [Fact]
    public void Malformed_when_a_field_has_the_wrong_type_version_or_size()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);

        AssertFails(SignatureFailure.Malformed, Verify(ReplaceInToSign(der, 0, DerInteger.ValueOf(2))));
        AssertFails(SignatureFailure.Malformed, Verify(ReplaceInToSign(der, 2, new DerBitString(new byte[31]))));
        AssertFails(SignatureFailure.Malformed, Verify(ReplaceInToSign(der, 3, new DerPrintableString("x"))));
        AssertFails(SignatureFailure.Malformed, Verify(Replace(der, 1, new DerOctetString(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }))));
    }

    [Fact]
    public void UnsupportedAlgorithm_when_the_algorithm_is_not_SM3withSM2()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);

        var sha256WithSm2 = Replace(der, 2, new DerObjectIdentifier("1.2.156.10197.1.503"));

        AssertFails(SignatureFailure.UnsupportedAlgorithm, Verify(sha256WithSm2));
    }

    [Fact]
    public void DataHashMismatch_when_one_byte_of_the_voucher_changed()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);
        var altered = (byte[])s_voucher.Clone();
        altered[40] ^= 0x01; // One digit of the voucher number.

        var check = _verifier.Verify(altered, der, Property, Bank102);

        AssertFails(SignatureFailure.DataHashMismatch, check);
        Assert.Contains("altered after signing", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSignature_when_a_bit_of_the_signature_is_flipped()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);
        var flipped = (byte[])der.Clone();
        flipped[^2] ^= 0x04; // Inside s.

        AssertFails(SignatureFailure.BadSignature, Verify(flipped));
    }

    [Fact]
    public void BadSignature_when_another_party_signed_and_put_our_certificate_on_it()
    {
        var byAbc = VoucherSigner.Sign(Abc, s_voucher, Property, s_signedAt, Rng);

        var posingAsIcbc = Replace(byAbc, 1, new DerOctetString(Icbc.Certificate.GetEncoded()));

        AssertFails(SignatureFailure.BadSignature, Verify(posingAsIcbc));
    }

    [Fact]
    public void UntrustedCertificate_when_a_rogue_CA_with_the_same_names_issued_the_signer()
    {
        var rogue = CertificateAuthority.Create("OpenTreasury Test", Now, Rng);
        var fakeIcbc = rogue.IssueNodeCredential(Bank102, "中国工商银行", Now, OneYear);
        Assert.Equal(Ca.Certificate.SubjectDN, rogue.Certificate.SubjectDN);

        var check = Verify(VoucherSigner.Sign(fakeIcbc, s_voucher, Property, s_signedAt, Rng));

        AssertFails(SignatureFailure.UntrustedCertificate, check);
        Assert.Equal(Bank102, check.Signer); // What the certificate claims, for the log.
    }

    [Fact]
    public void CertificateNotValidAtSigningTime_after_expiry_and_before_issue()
    {
        var shortLived = Ca.IssueNodeCredential(Bank102, "中国工商银行", Now, TimeSpan.FromDays(1));

        AssertFails(SignatureFailure.CertificateNotValidAtSigningTime, Verify(VoucherSigner.Sign(shortLived, s_voucher, Property, Now.AddDays(2), Rng)));
        AssertFails(SignatureFailure.CertificateNotValidAtSigningTime, Verify(VoucherSigner.Sign(shortLived, s_voucher, Property, Now.AddSeconds(-1), Rng)));
        Assert.True(Verify(VoucherSigner.Sign(shortLived, s_voucher, Property, Now.AddDays(1), Rng)).IsValid);
    }

    [Fact]
    public void NotAnEndEntityCertificate_when_a_CA_certificate_signs()
    {
        var caNamedLikeABank = IssueRaw(Bank102, isCa: true, KeyUsage.DigitalSignature | KeyUsage.KeyCertSign);
        var rootItself = new NodeCredential(Bank102, Ca.Certificate, Ca.PrivateKey);

        AssertFails(SignatureFailure.NotAnEndEntityCertificate, Verify(VoucherSigner.Sign(caNamedLikeABank, s_voucher, Property, s_signedAt, Rng)));
        AssertFails(SignatureFailure.NotAnEndEntityCertificate, Verify(VoucherSigner.Sign(rootItself, s_voucher, Property, s_signedAt, Rng)));
    }

    [Fact]
    public void NotAnEndEntityCertificate_when_the_key_usage_lacks_digitalSignature()
    {
        var encipherOnly = IssueRaw(Bank102, isCa: false, KeyUsage.KeyEncipherment);

        var check = Verify(VoucherSigner.Sign(encipherOnly, s_voucher, Property, s_signedAt, Rng));

        AssertFails(SignatureFailure.NotAnEndEntityCertificate, check);
        Assert.Contains("key usage", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongSigner_when_another_party_signed()
    {
        var byAbc = VoucherSigner.Sign(Abc, s_voucher, Property, s_signedAt, Rng);

        var check = _verifier.Verify(s_voucher, byAbc, Property, Bank102);

        AssertFails(SignatureFailure.WrongSigner, check);
        Assert.Equal(Bank103, check.Signer);
        Assert.Contains("bank-103", check.Message, StringComparison.Ordinal);
        AssertFails(SignatureFailure.WrongSigner, _verifier.Verify(s_voucher, byAbc, Property, PartyId.Finance));
    }

    [Fact]
    public void WrongProperty_when_a_stamp_is_moved_to_another_voucher_or_position()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);

        AssertFails(SignatureFailure.WrongProperty, _verifier.Verify(s_voucher, der, "520120260302000001:yh_stamp2", Bank102));
        AssertFails(SignatureFailure.WrongProperty, _verifier.Verify(s_voucher, der, "520120260302000002:yh_stamp1", Bank102));
    }

    [Fact]
    public void Failure_codes_are_stable_numbers() =>
        Assert.Equal(
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            new[]
            {
                SignatureFailure.None, SignatureFailure.Malformed, SignatureFailure.UnsupportedAlgorithm,
                SignatureFailure.DataHashMismatch, SignatureFailure.BadSignature, SignatureFailure.UntrustedCertificate,
                SignatureFailure.CertificateNotValidAtSigningTime, SignatureFailure.NotAnEndEntityCertificate,
                SignatureFailure.WrongSigner, SignatureFailure.WrongProperty,
            }.Select(f => (int)f));

    [Fact]
    public void Changing_any_byte_of_a_signature_never_verifies_and_never_throws()
    {
        var der = VoucherSigner.Sign(Icbc, s_voucher, Property, s_signedAt, Rng);

        for (var i = 0; i < der.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                var altered = (byte[])der.Clone();
                altered[i] ^= mask;
                var check = _verifier.Verify(s_voucher, altered, Property, Bank102);
                Assert.False(check.IsValid, $"byte {i} ^ {mask:X2} still verified");
            }
        }
    }

    [Fact]
    public void Verification_is_safe_from_many_threads()
    {
        var signatures = Enumerable.Range(0, 64)
            .Select(i => (Data: Encoding.UTF8.GetBytes($"voucher {i}"), Der: VoucherSigner.Sign(i % 2 == 0 ? Icbc : Abc, Encoding.UTF8.GetBytes($"voucher {i}"), Property, s_signedAt, Rng), Party: i % 2 == 0 ? Bank102 : Bank103))
            .ToArray();
        var verifier = new SignatureVerifier(Ca.Certificate);
        var failures = 0;

        Parallel.For(0, 512, i =>
        {
            var (data, der, party) = signatures[i % signatures.Length];
            if (!verifier.Verify(data, der, Property, party).IsValid)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    private SignatureCheck Verify(byte[] der) => _verifier.Verify(s_voucher, der, Property, Bank102);

    private static void AssertFails(SignatureFailure expected, SignatureCheck check)
    {
        Assert.Equal(expected, check.Failure);
        Assert.False(check.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(check.Message));
    }

    private static byte[] Replace(byte[] der, int index, Asn1Encodable value)
    {
        var fields = ((Asn1Sequence)Asn1Object.FromByteArray(der)).ToArray();
        fields[index] = value;
        return new DerSequence(fields).GetEncoded(Asn1Encodable.Der);
    }

    private static byte[] ReplaceInToSign(byte[] der, int index, Asn1Encodable value)
    {
        var toSign = ((Asn1Sequence)((Asn1Sequence)Asn1Object.FromByteArray(der))[0]).ToArray();
        toSign[index] = value;
        return Replace(der, 0, new DerSequence(toSign));
    }

    /// <summary>A certificate our CA signs but would never issue through its API: for attacks.</summary>
    private static NodeCredential IssueRaw(PartyId party, bool isCa, int keyUsage)
    {
        var keys = Sm2.GenerateKeyPair(Rng);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(BigInteger.ValueOf(42));
        generator.SetIssuerDN(Ca.Certificate.SubjectDN);
        generator.SetSubjectDN(new X509Name($"CN={party},O=Mallory"));
        generator.SetNotBefore(Now.UtcDateTime);
        generator.SetNotAfter((Now + OneYear).UtcDateTime);
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(isCa));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(keyUsage));
        var certificate = generator.Generate(new Asn1SignatureFactory("SM3WITHSM2", Ca.PrivateKey, Rng));
        return new NodeCredential(party, certificate, keys.Private);
    }
}
