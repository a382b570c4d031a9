using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

public class PkiCertificateValidatorTests
{
    private static readonly TestPki s_pki = TestPki.Shared;
    private static readonly DateTimeOffset s_later = Now.AddDays(30);

    [Fact]
    public void Institution_person_and_timestamping_certificates_are_valid_for_their_use()
    {
        var validator = s_pki.Validator();

        Assert.Equal(CertificateValidation.Valid, validator.Validate(s_pki.Institution, s_later, CertificateUse.Institution));
        Assert.Equal(CertificateValidation.Valid, validator.Validate(s_pki.Person, s_later, CertificateUse.Person));
        Assert.Equal(CertificateValidation.Valid, validator.Validate(s_pki.Tsa, s_later, CertificateUse.Timestamping));
    }

    [Fact]
    public void A_rogue_CA_with_the_same_names_is_an_untrusted_chain()
    {
        var rogue = NetworkPki.Create("OpenTreasury Test", Now, Rng);
        var forged = rogue.IssueInstitution(Bank102, "中国工商银行", s_pki.InstitutionKeys.Public, Now, OneYear);

        Assert.Equal(s_pki.Institution.IssuerDN.ToString(), forged.IssuerDN.ToString());
        Assert.Equal(CertificateFailure.UntrustedChain, s_pki.Validator().Validate(forged, s_later, CertificateUse.Institution).Failure);
    }

    [Fact]
    public void A_certificate_of_the_old_single_level_CA_is_an_untrusted_chain() =>
        Assert.Equal(CertificateFailure.UntrustedChain, s_pki.Validator().Validate(Icbc.Certificate, s_later, CertificateUse.Institution).Failure);

    [Fact]
    public void Before_its_start_a_certificate_is_not_yet_valid_and_after_its_end_expired()
    {
        var validator = s_pki.Validator();
        var later = s_pki.Pki.IssueInstitution(Bank103, "中国农业银行", Sm2.GenerateKeyPair(Rng).Public, Now.AddDays(10), OneYear);

        Assert.Equal(CertificateFailure.NotYetValid, validator.Validate(later, Now.AddDays(9), CertificateUse.Institution).Failure);
        Assert.True(validator.Validate(later, Now.AddDays(10), CertificateUse.Institution).IsValid);
        Assert.True(validator.Validate(later, Now.AddDays(10) + OneYear, CertificateUse.Institution).IsValid);
        Assert.Equal(CertificateFailure.Expired, validator.Validate(later, Now.AddDays(10) + OneYear + TimeSpan.FromSeconds(1), CertificateUse.Institution).Failure);
    }

    [Fact]
    public void A_certificate_revoked_before_the_time_asked_about_is_revoked_and_valid_before_its_revocation()
    {
        var fresh = new TestPki();
        var validator = fresh.Validator();
        var revokedAt = Now.AddDays(10);
        fresh.Pki.Revoke(fresh.Institution.SerialNumber, revokedAt, RevocationReason.KeyCompromise);
        fresh.Pki.CurrentCrl(Now.AddDays(11), Now.AddDays(18));

        Assert.True(validator.Validate(fresh.Institution, revokedAt.AddSeconds(-1), CertificateUse.Institution).IsValid);
        Assert.Equal(CertificateFailure.Revoked, validator.Validate(fresh.Institution, revokedAt, CertificateUse.Institution).Failure);
        Assert.Equal(CertificateFailure.Revoked, validator.Validate(fresh.Institution, Now.AddDays(20), CertificateUse.Institution).Failure);
        Assert.True(validator.Validate(fresh.Person, Now.AddDays(20), CertificateUse.Person).IsValid);
    }

    [Fact]
    public void A_revocation_counts_only_once_a_CRL_lists_it()
    {
        var fresh = new TestPki();
        var validator = fresh.Validator();

        fresh.Pki.Revoke(fresh.Person.SerialNumber, Now.AddDays(1), RevocationReason.AffiliationChanged);
        Assert.True(validator.Validate(fresh.Person, Now.AddDays(2), CertificateUse.Person).IsValid);

        fresh.Pki.CurrentCrl(Now.AddDays(2), Now.AddDays(9));
        Assert.Equal(CertificateFailure.Revoked, validator.Validate(fresh.Person, Now.AddDays(2), CertificateUse.Person).Failure);
    }

    [Fact]
    public void Revoking_the_issuing_CA_revokes_everything_it_issued_from_then_on()
    {
        var fresh = new TestPki();
        var validator = fresh.Validator();
        fresh.Pki.Revoke(fresh.Pki.Issuing.SerialNumber, Now.AddDays(5), RevocationReason.CaCompromise);
        fresh.Pki.CurrentRootCrl(Now.AddDays(6), Now.AddDays(36));

        Assert.True(validator.Validate(fresh.Institution, Now.AddDays(4), CertificateUse.Institution).IsValid);
        Assert.Equal(CertificateFailure.Revoked, validator.Validate(fresh.Institution, Now.AddDays(5), CertificateUse.Institution).Failure);
    }

