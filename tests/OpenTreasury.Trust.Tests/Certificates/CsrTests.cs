using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Tests.Pki;

using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Certificates;

public class CsrTests
{
    private static readonly TestPki s_pki = TestPki.Shared;

    [Fact]
    public void A_request_round_trips_through_PEM_and_verifies_with_its_SM2_key()
    {
        var keys = Sm2.GenerateKeyPair(Rng);

        var pem = Csr.WritePem(Csr.ForInstitution(Bank102, "中国工商银行", keys.Private, Rng));
        var request = Csr.ReadPem(pem);
        var check = Csr.Verify(request);

        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", pem, StringComparison.Ordinal);
        Assert.Equal(CsrFailure.None, check.Failure);
        Assert.Equal(((ECPublicKeyParameters)keys.Public).Q, ((ECPublicKeyParameters)check.PublicKey!).Q);
        Assert.Equal(Sm2.SignatureAlgorithmOid, request.SignatureAlgorithm.Algorithm.Id);
        Assert.Equal("CN=bank-102,O=中国工商银行,OU=102", request.GetCertificationRequestInfo().Subject.ToString());
    }

    [Fact]
    public void A_request_altered_after_signing_fails_its_proof_of_possession()
    {
        var der = Csr.Create(Sm2.GenerateKeyPair(Rng).Private, new X509Name("CN=bank-102"), Rng).GetDerEncoded();
        der[der.AsSpan().IndexOf("bank-102"u8) + 7] = (byte)'3'; // the subject now says bank-103

        var check = Csr.Verify(Csr.FromDer(der));

        Assert.Equal(CsrFailure.BadSignature, check.Failure);
        Assert.Null(check.PublicKey);
    }

    [Fact]
    public void A_request_for_another_key_signed_by_ours_fails_its_proof_of_possession()
    {
        var requester = Sm2.GenerateKeyPair(Rng);
        var victim = Sm2.GenerateKeyPair(Rng);
        var forged = new Pkcs10CertificationRequest(
            new Asn1SignatureFactory("SM3WITHSM2", requester.Private, Rng), new X509Name("CN=finance"), victim.Public, null);

        Assert.Equal(CsrFailure.BadSignature, Csr.Verify(forged).Failure);
    }

    [Fact]
    public void A_request_for_a_key_that_is_not_SM2_is_refused()
    {
        var p256 = P256();
        var ecdsa = new Pkcs10CertificationRequest(new Asn1SignatureFactory("SHA256WITHECDSA", p256.Private, Rng), new X509Name("CN=x"), p256.Public, null);
        var sm2SignedP256 = new Pkcs10CertificationRequest(new Asn1SignatureFactory("SM3WITHSM2", p256.Private, Rng), new X509Name("CN=x"), p256.Public, null);

        Assert.Equal(CsrFailure.UnsupportedAlgorithm, Csr.Verify(ecdsa).Failure);
        Assert.Equal(CsrFailure.NotSm2Key, Csr.Verify(sm2SignedP256).Failure);
        Assert.Throws<ArgumentException>(() => Csr.Create(p256.Private, new X509Name("CN=x"), Rng));
    }

    [Fact]
    public void Garbage_is_malformed_with_its_code()
    {
        Assert.Equal(CsrFailure.Malformed, Assert.Throws<CertificateRequestException>(() => Csr.ReadPem("not a request")).Failure);
        Assert.Equal(CsrFailure.Malformed, Assert.Throws<CertificateRequestException>(() => Csr.FromDer([0x30, 0x03, 0x02, 0x01, 0x01])).Failure);
        Assert.Equal(CsrFailure.Malformed, Assert.Throws<CertificateRequestException>(() => Csr.FromDer(new byte[Csr.BytesMax + 1])).Failure);
        var e = Assert.Throws<CertificateRequestException>(() => Csr.ReadPem(Pem.WriteCertificate(s_pki.Institution)));
        Assert.StartsWith("[CSR-1] ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_authority_issues_from_a_request_with_its_own_subject_not_the_requested_one()
    {
        var keys = Sm2.GenerateKeyPair(Rng);
        var request = Csr.Create(keys.Private, new X509Name("CN=finance, O=某市财政局, OU=0"), Rng); // asks to be Finance

        var certificate = s_pki.Pki.IssueInstitution(request, Bank102, "中国工商银行", Now, OneYear);

        Assert.Equal("CN=bank-102,O=中国工商银行,OU=102", certificate.SubjectDN.ToString());
        Assert.Equal(((ECPublicKeyParameters)keys.Public).Q, ((ECPublicKeyParameters)certificate.GetPublicKey()).Q);
        Assert.True(s_pki.Validator().Validate(certificate, Now.AddDays(1), CertificateUse.Institution).IsValid);
        Assert.True(NodeCertificate.TryGetParty(certificate, out var party) && party == Bank102);
    }

    [Fact]
    public void The_authority_issues_a_person_certificate_from_a_request()
    {
        var keys = Sm2.GenerateKeyPair(Rng);
        var request = Csr.Create(keys.Private, new X509Name("CN=someone else"), Rng);

        var certificate = s_pki.Pki.IssuePerson(request, Bank102, "U0002", "李四", "复核", "中国工商银行", Now, OneYear);

        Assert.Equal("李四", certificate.SubjectDN.GetValueList(X509Name.CN)[0]);
        Assert.Equal(((ECPublicKeyParameters)keys.Public).Q, ((ECPublicKeyParameters)certificate.GetPublicKey()).Q);
        Assert.True(s_pki.Validator().Validate(certificate, Now.AddDays(1), CertificateUse.Person).IsValid);
    }

    [Fact]
    public void The_authority_refuses_a_request_that_does_not_verify_or_is_not_SM2()
    {
        var requester = Sm2.GenerateKeyPair(Rng);
        var forged = new Pkcs10CertificationRequest(
            new Asn1SignatureFactory("SM3WITHSM2", requester.Private, Rng), new X509Name("CN=x"), Sm2.GenerateKeyPair(Rng).Public, null);
        var p256 = P256();
        var ecdsa = new Pkcs10CertificationRequest(new Asn1SignatureFactory("SHA256WITHECDSA", p256.Private, Rng), new X509Name("CN=x"), p256.Public, null);

        var bad = Assert.Throws<CertificateRequestException>(() => s_pki.Pki.IssueInstitution(forged, Bank102, "中国工商银行", Now, OneYear));
        var foreign = Assert.Throws<CertificateRequestException>(() => s_pki.Pki.IssuePerson(ecdsa, Bank102, "U0003", "王五", "经办", "中国工商银行", Now, OneYear));

        Assert.Equal(CsrFailure.BadSignature, bad.Failure);
        Assert.Equal(CsrFailure.UnsupportedAlgorithm, foreign.Failure);
    }

    private static AsymmetricCipherKeyPair P256()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, Rng));
        return generator.GenerateKeyPair();
    }
}
