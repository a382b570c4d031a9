using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;

using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Tests;

/// <summary>One small network shared by the tests: a CA and three node credentials, all at a fixed time.</summary>
internal static class TestNetwork
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8));

    public static readonly TimeSpan OneYear = TimeSpan.FromDays(365);

    public static readonly SecureRandom Rng = new();

    public static readonly PartyId Bank102 = PartyId.ForBank(BankCode.Parse("102"));

    public static readonly PartyId Bank103 = PartyId.ForBank(BankCode.Parse("103"));

    public static readonly CertificateAuthority Ca = CertificateAuthority.Create("OpenTreasury Test", Now, Rng);

    public static readonly NodeCredential Icbc = Ca.IssueNodeCredential(Bank102, "中国工商银行", Now, OneYear);

    public static readonly NodeCredential Abc = Ca.IssueNodeCredential(Bank103, "中国农业银行", Now, OneYear);

    public static readonly NodeCredential Finance = Ca.IssueNodeCredential(PartyId.Finance, "某市财政局", Now, OneYear);
}

/// <summary>A fresh directory under the system temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ot-trust-" + System.IO.Path.GetRandomFileName())).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
