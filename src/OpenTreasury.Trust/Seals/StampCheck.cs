namespace OpenTreasury.Trust.Seals;

/// <summary>Why a signed seal (a stamp) was refused. The numbers are stable: they travel in logs and replies.</summary>
public enum StampFailure
{
    None = 0,

    /// <summary>Not a well-formed DER SES_Signature, or an embedded certificate is not a well-formed X.509 certificate.</summary>
    Malformed = 1,

    /// <summary>A version we do not read (GM/T 0031-2025 V5 or later).</summary>
    UnsupportedVersion = 2,

    /// <summary>The signer's or maker's algorithm is not SM3withSM2, or a certificate does not carry an SM2 key.</summary>
    UnsupportedAlgorithm = 3,

    /// <summary>dataHash is not SM3 of the data: the data was altered after stamping.</summary>
    DataHashMismatch = 4,

    /// <summary>The signer's signature over TBS_Sign does not verify with the embedded signer certificate.</summary>
    SignatureInvalid = 5,

    /// <summary>propertyInfo differs from the expected one: the stamp was moved to another voucher or position.</summary>
    PropertyMismatch = 6,

    /// <summary>The signer certificate is not among the seal's allowed signers.</summary>
    SignerNotInSeal = 7,

    /// <summary>The maker's signature over the seal info does not verify: the seal was forged or altered.</summary>
    SealSignatureInvalid = 8,

    /// <summary>The seal maker is not one the network authorises to make seals.</summary>
    MakerNotAuthorized = 9,

    /// <summary>The maker certificate is not valid at the signing time (chain, validity, revocation, key usage).</summary>
    MakerCertificateInvalid = 10,

    /// <summary>The signing time lies outside the seal's validStart..validEnd.</summary>
    SealNotValidAtSigningTime = 11,

    /// <summary>The signer certificate is not valid at the signing time; the message carries the CertificateFailure.</summary>
    SignerCertificateInvalid = 12,

    /// <summary>The signer may not stamp at this position (from the rights callback).</summary>
    PositionNotAllowed = 13,

    /// <summary>A timestamp is required and the stamp has none.</summary>
    TimestampMissing = 14,

    /// <summary>The timestamp token does not verify; the message carries the TimestampFailure.</summary>
    TimestampInvalid = 15,

    /// <summary>The timestamp time differs from timeInfo by more than <see cref="SealVerifier.TimestampSkewMax"/>.</summary>
    TimestampMismatch = 16,

    /// <summary>The seal has been revoked (for the rights callback to use).</summary>
    SealRevoked = 17,

    /// <summary>The seal or its signer is of a test environment (测试环境) and the verifier of production, or the other way round.</summary>
    WrongEnvironment = 18,
}

/// <summary>A refusal from the caller's rights callback (position right, seal revoked).</summary>
public sealed record StampRefusal(StampFailure Failure, string Message);

/// <summary>
/// The outcome of verifying one stamp: a stable code, a message naming the seal and its esID, and what was
/// read from the stamp (null when it could not be parsed).
/// </summary>
public sealed record StampCheck(StampFailure Failure, string Message, SealSignature? Signature, string? SignerSubject, DateTimeOffset? TimestampTime)
{
    public bool IsValid => Failure == StampFailure.None;

    public string? SealName => Signature?.Seal.Info.Property.Name;

    public string? EsId => Signature?.Seal.Info.EsId;

    /// <summary>timeInfo: the signing time the signer claims.</summary>
    public DateTimeOffset? SigningTime => Signature?.TimeInfo;
}
