using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// Validates end-entity certificates of the <see cref="NetworkPki"/>: leaf → issuing CA → root, signatures
/// (SM3withSM2, default user ID), validity of all three at the time asked about, revocation of the leaf on the
/// issuing CA's CRL and of the issuing CA on the root's CRL, and the key usage each <see cref="CertificateUse"/>
/// needs.
/// </summary>
/// <remarks>
/// <para>Checks run in this order and the first failure is the answer: Malformed, UntrustedChain, NotEndEntity,
/// NotYetValid/Expired (leaf, issuing CA, root), WrongKeyUsage, RevocationUnknown/Revoked.</para>
/// <para>Revocation: a CRL counts when its issuer name is the CA's and its signature verifies; any such CRL is
/// accepted, whatever its thisUpdate/nextUpdate (the caller supplies the current one). An entry revokes from its
/// revocation time on: a certificate revoked after <c>at</c> is valid at <c>at</c>. No CRL, or none that verifies,
/// gives RevocationUnknown.</para>
/// <para>Use rules: Institution and Person need keyUsage digitalSignature or nonRepudiation, no extendedKeyUsage,
/// and the subject shape <see cref="CertificateIdentities"/> reads as an institution (no UID) or a person (UID);
/// Timestamping needs extendedKeyUsage id-kp-timeStamping and, if keyUsage is present, digitalSignature or
/// nonRepudiation.</para>
/// <para>The leaf's signature check is cached by a SHA-256 of its DER (at most <see cref="CacheEntriesMax"/>
/// entries, cleared when full), the CRLs' by object. Thread-safe.</para>
/// </remarks>
public sealed class PkiCertificateValidator : ICertificateValidator
{
    /// <summary>Leaf signature results kept; a network has a few thousand certificates at most.</summary>
    public const int CacheEntriesMax = 4096;

    private readonly X509Certificate _root;
    private readonly X509Certificate _issuing;
    private readonly AsymmetricKeyParameter _issuingKey;
    private readonly AsymmetricKeyParameter _rootKey;
    private readonly byte[] _rootDer;
    private readonly byte[] _issuingDer;
    private readonly Func<X509Crl?> _crl;
    private readonly Func<X509Crl?> _rootCrl;
    private readonly ConcurrentDictionary<string, bool> _signedByIssuing = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<X509Crl, object> _verifiedCrls = [];

    /// <summary>
    /// A validator for the PKI of <paramref name="root"/> and <paramref name="issuing"/>; the CRL sources are asked on
    /// every validation, so they can hand out newer CRLs as they are published.
    /// </summary>
    /// <exception cref="ArgumentException">The root is not a self-signed CA or the issuing CA is not a CA signed by it.</exception>
    public PkiCertificateValidator(X509Certificate root, X509Certificate issuing, Func<X509Crl?> issuingCrl, Func<X509Crl?> rootCrl)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(issuing);
        ArgumentNullException.ThrowIfNull(issuingCrl);
        ArgumentNullException.ThrowIfNull(rootCrl);
        _rootKey = root.GetPublicKey();
        _issuingKey = issuing.GetPublicKey();
        if (root.GetBasicConstraints() < 0 || !root.SubjectDN.Equivalent(root.IssuerDN) || !SignatureChecks.IsSignedBy(root, _rootKey))
        {
            throw new ArgumentException("The root must be a self-signed CA certificate.", nameof(root));
        }

        if (issuing.GetBasicConstraints() < 0 || !issuing.IssuerDN.Equivalent(root.SubjectDN) || !SignatureChecks.IsSignedBy(issuing, _rootKey))
        {
            throw new ArgumentException("The issuing CA must be a CA certificate signed by the root.", nameof(issuing));
        }

