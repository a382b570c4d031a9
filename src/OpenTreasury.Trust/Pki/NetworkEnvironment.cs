using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// Which kind of network a certificate belongs to: production, or a test environment (测试环境, seed 十二) kept for
/// years beside it. A test network has its own CA whose names carry <see cref="NetworkEnvironments.SandboxUnit"/>, so
/// every certificate it issues says so in its issuer, and a node refuses what comes from the other kind by that code
/// before it looks at the chain.
/// </summary>
public enum NetworkEnvironment
{
    Production = 0,
    Sandbox = 1, // 测试环境
}

public static class NetworkEnvironments
{
    /// <summary>The organisational unit in the subject of a test network's root and issuing CA.</summary>
    public const string SandboxUnit = "测试环境";

    /// <summary>The environment a certificate was issued in: read from its issuer (a root's issuer is itself).</summary>
    public static NetworkEnvironment Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.IssuerDN.GetValueList(X509Name.OU).Contains(SandboxUnit) ? NetworkEnvironment.Sandbox : NetworkEnvironment.Production;
    }

    /// <summary>The name a treasury clerk reads: 生产环境 or 测试环境.</summary>
    public static string ChineseName(this NetworkEnvironment environment) =>
        environment == NetworkEnvironment.Sandbox ? "测试环境" : "生产环境";

    /// <summary>One line saying a certificate is of the other environment, or null when it is of <paramref name="expected"/>.</summary>
    public static string? Mismatch(X509Certificate certificate, NetworkEnvironment expected, string what)
    {
        var actual = Of(certificate);
        return actual == expected
            ? null
            : $"{what} names the {Describe(actual)} in its issuer, this node is of the {Describe(expected)}: neither takes the other's messages or stamps";
    }

    private static string Describe(NetworkEnvironment environment) =>
        environment == NetworkEnvironment.Sandbox ? "test environment (测试环境)" : "production environment (生产环境)";
}
