using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// Verifies an RFC 3161 token over a signature value against the network's trusted TSA certificate(s).
/// </summary>
/// <remarks>
/// Order of checks, first failure wins: Malformed (not a TimeStampToken, or larger than <see cref="TokenBytesMax"/>),
/// WrongAlgorithm (imprint not SM3), ImprintMismatch (imprint ≠ SM3(value)), UntrustedAuthority (signer is none of
/// the trusted certificates, or that certificate is not valid for Timestamping at genTime per the validator),
/// BadSignature (<c>TimeStampToken.Validate</c> fails: signature, ESS certificate hash). Certificates carried in the
/// token are ignored; only the trusted ones count. Thread-safe.
/// </remarks>
public sealed class TimestampVerifier : ITimestampVerifier
{
    /// <summary>Bytes a token may have; ours are about 1 KiB with the TSA certificate.</summary>
    public const int TokenBytesMax = 64 * 1024;

    private readonly X509Certificate[] _trusted;
    private readonly ICertificateValidator _validator;

    public TimestampVerifier(IEnumerable<X509Certificate> trustedAuthorities, ICertificateValidator validator)
    {
        ArgumentNullException.ThrowIfNull(trustedAuthorities);
        ArgumentNullException.ThrowIfNull(validator);
        _trusted = [.. trustedAuthorities];
        if (_trusted.Length == 0 || Array.Exists(_trusted, c => c is null))
        {
            throw new ArgumentException("At least one trusted TSA certificate is required, and none may be null.", nameof(trustedAuthorities));
        }

        _validator = validator;
    }

    public TimestampCheck Verify(byte[] token, ReadOnlySpan<byte> signatureValue)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length == 0 || token.Length > TokenBytesMax)
        {
            return Fail(TimestampFailure.Malformed, $"A token has 1 to {TokenBytesMax} bytes, not {token.Length}.");
        }

        TimeStampToken parsed;
        try
        {
            var signedData = new CmsSignedData(token);
            if (!CmsObjectIdentifiers.SignedData.Equals(signedData.ContentInfo.ContentType))
            {
                // BouncyCastle reads the content as SignedData whatever the (unsigned) outer type says.
                return Fail(TimestampFailure.Malformed, $"The token's content type is {signedData.ContentInfo.ContentType}, not signedData.");
            }

            parsed = new TimeStampToken(signedData);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // BouncyCastle throws CmsException, TspException, IOException, ArgumentException... on bad encodings.
            return Fail(TimestampFailure.Malformed, $"Not a timestamp token: {e.Message}");
        }

        var info = parsed.TimeStampInfo;
        if (info.MessageImprintAlgOid != GMObjectIdentifiers.sm3.Id)
        {
            return Fail(TimestampFailure.WrongAlgorithm, $"The imprint is {info.MessageImprintAlgOid}, not SM3 ({GMObjectIdentifiers.sm3.Id}).");
        }

        if (!info.GetMessageImprintDigest().AsSpan().SequenceEqual(Sm3.Hash(signatureValue)))
        {
            return Fail(TimestampFailure.ImprintMismatch, "The token is over another value.");
        }

        var authority = Array.Find(_trusted, parsed.SignerID.Match);
        if (authority is null)
        {
            return Fail(TimestampFailure.UntrustedAuthority, $"The token is signed by '{parsed.SignerID.Issuer}' serial {parsed.SignerID.SerialNumber}, not a trusted TSA.");
        }

        var genTime = new DateTimeOffset(DateTime.SpecifyKind(info.GenTime, DateTimeKind.Utc));
        var validation = _validator.Validate(authority, genTime, CertificateUse.Timestamping);
        if (!validation.IsValid)
        {
            return Fail(TimestampFailure.UntrustedAuthority, $"The TSA certificate is not valid at {genTime:u}: {validation.Failure} ({validation.Message}).");
        }

        try
        {
            parsed.Validate(authority);
        }
        catch (Exception e) when (e is TspException or CmsException or ArgumentException or InvalidOperationException or IOException)
        {
            return Fail(TimestampFailure.BadSignature, $"The token's signature does not verify: {e.Message}");
        }

        return new TimestampCheck(TimestampFailure.None, "valid", genTime);
    }

    private static TimestampCheck Fail(TimestampFailure failure, string message) => new(failure, message, null);
}