        _root = root;
        _issuing = issuing;
        Environment = NetworkEnvironments.Of(root);
        _rootDer = root.GetEncoded();
        _issuingDer = issuing.GetEncoded();
        _crl = issuingCrl;
        _rootCrl = rootCrl;
    }

    /// <summary>A validator over fixed CRLs.</summary>
    public PkiCertificateValidator(X509Certificate root, X509Certificate issuing, X509Crl? issuingCrl, X509Crl? rootCrl)
        : this(root, issuing, () => issuingCrl, () => rootCrl)
    {
    }

    /// <summary>A validator for <paramref name="pki"/> that always uses its latest CRLs.</summary>
    public static PkiCertificateValidator For(NetworkPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        return new PkiCertificateValidator(pki.Root, pki.Issuing, () => pki.Crl, () => pki.RootCrl);
    }

    public NetworkEnvironment Environment { get; }

    public CertificateValidation Validate(X509Certificate certificate, DateTimeOffset at, CertificateUse use)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!Enum.IsDefined(use))
        {
            throw new ArgumentOutOfRangeException(nameof(use), use, "Not a certificate use.");
        }

        try
        {
            return Check(certificate, at.UtcDateTime, use);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or InvalidOperationException or FormatException or IOException)
        {
            // BouncyCastle parses extensions lazily and throws on bad encodings when asked for them.
            return Fail(CertificateFailure.Malformed, $"The certificate cannot be read: {e.Message}");
        }
    }

    private CertificateValidation Check(X509Certificate certificate, DateTime at, CertificateUse use)
    {
        var der = certificate.GetEncoded();
        if (der.AsSpan().SequenceEqual(_issuingDer) || der.AsSpan().SequenceEqual(_rootDer))
        {
            return Fail(CertificateFailure.NotEndEntity, "A CA certificate of the network cannot sign.");
        }

        if (NetworkEnvironments.Mismatch(certificate, Environment, $"'{certificate.SubjectDN}'") is { } other)
        {
            return Fail(CertificateFailure.WrongEnvironment, other + ".");
        }

        if (!certificate.IssuerDN.Equivalent(_issuing.SubjectDN) || !IsSignedByIssuing(certificate, der))
        {
            return Fail(CertificateFailure.UntrustedChain, $"'{certificate.SubjectDN}' is not signed by the network's issuing CA '{_issuing.SubjectDN}'.");
        }

        if (certificate.GetBasicConstraints() >= 0)
        {
            return Fail(CertificateFailure.NotEndEntity, $"'{certificate.SubjectDN}' is a CA certificate.");
        }

        foreach (var (cert, role) in new[] { (certificate, "certificate"), (_issuing, "issuing CA"), (_root, "root") })
        {
            if (at < cert.NotBefore)
            {
                return Fail(CertificateFailure.NotYetValid, $"The {role} is valid from {cert.NotBefore:u}, not yet at {at:u}.");
            }

            if (at > cert.NotAfter)
            {
                return Fail(CertificateFailure.Expired, $"The {role} expired at {cert.NotAfter:u}, before {at:u}.");
            }
        }

        var usage = CheckUse(certificate, use);
        if (!usage.IsValid)
        {
            return usage;
        }

        var rootRevocation = CheckRevocation(_rootCrl(), _root, _rootKey, _issuing, at, "issuing CA");
        return rootRevocation.IsValid
            ? CheckRevocation(_crl(), _issuing, _issuingKey, certificate, at, "certificate")
            : rootRevocation;
    }

    private static CertificateValidation CheckUse(X509Certificate certificate, CertificateUse use)
    {
        var keyUsage = certificate.GetKeyUsage(); // null when absent; [0] digitalSignature, [1] nonRepudiation
        var signs = keyUsage is not null && (keyUsage[0] || keyUsage[1]);
        var extendedUsage = certificate.GetExtendedKeyUsage(); // null when absent
        switch (use)
        {
            case CertificateUse.Institution or CertificateUse.Person:
                if (!signs || extendedUsage is not null)
                {
                    return Fail(CertificateFailure.WrongKeyUsage, "A signing certificate needs keyUsage digitalSignature or nonRepudiation and no extendedKeyUsage.");
                }

                var isPerson = CertificateIdentities.TryRead(certificate, out var identity) && identity.UserId is not null;
                var isInstitution = identity is not null && identity.UserId is null;
                return (use == CertificateUse.Person ? isPerson : isInstitution)
                    ? CertificateValidation.Valid
                    : Fail(CertificateFailure.WrongKeyUsage, $"'{certificate.SubjectDN}' is not {(use == CertificateUse.Person ? "a person" : "an institution")} certificate of the network.");
            default:
                var stamps = extendedUsage is not null && extendedUsage.Contains(KeyPurposeID.id_kp_timeStamping);
                return stamps && (keyUsage is null || signs)
                    ? CertificateValidation.Valid
                    : Fail(CertificateFailure.WrongKeyUsage, "A timestamping certificate needs extendedKeyUsage id-kp-timeStamping.");
        }
    }

    private CertificateValidation CheckRevocation(X509Crl? crl, X509Certificate ca, AsymmetricKeyParameter caKey, X509Certificate subject, DateTime at, string role)
    {
        if (crl is null)
        {
            return Fail(CertificateFailure.RevocationUnknown, $"No CRL of '{ca.SubjectDN}' to check the {role} against.");
        }

        if (!IsCrlOf(crl, ca, caKey))
        {
            return Fail(CertificateFailure.RevocationUnknown, $"The CRL given for '{ca.SubjectDN}' is not signed by it.");
        }

        var entry = crl.GetRevokedCertificate(subject.SerialNumber);
        return entry is not null && entry.RevocationDate <= at
            ? Fail(CertificateFailure.Revoked, $"The {role} was revoked at {entry.RevocationDate:u}, at or before {at:u}.")
            : CertificateValidation.Valid;
    }

    private bool IsCrlOf(X509Crl crl, X509Certificate ca, AsymmetricKeyParameter caKey)
    {
        if (_verifiedCrls.TryGetValue(crl, out var verifiedFor))
        {
            return ReferenceEquals(verifiedFor, ca);
        }

        var valid = crl.IssuerDN.Equivalent(ca.SubjectDN) && SignatureChecks.IsSignedBy(crl, caKey);
        if (valid)
        {
            // Only good results are cached; X509Crl objects are immutable, so the result holds while the object lives.
            _verifiedCrls.AddOrUpdate(crl, ca);
        }

        return valid;
    }

    private bool IsSignedByIssuing(X509Certificate certificate, byte[] der)
    {
        var key = Convert.ToHexString(SHA256.HashData(der));
        if (_signedByIssuing.TryGetValue(key, out var signed))
        {
            return signed;
        }

        signed = SignatureChecks.IsSignedBy(certificate, _issuingKey);
        if (_signedByIssuing.Count >= CacheEntriesMax)
        {
            // Bounded the simple way: start over. Re-verifying costs one SM2 verify per certificate.
            _signedByIssuing.Clear();
        }

        _signedByIssuing[key] = signed;
        return signed;
    }

    private static CertificateValidation Fail(CertificateFailure failure, string message) => new(failure, message);
}
