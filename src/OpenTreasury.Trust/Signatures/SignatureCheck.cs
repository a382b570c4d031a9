using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Trust.Signatures;

/// <summary>Why a voucher signature was refused. The numbers are stable: they travel in logs and replies.</summary>
public enum SignatureFailure
{
    None = 0,

    /// <summary>The bytes are not a DER VoucherSignature (or its certificate is not a DER X.509 certificate).</summary>
    Malformed = 1,

    /// <summary>The signature algorithm is not SM3withSM2, or the certified key is not an SM2 key.</summary>
    UnsupportedAlgorithm = 2,

    /// <summary>The signed hash is not the SM3 of the data: the voucher was altered after signing.</summary>
    DataHashMismatch = 3,

    /// <summary>The SM2 signature does not verify with the embedded certificate's key.</summary>
    BadSignature = 4,

    /// <summary>The certificate was not issued by our CA (issuer differs or the CA's signature fails).</summary>
    UntrustedCertificate = 5,

    /// <summary>The signing time lies outside the certificate's validity.</summary>
    CertificateNotValidAtSigningTime = 6,

    /// <summary>The certificate is a CA certificate or its key usage lacks digitalSignature.</summary>
    NotAnEndEntityCertificate = 7,

    /// <summary>The certificate names another party than the one expected to sign.</summary>
    WrongSigner = 8,

    /// <summary>The signature was made for another voucher or stamp position (propertyInfo differs).</summary>
    WrongProperty = 9,
}

/// <summary>
/// The outcome of verifying one voucher signature: a stable code, a message for a person, and what could
/// be read from the signature (empty when it could not be parsed).
/// </summary>
public sealed record SignatureCheck(
    SignatureFailure Failure,
    string Message,
    PartyId? Signer,
    DateTimeOffset? SigningTime,
    string? SignerSubject)
{
    public bool IsValid => Failure == SignatureFailure.None;
}