    [Fact]
    public void Without_a_CRL_or_with_one_not_signed_by_the_CA_revocation_is_unknown()
    {
        var pki = s_pki.Pki;
        var rogueCrl = NetworkPki.Create("OpenTreasury Test", Now, Rng).Crl;

        Assert.Equal(CertificateFailure.RevocationUnknown, new PkiCertificateValidator(pki.Root, pki.Issuing, null, pki.RootCrl).Validate(s_pki.Institution, s_later, CertificateUse.Institution).Failure);
        Assert.Equal(CertificateFailure.RevocationUnknown, new PkiCertificateValidator(pki.Root, pki.Issuing, pki.Crl, null).Validate(s_pki.Institution, s_later, CertificateUse.Institution).Failure);
        Assert.Equal(CertificateFailure.RevocationUnknown, new PkiCertificateValidator(pki.Root, pki.Issuing, rogueCrl, pki.RootCrl).Validate(s_pki.Institution, s_later, CertificateUse.Institution).Failure);
        Assert.Equal(CertificateFailure.RevocationUnknown, new PkiCertificateValidator(pki.Root, pki.Issuing, pki.RootCrl, pki.RootCrl).Validate(s_pki.Institution, s_later, CertificateUse.Institution).Failure);
    }

    [Theory]
    [InlineData(CertificateUse.Institution, CertificateUse.Timestamping)]
    [InlineData(CertificateUse.Institution, CertificateUse.Person)]
    [InlineData(CertificateUse.Person, CertificateUse.Institution)]
    [InlineData(CertificateUse.Person, CertificateUse.Timestamping)]
    [InlineData(CertificateUse.Timestamping, CertificateUse.Institution)]
    [InlineData(CertificateUse.Timestamping, CertificateUse.Person)]
    public void A_certificate_used_for_what_it_is_not_has_the_wrong_key_usage(CertificateUse issuedFor, CertificateUse usedFor)
    {
        var cert = issuedFor switch
        {
            CertificateUse.Institution => s_pki.Institution,
            CertificateUse.Person => s_pki.Person,
            _ => s_pki.Tsa,
        };

        Assert.Equal(CertificateFailure.WrongKeyUsage, s_pki.Validator().Validate(cert, s_later, usedFor).Failure);
    }

    [Fact]
    public void A_certificate_whose_key_usage_only_enciphers_has_the_wrong_key_usage()
    {
        var cert = IssueByHand(s_pki, new KeyUsage(KeyUsage.KeyEncipherment), ca: false);

        Assert.Equal(CertificateFailure.WrongKeyUsage, s_pki.Validator().Validate(cert, s_later, CertificateUse.Institution).Failure);
    }

    [Fact]
    public void A_CA_certificate_cannot_sign()
    {
        var validator = s_pki.Validator();

        Assert.Equal(CertificateFailure.NotEndEntity, validator.Validate(s_pki.Pki.Issuing, s_later, CertificateUse.Institution).Failure);
        Assert.Equal(CertificateFailure.NotEndEntity, validator.Validate(s_pki.Pki.Root, s_later, CertificateUse.Institution).Failure);
        Assert.Equal(CertificateFailure.NotEndEntity, validator.Validate(IssueByHand(s_pki, new KeyUsage(KeyUsage.DigitalSignature), ca: true), s_later, CertificateUse.Institution).Failure);
    }

    [Fact]
    public void Results_are_the_same_when_asked_again_and_from_many_threads()
    {
        var validator = s_pki.Validator();
        var rogue = NetworkPki.Create("OpenTreasury Test", Now, Rng).IssueInstitution(Bank102, "中国工商银行", s_pki.InstitutionKeys.Public, Now, OneYear);

        Parallel.For(0, 64, i =>
        {
            Assert.True(validator.Validate(s_pki.Institution, s_later, CertificateUse.Institution).IsValid);
            Assert.Equal(CertificateFailure.UntrustedChain, validator.Validate(rogue, s_later, CertificateUse.Institution).Failure);
        });
    }

    [Fact]
    public void A_validator_refuses_an_issuing_CA_not_signed_by_the_root()
    {
        var other = NetworkPki.Create("Other", Now, Rng);

        Assert.Throws<ArgumentException>(() => new PkiCertificateValidator(s_pki.Pki.Root, other.Issuing, other.Crl, other.RootCrl));
    }

    // A certificate signed by the real issuing CA key, with a profile NetworkPki would never issue.
    private static X509Certificate IssueByHand(TestPki pki, KeyUsage usage, bool ca)
    {
        var keys = Sm2.GenerateKeyPair(Rng);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(64, Rng).Add(BigInteger.One));
        generator.SetIssuerDN(pki.Pki.Issuing.SubjectDN);
        generator.SetSubjectDN(new X509Name([X509Name.CN, X509Name.O, X509Name.OU], ["bank-103", "中国农业银行", "103"]));
        generator.SetNotBefore(Now.UtcDateTime);
        generator.SetNotAfter((Now + OneYear).UtcDateTime);
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, ca ? new BasicConstraints(0) : new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, usage);
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        return generator.Generate(new Asn1SignatureFactory("SM3WITHSM2", IssuingKeyOf(pki), Rng));
    }

    private static Org.BouncyCastle.Crypto.AsymmetricKeyParameter IssuingKeyOf(TestPki pki)
    {
        using var temp = new TempDirectory();
        pki.Pki.Save(temp.Path);
        return OpenTreasury.Trust.Certificates.Pem.ReadPrivateKey(File.ReadAllText(Path.Combine(temp.Path, NetworkPki.IssuingKeyFileName)));
    }
}
