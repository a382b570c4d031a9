using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509.Extension;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

public class NetworkPkiTests
{
    private static readonly TestPki s_pki = TestPki.Shared;

    [Fact]
    public void The_root_and_issuing_CA_have_the_names_constraints_and_lifetimes_of_a_two_level_PKI()
    {
        var pki = s_pki.Pki;

        Assert.Equal("CN=OpenTreasury Test Root CA", pki.Root.SubjectDN.ToString());
        Assert.Equal("CN=OpenTreasury Test Issuing CA", pki.Issuing.SubjectDN.ToString());
        Assert.Equal(pki.Root.SubjectDN.ToString(), pki.Issuing.IssuerDN.ToString());
        Assert.Equal(1, pki.Root.GetBasicConstraints());
        Assert.Equal(0, pki.Issuing.GetBasicConstraints());
        Assert.Equal(Now.UtcDateTime.AddYears(20), pki.Root.NotAfter);
        Assert.Equal(Now.UtcDateTime.AddYears(10), pki.Issuing.NotAfter);
        Assert.Equal(Sm2.SignatureAlgorithmOid, pki.Issuing.SigAlgOid);
        pki.Issuing.Verify(pki.Root.GetPublicKey());
        Assert.Equal("OpenTreasury Test", pki.NetworkName);
    }

    [Fact]
    public void An_institution_certificate_names_the_party_and_signs_only()
    {
        var cert = s_pki.Institution;

        Assert.Equal("CN=bank-102,O=中国工商银行,OU=102", cert.SubjectDN.ToString());
        Assert.Equal(-1, cert.GetBasicConstraints());
        Assert.Contains(X509Extensions.KeyUsage.Id, cert.GetCriticalExtensionOids());
        var usage = cert.GetKeyUsage();
        Assert.True(usage[0] && usage[1]);
        Assert.False(usage[5]); // keyCertSign
        Assert.NotNull(cert.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier));
        Assert.NotNull(cert.GetExtensionValue(X509Extensions.SubjectKeyIdentifier));
        cert.Verify(s_pki.Pki.Issuing.GetPublicKey());

