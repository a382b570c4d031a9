using OpenTreasury.Domain.Parties;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>What a certificate is used for; each use has its own key-usage and chain rules.</summary>
public enum CertificateUse
{
    Institution = 1, // a party's signature server or seal maker (机构证书)
    Person = 2,      // a person's signing certificate on a USBKey (个人证书)
    Timestamping = 3,// the network's timestamp authority (extendedKeyUsage timeStamping)
}

/// <summary>Why a certificate is not acceptable at a given time; stable codes.</summary>
public enum CertificateFailure
{
    None = 0,
    Malformed = 1,
    UntrustedChain = 2,      // does not chain to the network root through its issuing CA
    NotYetValid = 3,
    Expired = 4,
    Revoked = 5,             // on the issuer's CRL with a revocation time at or before the time asked about
    WrongKeyUsage = 6,       // key usage / extended key usage does not allow the use
    NotEndEntity = 7,        // a CA certificate used to sign
    RevocationUnknown = 8,   // no valid CRL of the issuer covers the time asked about
    WrongEnvironment = 9,    // issued in a test environment (测试环境) for a production node, or the other way round
}

public sealed record CertificateValidation(CertificateFailure Failure, string Message)
{
    public static CertificateValidation Valid { get; } = new(CertificateFailure.None, "valid");

    public bool IsValid => Failure == CertificateFailure.None;
}

/// <summary>Checks an end-entity certificate against the network PKI at a moment in time.</summary>
public interface ICertificateValidator
{
    CertificateValidation Validate(X509Certificate certificate, DateTimeOffset at, CertificateUse use);

    /// <summary>The environment of the network this validator trusts (production unless its CA says otherwise).</summary>
    NetworkEnvironment Environment => NetworkEnvironment.Production;
}

/// <summary>Who a certificate names: the party, and for a person the user id and name.</summary>
public sealed record CertificateIdentity(PartyId Party, string? UserId, string Name, string? Post);

/// <summary>Why a timestamp token is not acceptable; stable codes.</summary>
public enum TimestampFailure
{
    None = 0,
    Malformed = 1,
    BadSignature = 2,
    UntrustedAuthority = 3,  // the TSA certificate is not the network's timestamping certificate
    ImprintMismatch = 4,     // the token is not over this signature value
    WrongAlgorithm = 5,      // the imprint is not SM3 (1.2.156.10197.1.401)
    Refused = 6,             // the TSA answered with a status other than granted (its PKIStatus and failInfo in the message)
    NonceMismatch = 7,       // the response's token does not carry the nonce of the request (a replayed or crossed answer)
    Unavailable = 8,         // the TSA could not be reached or answered outside the protocol (HTTP status, media type, size, timeout)
}

public sealed record TimestampCheck(TimestampFailure Failure, string Message, DateTimeOffset? Time)
{
    public bool IsValid => Failure == TimestampFailure.None;
}

/// <summary>The network's RFC 3161 timestamp authority (SM2/SM3): a token over a signature value.</summary>
public interface ITimestampAuthority
{
    /// <summary>A DER TimeStampToken (CMS ContentInfo) whose message imprint is SM3(<paramref name="signatureValue"/>).</summary>
    byte[] Stamp(ReadOnlySpan<byte> signatureValue);
}

/// <summary>Verifies a timestamp token over a signature value.</summary>
public interface ITimestampVerifier
{
    TimestampCheck Verify(byte[] token, ReadOnlySpan<byte> signatureValue);
}
