using System.Collections.Concurrent;

using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Signatures;

/// <summary>
/// Verifies <see cref="VoucherSignature"/>s against one trust anchor, the network CA's root certificate.
/// Thread-safe. Certificates our CA issued are parsed and checked once and remembered by their DER
/// bytes, because the same few node certificates sign thousands of vouchers; keeping the parsed key also
/// lets BouncyCastle reuse its precomputed multiples of the signer's point.
/// </summary>
public sealed class SignatureVerifier
{
    /// <summary>Distinct CA-issued certificates remembered; past this the memory is cleared and refilled.</summary>
    public const int CertificateCacheEntriesMax = 4_096;

    private readonly X509Certificate _root;
    private readonly AsymmetricKeyParameter _rootKey;
    private readonly ConcurrentDictionary<byte[], CertificateFacts> _certificates = new(ByteArrayComparer.Instance);

    public SignatureVerifier(X509Certificate caRootCertificate)
    {
        ArgumentNullException.ThrowIfNull(caRootCertificate);
        _root = caRootCertificate;
        _rootKey = caRootCertificate.GetPublicKey();
        if (!Sm2.IsSm2Key(_rootKey))
        {
            throw new ArgumentException("The trust anchor must carry an SM2 key.", nameof(caRootCertificate));
        }
    }

    /// <summary>
    /// Checks, in order: the DER parses; the algorithm is SM3withSM2; the hash is SM3 of
    /// <paramref name="data"/>; the SM2 signature verifies with the embedded certificate's key; our CA issued
    /// the certificate; it was valid at the signing time; it is an end-entity signing certificate; it names
    /// <paramref name="expectedSigner"/>; the signature is for <paramref name="expectedPropertyInfo"/>.
    /// The first failing check decides. Never throws on hostile <paramref name="der"/>.
    /// </summary>
    public SignatureCheck Verify(ReadOnlySpan<byte> data, byte[] der, string expectedPropertyInfo, PartyId expectedSigner)
    {
        ArgumentNullException.ThrowIfNull(expectedPropertyInfo);
        if (der is null || !VoucherSignature.TryParse(der, out var signature))
        {
            return Fail(SignatureFailure.Malformed, "the signature is not a well-formed DER VoucherSignature", null, null);
        }

        var time = signature.SigningTime;
        if (signature.SignatureAlgorithmOid != Sm2.SignatureAlgorithmOid)
        {
            return Fail(SignatureFailure.UnsupportedAlgorithm, $"the signature algorithm {signature.SignatureAlgorithmOid} is not SM3withSM2 ({Sm2.SignatureAlgorithmOid})", null, time);
        }

        var facts = FactsOf(signature.CertificateDer);
        if (facts is null)
        {
            return Fail(SignatureFailure.Malformed, "the embedded signer certificate is not a well-formed X.509 certificate", null, time);
        }

        if (!facts.HasSm2Key)
        {
            return Fail(SignatureFailure.UnsupportedAlgorithm, "the signer certificate does not carry an SM2 key", facts, time);
        }

        if (!Sm3.Hash(data).AsSpan().SequenceEqual(signature.DataHash))
        {
            return Fail(SignatureFailure.DataHashMismatch, "the signed data hash does not match the voucher content: the voucher was altered after signing", facts, time);
        }

        if (!Sm2.Verify(facts.PublicKey, signature.ToSignDer, signature.SignatureValue))
        {
            return Fail(SignatureFailure.BadSignature, "the SM2 signature does not verify with the signer certificate's key: the signature was forged or altered", facts, time);
        }

        if (!facts.IssuedByRoot)
        {
            return Fail(SignatureFailure.UntrustedCertificate, $"the signer certificate ({facts.Subject}, issued by {facts.Issuer}) was not issued by this network's CA ({_root.SubjectDN})", facts, time);
        }

        if (time < facts.NotBefore || time > facts.NotAfter)
        {
            return Fail(SignatureFailure.CertificateNotValidAtSigningTime, $"the signer certificate is valid {facts.NotBefore:u} to {facts.NotAfter:u}, not at the signing time {time:u}", facts, time);
        }

        if (facts.IsCa || !facts.HasDigitalSignature)
        {
            return Fail(SignatureFailure.NotAnEndEntityCertificate, facts.IsCa
                ? "the signer certificate is a CA certificate, not a node's signing certificate"
                : "the signer certificate's key usage does not allow digital signatures", facts, time);
        }

        if (facts.Party != expectedSigner)
        {
            return Fail(SignatureFailure.WrongSigner, $"the voucher was signed by {(facts.Party?.ToString() ?? facts.Subject)}, not by {expectedSigner}", facts, time);
        }

        if (signature.PropertyInfo != expectedPropertyInfo)
        {
            return Fail(SignatureFailure.WrongProperty, $"the signature was made for '{signature.PropertyInfo}', not for '{expectedPropertyInfo}': a stamp was moved to another voucher or position", facts, time);
        }

        return new SignatureCheck(SignatureFailure.None, $"signed by {facts.Party} at {time:u}", facts.Party, time, facts.Subject);
    }

