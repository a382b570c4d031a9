using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Certificates;

public class CertificateAuthorityTests
{
    [Fact]
    public void The_root_is_a_self_signed_SM2_CA_for_twenty_years()
    {
        var root = Ca.Certificate;

        Assert.Equal("CN=OpenTreasury Test Root CA", root.SubjectDN.ToString());
        Assert.True(root.IssuerDN.Equivalent(root.SubjectDN, true));
        root.Verify(root.GetPublicKey());
        Assert.Equal(Sm2.SignatureAlgorithmOid, root.SigAlgOid);
        Assert.Equal(Now.UtcDateTime, root.NotBefore);
        Assert.Equal(Now.AddYears(20).UtcDateTime, root.NotAfter);
        Assert.Contains(X509Extensions.BasicConstraints.Id, root.GetCriticalExtensionOids());
        Assert.Contains(X509Extensions.KeyUsage.Id, root.GetCriticalExtensionOids());
        Assert.Equal(int.MaxValue, root.GetBasicConstraints());
        var usage = root.GetKeyUsage();
        Assert.True(usage[5] && usage[6]); // keyCertSign, cRLSign
        Assert.False(usage[0]);
        Assert.NotNull(root.GetExtensionValue(X509Extensions.SubjectKeyIdentifier));
        Assert.Equal(Sm2.CurveOid, Org.BouncyCastle.Asn1.X9.X962Parameters.GetInstance(root.CertificateStructure.SubjectPublicKeyInfo.Algorithm.Parameters).Parameters.ToString());
    }

    [Fact]
    public void A_node_certificate_names_the_party_its_organisation_and_org_type()
    {
        var cert = Icbc.Certificate;

        Assert.Equal(["bank-102"], cert.SubjectDN.GetValueList(X509Name.CN));
        Assert.Equal(["中国工商银行"], cert.SubjectDN.GetValueList(X509Name.O));
        Assert.Equal(["102"], cert.SubjectDN.GetValueList(X509Name.OU));
        Assert.Equal(["011"], Finance.Certificate.SubjectDN.GetValueList(X509Name.OU));
        Assert.Contains(EncodedStrings(cert.SubjectDN), s => s is DerUtf8String { } u && u.GetString() == "中国工商银行");
        Assert.True(NodeCertificate.TryGetParty(cert, out var party));
        Assert.Equal(Bank102, party);
        Assert.False(NodeCertificate.TryGetParty(Ca.Certificate, out _));
    }

