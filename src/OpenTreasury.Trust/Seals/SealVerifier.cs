using System.Globalization;
using System.Security.Cryptography;

using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Seals;

/// <summary>
/// Verifies signed seals following GB/T 38540 §7.3, each failure with its own <see cref="StampFailure"/>.
/// Thread-safe when its collaborators are. Never throws on hostile stamp bytes.
/// </summary>
public sealed class SealVerifier(ICertificateValidator certificates, ITimestampVerifier? timestamps, Func<X509Certificate, bool> isAuthorizedMaker)
{
    /// <summary>How far a timestamp's time may lie from the signer's timeInfo.</summary>
    public static readonly TimeSpan TimestampSkewMax = TimeSpan.FromMinutes(10);

    private readonly ICertificateValidator _certificates = certificates ?? throw new ArgumentNullException(nameof(certificates));
    private readonly Func<X509Certificate, bool> _isAuthorizedMaker = isAuthorizedMaker ?? throw new ArgumentNullException(nameof(isAuthorizedMaker));

    // Seals whose maker signature verified, by the SM3 of their exact DER: a node sees the same few seals on
    // thousands of stamps. Only the signature's result is remembered; validity and revocation are checked each time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _sealsVerified = new(StringComparer.Ordinal);
    private const int SealsVerifiedMax = 4_096;

    /// <summary>
    /// Checks, in order, the first failure deciding: the DER parses; both algorithms are SM3withSM2 with SM2
    /// keys; (1) dataHash is SM3(<paramref name="data"/>); (2) the signer's signature over TBS_Sign;
    /// propertyInfo is <paramref name="expectedPropertyInfo"/>; (3) the signer is listed in the seal; (4) the
    /// maker's signature over the seal info; (5) the maker is authorised and its certificate valid at
    /// timeInfo; (6) timeInfo lies in the seal's validity; (7) the signer certificate is valid at timeInfo as
    /// a person or an institution; the <paramref name="rights"/> callback; (8) the timestamp.
    /// </summary>
    public StampCheck Verify(ReadOnlySpan<byte> data, byte[] sesSignatureDer, string expectedPropertyInfo, Func<SealSignature, StampRefusal?>? rights = null, bool requireTimestamp = true) =>
        Verify(DataHash.Of(data), sesSignatureDer, expectedPropertyInfo, rights, requireTimestamp);