    private static SignatureCheck Fail(SignatureFailure failure, string message, CertificateFacts? facts, DateTimeOffset? time) =>
        new(failure, message, facts?.Party, time, facts?.Subject);

    private CertificateFacts? FactsOf(byte[] certificateDer)
    {
        if (_certificates.TryGetValue(certificateDer, out var known))
        {
            return known;
        }

        var facts = CertificateFacts.Read(certificateDer, _root, _rootKey);
        if (facts is not { IssuedByRoot: true })
        {
            // Only certificates our CA issued are remembered: anyone can mint other ones, and remembering
            // them would let hostile input fill the memory.
            return facts;
        }

        if (_certificates.Count >= CertificateCacheEntriesMax)
        {
            _certificates.Clear();
        }

        return _certificates.GetOrAdd(certificateDer, facts);
    }

    /// <summary>Everything the verifier needs from a certificate, read once.</summary>
    private sealed record CertificateFacts(
        AsymmetricKeyParameter PublicKey,
        bool HasSm2Key,
        bool IssuedByRoot,
        DateTimeOffset NotBefore,
        DateTimeOffset NotAfter,
        bool IsCa,
        bool HasDigitalSignature,
        PartyId? Party,
        string Subject,
        string Issuer)
    {
        public static CertificateFacts? Read(byte[] der, X509Certificate root, AsymmetricKeyParameter rootKey)
        {
            try
            {
                var certificate = new X509Certificate(der);
                if (!certificate.GetEncoded().AsSpan().SequenceEqual(der))
                {
                    return null;
                }

                var key = certificate.GetPublicKey();
                var keyUsage = certificate.GetKeyUsage();
                return new CertificateFacts(
                    key,
                    Sm2.IsSm2Key(key) && !key.IsPrivate,
                    IsIssuedBy(certificate, root, rootKey),
                    new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                    new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
                    certificate.GetBasicConstraints() >= 0,
                    keyUsage is { Length: > 0 } && keyUsage[0],
                    NodeCertificate.TryGetParty(certificate, out var party) ? party : null,
                    certificate.SubjectDN.ToString(),
                    certificate.IssuerDN.ToString());
            }
            catch (Exception)
            {
                // A hostile certificate can make the parser throw almost anything; all of it means "malformed".
                return null;
            }
        }

        private static bool IsIssuedBy(X509Certificate certificate, X509Certificate root, AsymmetricKeyParameter rootKey)
        {
            if (!certificate.IssuerDN.Equivalent(root.SubjectDN, true) || certificate.SigAlgOid != Sm2.SignatureAlgorithmOid)
            {
                return false;
            }

            try
            {
                certificate.Verify(rootKey);
                return true;
            }
            catch (Exception)
            {
                // BouncyCastle reports a bad certificate signature by throwing; any failure means "not ours".
                return false;
            }
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
