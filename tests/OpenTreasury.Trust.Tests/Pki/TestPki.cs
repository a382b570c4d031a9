using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

/// <summary>A network PKI with one certificate of each kind, all issued at <see cref="TestNetwork.Now"/> for a year.</summary>
internal sealed class TestPki
{
    public const string UserId = "U0001";

    public TestPki()
    {
        Pki = NetworkPki.Create("OpenTreasury Test", Now, Rng);
        InstitutionKeys = Sm2.GenerateKeyPair(Rng);
        Institution = Pki.IssueInstitution(Bank102, "中国工商银行", InstitutionKeys.Public, Now, OneYear);
        PersonKeys = Sm2.GenerateKeyPair(Rng);
        Person = Pki.IssuePerson(Bank102, UserId, "张三", "会计主管", "中国工商银行", PersonKeys.Public, Now, OneYear);
        TsaKeys = Sm2.GenerateKeyPair(Rng);
        Tsa = Pki.IssueTimestamping("OpenTreasury Test TSA", TsaKeys.Public, Now, OneYear);
    }

    /// <summary>Shared by tests that neither revoke nor publish CRLs.</summary>
    public static TestPki Shared { get; } = new();

    public NetworkPki Pki { get; }

    public AsymmetricCipherKeyPair InstitutionKeys { get; }

    public X509Certificate Institution { get; }

    public AsymmetricCipherKeyPair PersonKeys { get; }

    public X509Certificate Person { get; }

    public AsymmetricCipherKeyPair TsaKeys { get; }

    public X509Certificate Tsa { get; }

    public PkiCertificateValidator Validator() => PkiCertificateValidator.For(Pki);

    public static PartyId Party => Bank102;
}

/// <summary>A clock that says what the test tells it.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
