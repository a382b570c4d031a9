using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Signatures;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Node.Signing;

/// <summary>
/// A node's signature server (签名服务器) as the library uses it: signs with the node's credential,
/// verifies against the network CA. The propertyInfo binds a signature to one voucher, version and
/// stamp position, so a signature cannot be moved to another voucher or position.
/// </summary>
public sealed class NodeSigning(NodeCredential credential, SignatureVerifier verifier, SecureRandom random)
{
    public PartyId Party => credential.Party;

    public SignatureVerifier Verifier => verifier;

    public static string PropertyInfo(VoucherKey key, int version, string position) =>
        $"voucher:{key.VtCode}/{key.AdmDivCode}/{key.StYear}/{key.VoucherNo}/v{version}#{position}";

    public byte[] Sign(ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime) =>
        VoucherSigner.Sign(credential, data, propertyInfo, signingTime, random);

    public SignatureCheck Verify(ReadOnlySpan<byte> data, byte[] der, string propertyInfo, PartyId expectedSigner) =>
        verifier.Verify(data, der, propertyInfo, expectedSigner);
}