    /// <summary>As <see cref="Verify(ReadOnlySpan{byte}, byte[], string, Func{SealSignature, StampRefusal?}?, bool)"/>, with the data's SM3 computed once by the caller for all its stamps.</summary>
    public StampCheck Verify(DataHash data, byte[] sesSignatureDer, string expectedPropertyInfo, Func<SealSignature, StampRefusal?>? rights = null, bool requireTimestamp = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(expectedPropertyInfo);
        if (sesSignatureDer is null)
        {
            return new StampCheck(StampFailure.Malformed, "no signed seal was given", null, null, null);
        }

        if (!SealSignature.TryParse(sesSignatureDer, out var stamp, out var error, out var unsupported))
        {
            return new StampCheck(unsupported ? StampFailure.UnsupportedVersion : StampFailure.Malformed, error, null, null, null);
        }

        var seal = stamp.Seal;
        var property = seal.Info.Property;
        var time = stamp.TimeInfo;
        string? signerSubject = null;
        StampCheck Fail(StampFailure failure, string message) =>
            new(failure, $"seal '{property.Name}' (esID {seal.Info.EsId}): {message}", stamp, signerSubject, null);

        if (!ElectronicSeal.IsSm3WithSm2(stamp.SignatureAlgorithmOid))
        {
            return Fail(StampFailure.UnsupportedAlgorithm, $"the signer's algorithm {stamp.SignatureAlgorithmOid} is not SM3withSM2 ({Sm2.SignatureAlgorithmOid})");
        }

        if (!ElectronicSeal.IsSm3WithSm2(seal.SignatureAlgorithmOid))
        {
            return Fail(StampFailure.UnsupportedAlgorithm, $"the seal maker's algorithm {seal.SignatureAlgorithmOid} is not SM3withSM2 ({Sm2.SignatureAlgorithmOid})");
        }

        var signer = ReadCertificate(stamp.SignerCertificate, out var signerKey);
        var maker = ReadCertificate(seal.MakerCertificate, out var makerKey);
        if (signer is null || maker is null)
        {
            return Fail(StampFailure.Malformed, $"the {(signer is null ? "signer" : "maker")} certificate is not a well-formed X.509 certificate");
        }

        signerSubject = signer.SubjectDN.ToString();
        if (signerKey is null || makerKey is null)
        {
            return Fail(StampFailure.UnsupportedAlgorithm, $"the {(signerKey is null ? "signer" : "maker")} certificate does not carry an SM2 key");
        }

        // (1) The data.
        if (!data.Bytes.SequenceEqual(stamp.DataHash))
        {
            return Fail(StampFailure.DataHashMismatch, "dataHash is not SM3 of the data: the data was altered after stamping");
        }

        // (2) The signer's signature.
        if (!Sm2.Verify(signerKey, stamp.ToSignDer, stamp.Signature))
        {
            return Fail(StampFailure.SignatureInvalid, $"the signature of {signerSubject} over TBS_Sign does not verify: the stamp was forged or altered");
        }

        if (!string.Equals(stamp.PropertyInfo, expectedPropertyInfo, StringComparison.Ordinal))
        {
            return Fail(StampFailure.PropertyMismatch, $"the stamp was made for '{stamp.PropertyInfo}', not '{expectedPropertyInfo}': it was moved from another voucher or position");
        }

        // (3) The signer may use this seal.
        if (!IsListed(property, stamp.SignerCertificate))
        {
            return Fail(StampFailure.SignerNotInSeal, $"{signerSubject} is not among the seal's signers");
        }

        // (4) The seal itself.
        if (!MakerSignatureVerifies(seal, makerKey))
        {
            return Fail(StampFailure.SealSignatureInvalid, $"the maker's signature over the seal info does not verify: the seal was forged or altered");
        }

        // (4b) The environment: a test network's stamps are not production's, nor the other way round.
        if ((NetworkEnvironments.Mismatch(maker, _certificates.Environment, "the seal maker") ?? NetworkEnvironments.Mismatch(signer, _certificates.Environment, $"the signer {signerSubject}")) is { } other)
        {
            return Fail(StampFailure.WrongEnvironment, other);
        }

        // (5) The maker.
        if (!_isAuthorizedMaker(maker))
        {
            return Fail(StampFailure.MakerNotAuthorized, $"{maker.SubjectDN} is not authorised to make seals");
        }

        var makerValidation = _certificates.Validate(maker, time, CertificateUse.Institution);
        if (!makerValidation.IsValid)
        {
            return Fail(StampFailure.MakerCertificateInvalid, $"the maker certificate of {maker.SubjectDN} is not valid at {Format(time)}: {makerValidation.Failure} ({makerValidation.Message})");
        }

        // (6) The seal's validity window.
        if (time < property.ValidStart || time > property.ValidEnd)
        {
            return Fail(StampFailure.SealNotValidAtSigningTime, $"signed at {Format(time)}, outside the seal's validity {Format(property.ValidStart)} to {Format(property.ValidEnd)}");
        }

        // (7) The signer's certificate: a person's USBKey or an institution's signing server.
        if (SignerCertificateProblem(signer, time, signerSubject) is { } invalid)
        {
            return Fail(StampFailure.SignerCertificateInvalid, invalid);
        }

        // The caller's rights: may this signer stamp here, is the seal still in force.
        if (rights?.Invoke(stamp) is { Failure: not StampFailure.None } refusal)
        {
            return Fail(refusal.Failure, refusal.Message);
        }

        // (8) The timestamp.
        DateTimeOffset? timestampTime = null;
        if (stamp.TimeStamp is null)
        {
            if (requireTimestamp)
            {
                return Fail(StampFailure.TimestampMissing, "the stamp carries no timestamp");
            }
        }
        else if (timestamps is not null)
        {
            var check = timestamps.Verify(stamp.TimeStamp, stamp.Signature);
            if (!check.IsValid || check.Time is null)
            {
                return Fail(StampFailure.TimestampInvalid, $"the timestamp does not verify: {check.Failure} ({check.Message})");
            }

            timestampTime = check.Time;
            if ((check.Time.Value - time).Duration() > TimestampSkewMax)
            {
                return Fail(StampFailure.TimestampMismatch, $"the timestamp says {Format(check.Time.Value)} but timeInfo says {Format(time)}, more than {TimestampSkewMax.TotalMinutes} minutes apart");
            }

            // A signer who backdates timeInfo must still have held a valid certificate when the TSA saw the signature.
            if (check.Time.Value > time && SignerCertificateProblem(signer, check.Time.Value, signerSubject) is { } invalidThen)
            {
                return Fail(StampFailure.SignerCertificateInvalid, invalidThen);
            }
        }
        else if (requireTimestamp)
        {
            return Fail(StampFailure.TimestampInvalid, "a timestamp is required but no timestamp verifier is configured");
        }

        return new StampCheck(StampFailure.None, $"seal '{property.Name}' (esID {seal.Info.EsId}) stamped by {signerSubject} at {Format(time)}: valid", stamp, signerSubject, timestampTime);
    }