        Assert.True(CertificateIdentities.TryRead(cert, out var identity));
        Assert.Equal(new CertificateIdentity(Bank102, null, "中国工商银行", null), identity);
    }

    [Fact]
    public void A_person_certificate_names_the_person_and_the_party_they_act_for()
    {
        var cert = s_pki.Person;

        Assert.Equal("CN=张三,UID=U0001,OU=会计主管,O=中国工商银行", cert.SubjectDN.ToString());
        Assert.True(CertificateIdentities.TryRead(cert, out var identity));
        Assert.Equal(new CertificateIdentity(Bank102, TestPki.UserId, "张三", "会计主管"), identity);
    }

    [Fact]
    public void Neither_a_CA_nor_the_timestamp_authority_is_an_identity()
    {
        Assert.False(CertificateIdentities.TryRead(s_pki.Pki.Root, out _));
        Assert.False(CertificateIdentities.TryRead(s_pki.Pki.Issuing, out _));
        Assert.False(CertificateIdentities.TryRead(s_pki.Tsa, out _));
    }

    [Fact]
    public void A_timestamping_certificate_has_the_critical_timeStamping_extended_key_usage()
    {
        var cert = s_pki.Tsa;

        Assert.Contains(X509Extensions.ExtendedKeyUsage.Id, cert.GetCriticalExtensionOids());
        Assert.Equal([KeyPurposeID.id_kp_timeStamping], cert.GetExtendedKeyUsage());
        Assert.Equal("CN=OpenTreasury Test TSA,O=OpenTreasury Test", cert.SubjectDN.ToString());
    }

    [Fact]
    public void A_CRL_distribution_point_is_written_when_asked_for()
    {
        var cert = s_pki.Pki.IssueInstitution(Bank103, "中国农业银行", Sm2.GenerateKeyPair(Rng).Public, Now, OneYear, new Uri("http://pki.example/crl.pem"));

        var points = CrlDistPoint.GetInstance(X509ExtensionUtilities.FromExtensionValue(cert.GetExtensionValue(X509Extensions.CrlDistributionPoints)));
        Assert.Contains("http://pki.example/crl.pem", points.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_cannot_outlive_the_issuing_CA()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            s_pki.Pki.IssueInstitution(Bank103, "中国农业银行", Sm2.GenerateKeyPair(Rng).Public, Now, TimeSpan.FromDays(3653 + 3)));
    }

    [Fact]
    public void The_CRL_lists_revocations_with_time_and_reason_and_a_rising_CRL_number()
    {
        var fresh = new TestPki();
        var pki = fresh.Pki;
        var first = pki.Crl;

        Assert.True(pki.Revoke(fresh.Institution.SerialNumber, Now.AddDays(3), RevocationReason.KeyCompromise));
        Assert.False(pki.Revoke(fresh.Institution.SerialNumber, Now.AddDays(4), RevocationReason.Superseded));
        var crl = pki.CurrentCrl(Now.AddDays(5), Now.AddDays(12));

        crl.Verify(pki.Issuing.GetPublicKey());
        Assert.Equal(Sm2.SignatureAlgorithmOid, crl.SigAlgOid);
        Assert.Equal(pki.Issuing.SubjectDN.ToString(), crl.IssuerDN.ToString());
        var entry = Assert.Single(crl.GetRevokedCertificates());
        Assert.Equal(fresh.Institution.SerialNumber, entry.SerialNumber);
        Assert.Equal(Now.AddDays(3).UtcDateTime, entry.RevocationDate);
        Assert.Equal(Now.AddDays(5).UtcDateTime, crl.ThisUpdate);
        Assert.True(CrlNumberOf(crl) > CrlNumberOf(first));
        Assert.NotNull(crl.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier));
        Assert.Empty(pki.RootCrl.GetRevokedCertificates() ?? new HashSet<Org.BouncyCastle.X509.X509CrlEntry>());
    }

    [Fact]
    public void Revoking_the_issuing_CA_puts_it_on_the_root_CRL()
    {
        var pki = new TestPki().Pki;

        pki.Revoke(pki.Issuing.SerialNumber, Now.AddDays(1), RevocationReason.CaCompromise);
        var rootCrl = pki.CurrentRootCrl(Now.AddDays(2), Now.AddDays(30));

        rootCrl.Verify(pki.Root.GetPublicKey());
        Assert.Equal(pki.Issuing.SerialNumber, Assert.Single(rootCrl.GetRevokedCertificates()).SerialNumber);
        Assert.Empty(pki.CurrentCrl(Now.AddDays(2), Now.AddDays(30)).GetRevokedCertificates() ?? new HashSet<Org.BouncyCastle.X509.X509CrlEntry>());
    }

    [Fact]
    public void Save_and_Load_keep_the_CAs_the_CRLs_and_the_revocations()
    {
        var fresh = new TestPki();
        fresh.Pki.Revoke(fresh.Person.SerialNumber, Now.AddDays(1), RevocationReason.AffiliationChanged);
        var crl = fresh.Pki.CurrentCrl(Now.AddDays(1), Now.AddDays(8));
        using var temp = new TempDirectory();

        fresh.Pki.Save(temp.Path);
        var loaded = NetworkPki.Load(temp.Path, Rng);

        Assert.Equal(fresh.Pki.Root, loaded.Root);
        Assert.Equal(fresh.Pki.Issuing, loaded.Issuing);
        Assert.Equal(crl.GetEncoded(), loaded.Crl.GetEncoded());
        Assert.Equal(fresh.Pki.Revocations, loaded.Revocations);
        Assert.Contains("\"reason\": \"AffiliationChanged\"", File.ReadAllText(Path.Combine(temp.Path, "revocations.json")), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(temp.Path, NetworkPki.IssuingKeyFileName)));
        }

        // The loaded PKI goes on numbering CRLs and still signs certificates that chain.
        var next = loaded.CurrentCrl(Now.AddDays(2), Now.AddDays(9));
        Assert.True(CrlNumberOf(next) > CrlNumberOf(crl));
        Assert.Single(next.GetRevokedCertificates());
        var cert = loaded.IssueInstitution(Bank103, "中国农业银行", Sm2.GenerateKeyPair(Rng).Public, Now, OneYear);
        Assert.True(PkiCertificateValidator.For(loaded).Validate(cert, Now.AddDays(1), CertificateUse.Institution).IsValid);
    }

    [Fact]
    public void Load_rejects_a_CA_key_that_is_not_the_certificates()
    {
        using var temp = new TempDirectory();
        s_pki.Pki.Save(temp.Path);
        File.Copy(Path.Combine(temp.Path, NetworkPki.RootKeyFileName), Path.Combine(temp.Path, NetworkPki.IssuingKeyFileName), overwrite: true);

        Assert.Throws<InvalidDataException>(() => NetworkPki.Load(temp.Path, Rng));
    }

    private static long CrlNumberOf(Org.BouncyCastle.X509.X509Crl crl) =>
        DerInteger.GetInstance(X509ExtensionUtilities.FromExtensionValue(crl.GetExtensionValue(X509Extensions.CrlNumber))).LongValueExact;
}