    [Fact]
    public void A_node_certificate_is_an_end_entity_signing_certificate_issued_by_the_root()
    {
        var cert = Icbc.Certificate;

        cert.Verify(Ca.Certificate.GetPublicKey());
        Assert.True(cert.IssuerDN.Equivalent(Ca.Certificate.SubjectDN, true));
        Assert.Equal(Sm2.SignatureAlgorithmOid, cert.SigAlgOid);
        Assert.Equal(-1, cert.GetBasicConstraints());
        Assert.Contains(X509Extensions.BasicConstraints.Id, cert.GetCriticalExtensionOids());
        Assert.Contains(X509Extensions.KeyUsage.Id, cert.GetCriticalExtensionOids());
        var usage = cert.GetKeyUsage();
        Assert.Equal([true, true, false, false, false, false, false, false, false], usage);
        Assert.Equal(Now.UtcDateTime, cert.NotBefore);
        Assert.Equal((Now + OneYear).UtcDateTime, cert.NotAfter);
        var aki = AuthorityKeyIdentifier.GetInstance(X509ExtensionUtilities.FromExtensionValue(cert.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier)));
        var caSki = SubjectKeyIdentifier.GetInstance(X509ExtensionUtilities.FromExtensionValue(Ca.Certificate.GetExtensionValue(X509Extensions.SubjectKeyIdentifier)));
        Assert.Equal(caSki.GetKeyIdentifier(), aki.KeyIdentifier.GetOctets());
        Assert.NotNull(cert.GetExtensionValue(X509Extensions.SubjectKeyIdentifier));
    }

    [Fact]
    public void Serials_are_random_positive_and_at_most_128_bits()
    {
        var serials = Enumerable.Range(0, 20)
            .Select(_ => Ca.IssueNodeCertificate(Bank102, "中国工商银行", Sm2.GenerateKeyPair(Rng).Public, Now, OneYear).SerialNumber)
            .ToList();

        Assert.All(serials, s => Assert.True(s.SignValue > 0 && s.BitLength <= 128));
        Assert.Equal(serials.Count, serials.Distinct().Count());
        Assert.Contains(serials, s => s.BitLength > 120);
    }

    [Theory]
    [InlineData("")]
    [InlineData("#0403414243")]
    [InlineData("\\bank")]
    [InlineData(" 工商银行")]
    public void Names_BouncyCastle_would_misread_are_refused(string organisation) =>
        Assert.Throws<ArgumentException>(() => Ca.IssueNodeCertificate(Bank102, organisation, Sm2.GenerateKeyPair(Rng).Public, Now, OneYear));

    [Fact]
    public void A_node_certificate_cannot_outlive_the_root() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Ca.IssueNodeCertificate(Bank102, "中国工商银行", Sm2.GenerateKeyPair(Rng).Public, Now, TimeSpan.FromDays(365 * 21)));

    [Fact]
    public void The_CA_saves_and_loads_itself()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;

        Ca.Save(directory);
        var loaded = CertificateAuthority.Load(directory, Rng);

        Assert.Equal(Ca.Certificate, loaded.Certificate);
        var issued = loaded.IssueNodeCertificate(Bank103, "中国农业银行", Sm2.GenerateKeyPair(Rng).Public, Now, OneYear);
        issued.Verify(Ca.Certificate.GetPublicKey());
        AssertOwnerOnly(Path.Combine(directory, CertificateAuthority.PrivateKeyFileName));
    }

    [Fact]
    public void A_node_credential_saves_and_loads_with_its_key_readable_by_the_owner_only()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;

        Icbc.Save(directory);
        var loaded = NodeCredential.Load(directory, Bank102);

        Assert.True(File.Exists(Path.Combine(directory, "bank-102.crt.pem")));
        Assert.Equal(Icbc.Certificate, loaded.Certificate);
        Assert.Equal(Icbc.PrivateKey, loaded.PrivateKey);
        AssertOwnerOnly(Path.Combine(directory, "bank-102.key.pem"));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(directory, "bank-102.key.pem")), StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_refuses_a_certificate_of_another_party()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        Icbc.Save(directory);
        Abc.Save(directory);
        File.Copy(Path.Combine(directory, "bank-102.crt.pem"), Path.Combine(directory, "bank-103.crt.pem"), overwrite: true);

        Assert.Throws<InvalidDataException>(() => NodeCredential.Load(directory, Bank103));
    }

    [Fact]
    public void Loading_refuses_a_key_that_does_not_belong_to_the_certificate()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        Icbc.Save(directory);
        Abc.Save(directory);
        File.Copy(Path.Combine(directory, "bank-103.key.pem"), Path.Combine(directory, "bank-102.key.pem"), overwrite: true);

        Assert.Throws<InvalidDataException>(() => NodeCredential.Load(directory, Bank102));
    }

    [Fact]
    public void Pem_round_trips_certificates_and_keys()
    {
        Assert.Equal(Icbc.Certificate, Pem.ReadCertificate(Pem.WriteCertificate(Icbc.Certificate)));
        Assert.Equal(Icbc.Certificate.GetPublicKey(), Pem.ReadPublicKey(Pem.WritePublicKey(Icbc.Certificate.GetPublicKey())));
        Assert.Equal(Icbc.PrivateKey, Pem.ReadPrivateKey(Pem.WritePrivateKey(Icbc.PrivateKey)));
        Assert.Throws<InvalidDataException>(() => Pem.ReadPrivateKey(Pem.WriteCertificate(Icbc.Certificate)));
    }

    private static IEnumerable<Asn1Object> EncodedStrings(X509Name name) =>
        ((Asn1Sequence)name.ToAsn1Object()).Cast<Asn1Set>().Select(set => ((Asn1Sequence)set[0])[1].ToAsn1Object());

    private static void AssertOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