    private bool MakerSignatureVerifies(ElectronicSeal seal, AsymmetricKeyParameter makerKey)
    {
        var digest = Convert.ToHexString(Sm3.Hash(seal.Der));
        if (_sealsVerified.ContainsKey(digest))
        {
            return true;
        }

        if (!Sm2.Verify(makerKey, seal.MakerSignedDer, seal.SignatureValue))
        {
            return false;
        }

        if (_sealsVerified.Count >= SealsVerifiedMax)
        {
            _sealsVerified.Clear();
        }

        _sealsVerified[digest] = true;
        return true;
    }

    private string? SignerCertificateProblem(X509Certificate signer, DateTimeOffset at, string signerSubject)
    {
        var asPerson = _certificates.Validate(signer, at, CertificateUse.Person);
        if (asPerson.IsValid)
        {
            return null;
        }

        var asInstitution = _certificates.Validate(signer, at, CertificateUse.Institution);
        return asInstitution.IsValid
            ? null
            : $"the signer certificate of {signerSubject} is not valid at {Format(at)}: {asPerson.Failure} as a person ({asPerson.Message}), {asInstitution.Failure} as an institution ({asInstitution.Message})";
    }

    /// <summary>Certificate-list membership: byte equality for type 1, a digest match for type 2.</summary>
    internal static bool IsListed(SealProperty property, byte[] certificateDer)
    {
        if (property.CertListType == SealProperty.CertListCertificates)
        {
            return property.Certificates.Any(c => c.AsSpan().SequenceEqual(certificateDer));
        }

        foreach (var digest in property.CertDigests)
        {
            var computed = DigestOf(digest.Algorithm, certificateDer);
            if (computed is not null && CryptographicOperations.FixedTimeEquals(computed, digest.Digest))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The digest named in free text; null for a name we do not know (that entry cannot match).</summary>
    internal static byte[]? DigestOf(string algorithm, byte[] data) =>
        algorithm.Trim().ToUpperInvariant() switch
        {
            "SM3" or Sm3.AlgorithmOid => Sm3.Hash(data),
            // SHA-1 here only names a listed certificate (as some seal makers write it), it signs nothing.
            "SHA1" or "SHA-1" or "1.3.14.3.2.26" => DigestUtilities.CalculateDigest("SHA-1", data),
            "SHA256" or "SHA-256" or "2.16.840.1.101.3.4.2.1" => DigestUtilities.CalculateDigest("SHA-256", data),
            _ => null,
        };

    /// <summary>The certificate and its SM2 public key (null when not SM2); null when it is not X.509 DER.</summary>
    internal static X509Certificate? ReadCertificate(byte[] der, out AsymmetricKeyParameter? sm2Key)
    {
        sm2Key = null;
        if (der.Length == 0 || !DerShape.IsSingleValue(der, SealAsn1.DepthMax))
        {
            return null;
        }

        try
        {
            var certificate = new X509Certificate(der);
            var key = certificate.GetPublicKey();
            sm2Key = !key.IsPrivate && Sm2.IsSm2Key(key) ? key : null;
            return certificate;
        }
        catch (Exception)
        {
            // Hostile certificate bytes can make the parser throw almost anything; all of it means "malformed".
            return null;
        }
    }

    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
