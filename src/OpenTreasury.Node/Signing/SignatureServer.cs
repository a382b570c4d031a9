using System.Globalization;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Network;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Trust.Signatures;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Signing;

/// <summary>
/// A node's signature server (签名服务器) and seal server (电子印章服务器) behind one service: signs
/// and verifies status notices with the institution certificate, stamps vouchers with seals (public
/// seals with the institution key, personal seals on the person's USBKey) with a timestamp, verifies
/// stamps, and encrypts and decrypts SM4 envelopes whose key travels SM2-encrypted (C1C3C2).
/// </summary>
public sealed class SignatureServer(InstitutionKey institution, NetworkTrust trust, SecureRandom random) : ISignatureServer
{
    private readonly SignatureVerifier _noticeVerifier = new(trust.Issuing);

    public PartyId Party => institution.Party;

    public X509Certificate Certificate => institution.Certificate;

    public NetworkTrust Trust => trust;

    /// <summary>
    /// Binds a stamp to one voucher, version and position, so it cannot be moved, and to the stamp template version the
    /// voucher was made under (<c>@t2</c>; nothing for the default version 1, so the defaults' stamps read as they always
    /// have): the version travels signed in every stamp, and a receiver checks the positions of that version.
    /// </summary>
    public static string PropertyInfo(VoucherKey key, int version, string position, int templateVersion) =>
        templateVersion == StampTemplate.DefaultVersion
            ? $"voucher:{key.VtCode}/{key.AdmDivCode}/{key.StYear}/{key.VoucherNo}/v{version}#{position}"
            : $"voucher:{key.VtCode}/{key.AdmDivCode}/{key.StYear}/{key.VoucherNo}/v{version}#{position}@t{templateVersion.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The template version the stamps of a voucher body sign, read from the first: 1 when it names none (or there is no
    /// stamp, or it cannot be read: it then fails its own verification), null when it names a malformed one. Every stamp
    /// is verified against the propertyInfo built with this version, so a stamp naming another fails its signature.
    /// </summary>
    public static int? TemplateVersionOf(IReadOnlyList<Wire.WireStamp> stamps)
    {
        ArgumentNullException.ThrowIfNull(stamps);
        return stamps.Count == 0 ? StampTemplate.DefaultVersion
            : SealSignature.TryParse(stamps[0].Der, out var first, out _) ? TemplateVersionOf(first.PropertyInfo)
            : StampTemplate.DefaultVersion;
    }

    /// <summary>The template version one propertyInfo names: 1 when it names none, null when it names a malformed one.</summary>
    public static int? TemplateVersionOf(string propertyInfo)
    {
        ArgumentNullException.ThrowIfNull(propertyInfo);
        var at = propertyInfo.LastIndexOf("@t", StringComparison.Ordinal);
        if (at < 0)
        {
            return StampTemplate.DefaultVersion;
        }

        var digits = propertyInfo.AsSpan(at + 2);
        return digits.Length is >= 1 and <= 4 && digits[0] != '0' && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > StampTemplate.DefaultVersion
            ? version
            : null;
    }

    /// <summary>Signs a status notice (or any message) with the institution key.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime) =>
        VoucherSigner.Sign(institution.Credential, data, propertyInfo, signingTime, random);

    /// <summary>Verifies an institution signature: our issuing CA, the expected party, not revoked at the signing time.</summary>
    public SignatureCheck Verify(ReadOnlySpan<byte> data, byte[] der, string propertyInfo, PartyId expectedSigner)
    {
        var check = _noticeVerifier.Verify(data, der, propertyInfo, expectedSigner);
        if (!check.IsValid || !VoucherSignature.TryParse(der, out var signature))
        {
            return check;
        }

        var validation = trust.Validator.Validate(new X509Certificate(signature.CertificateDer), signature.SigningTime, CertificateUse.Institution);
        return validation.IsValid
            ? check
            : check with { Failure = SignatureFailure.UntrustedCertificate, Message = $"the signer certificate is not acceptable: {validation.Failure}: {validation.Message}" };
    }

    /// <summary>Stamps with a public seal: the seal server signs with the institution key.</summary>
    public SealSignature StampAsInstitution(ElectronicSeal seal, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime) =>
        SealStamper.Stamp(seal, institution.Certificate.GetEncoded(), toSign => Sm2.Sign(institution.Credential.PrivateKey, toSign, random),
            data, propertyInfo, signingTime, trust.TimestampAuthority);

    /// <summary>Stamps with a personal seal: the person's USBKey signs (it must be logged in with the PIN).</summary>
    public TokenResult<SealSignature> StampWithToken(ElectronicSeal seal, IUsbKeyContainer token, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.SignCertificate is null)
        {
            return new TokenResult<SealSignature>(TokenError.KeyNotFound, "the USBKey holds no signing certificate", null);
        }

        TokenResult<byte[]>? refused = null;
        try
        {
            var stamp = SealStamper.Stamp(seal, token.SignCertificate.GetEncoded(), toSign =>
            {
                var signed = token.SignMessage(toSign, Sm2.DefaultUserId);
                if (!signed.Succeeded)
                {
                    refused = signed;
                    throw new TokenException(signed.Error, signed.Message);
                }

                return signed.Value!;
            }, data, propertyInfo, signingTime, trust.TimestampAuthority);
            return TokenResult.Ok(stamp);
        }
        catch (TokenException) when (refused is { } r)
        {
            return new TokenResult<SealSignature>(r.Error, r.Message, null, r.RemainingRetries);
        }
    }

    /// <summary>How far a stamp's signing time, made on the person's own machine, may lie from the node's clock.</summary>
    public static readonly TimeSpan PresentedStampSkewMax = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Completes a personal stamp the person made on their own machine (their support control 支撑控件 signed
    /// TBS_Sign with their USBKey): it must be made with <paramref name="seal"/>, over <paramref name="data"/>,
    /// for <paramref name="propertyInfo"/>, within <see cref="PresentedStampSkewMax"/> of <paramref name="now"/>,
    /// and carry no timestamp yet. The node adds the TSA's timestamp over the signature and verifies the whole
    /// stamp as a receiver will (signature, signer in the seal, seal maker, certificates). Null and the reason when refused.
    /// </summary>
    public (SealSignature? Stamp, string Refusal) AcceptPresented(ElectronicSeal seal, ReadOnlySpan<byte> presented, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(seal);
        if (!SealSignature.TryParse(presented, out var made, out var error))
        {
            return (null, $"the presented stamp is not a SES_Signature: {error}");
        }

        var refusal = made switch
        {
            _ when !made.Seal.Der.AsSpan().SequenceEqual(seal.Der) => "it is made with another seal than the person's registered personal seal",
            _ when !made.DataHash.AsSpan().SequenceEqual(Sm3.Hash(data)) => "it signs other data than this voucher",
            _ when made.PropertyInfo != propertyInfo => $"it is for {made.PropertyInfo}, not {propertyInfo}",
            _ when (made.TimeInfo - now).Duration() > PresentedStampSkewMax => $"its signing time {made.TimeInfo:O} is more than {PresentedStampSkewMax.TotalMinutes} minutes from the node's {now:O}",
            _ when made.TimeStamp is not null => "it already carries a timestamp; the node adds the TSA's",
            _ => null,
        };
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var der = SealSignature.Encode(made.ToSignDer, made.SignerCertificate, made.SignatureAlgorithmOid, made.Signature, trust.TimestampAuthority.Stamp(made.Signature));
        var check = VerifyStamp(data, der, propertyInfo, _ => null);
        return check.IsValid ? (check.Signature, string.Empty) : (null, $"{check.Failure} ({(int)check.Failure}): {check.Message}");
    }

    /// <summary>Verifies a stamp in the order of GB/T 38540 §7.3; <paramref name="rights"/> checks the seal's right to the position.</summary>
    public StampCheck VerifyStamp(ReadOnlySpan<byte> data, byte[] der, string propertyInfo, Func<SealSignature, StampRefusal?> rights) =>
        trust.SealVerifier.Verify(data, der, propertyInfo, rights, requireTimestamp: true);

    /// <summary>As above, with the data's SM3 computed once for all the stamps on it.</summary>
    public StampCheck VerifyStamp(DataHash data, byte[] der, string propertyInfo, Func<SealSignature, StampRefusal?> rights) =>
        trust.SealVerifier.Verify(data, der, propertyInfo, rights, requireTimestamp: true);

    /// <summary>An SM4-GCM envelope for <paramref name="recipient"/>: a fresh key, SM2-encrypted (C1C3C2) to the recipient's certificate.</summary>
    public byte[] Seal(ReadOnlySpan<byte> payload, X509Certificate recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var key = Sm4.GenerateKey(random);
        var wrapped = Sm2.Encrypt(recipient.GetPublicKey(), key, random);
        var body = Sm4.Encrypt(key, payload, random, wrapped);
        var envelope = new byte[2 + wrapped.Length + body.Length];
        envelope[0] = (byte)(wrapped.Length >> 8);
        envelope[1] = (byte)wrapped.Length;
        wrapped.CopyTo(envelope, 2);
        body.CopyTo(envelope, 2 + wrapped.Length);
        return envelope;
    }

    /// <summary>Opens an envelope sealed to this node; false when it is not for us or was altered.</summary>
    public bool TryOpen(ReadOnlySpan<byte> envelope, out byte[] payload)
    {
        payload = [];
        if (envelope.Length < 2)
        {
            return false;
        }

        var wrappedLength = (envelope[0] << 8) | envelope[1];
        if (envelope.Length < 2 + wrappedLength)
        {
            return false;
        }

        var wrapped = envelope.Slice(2, wrappedLength);
        return Sm2.TryDecrypt(institution.Credential.PrivateKey, wrapped, out var key)
            && Sm4.TryDecrypt(key, envelope[(2 + wrappedLength)..], out payload, wrapped);
    }
}

/// <summary>
/// The one service a node's library signs, stamps, verifies and encrypts through (签名服务器): software keys
/// today (<see cref="SignatureServer"/>), a GM/T 0018 SDF or GM/T 0029 SVS server later.
/// </summary>
public interface ISignatureServer
{
    PartyId Party { get; }

    /// <summary>The institution certificate of this node's signature and seal server.</summary>
    X509Certificate Certificate { get; }

    NetworkTrust Trust { get; }

    byte[] Sign(ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime);

    SignatureCheck Verify(ReadOnlySpan<byte> data, byte[] der, string propertyInfo, PartyId expectedSigner);

    SealSignature StampAsInstitution(ElectronicSeal seal, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime);

    TokenResult<SealSignature> StampWithToken(ElectronicSeal seal, IUsbKeyContainer token, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime);

    StampCheck VerifyStamp(ReadOnlySpan<byte> data, byte[] der, string propertyInfo, Func<SealSignature, StampRefusal?> rights);

    StampCheck VerifyStamp(DataHash data, byte[] der, string propertyInfo, Func<SealSignature, StampRefusal?> rights);

    (SealSignature? Stamp, string Refusal) AcceptPresented(ElectronicSeal seal, ReadOnlySpan<byte> presented, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset now);

    byte[] Seal(ReadOnlySpan<byte> payload, X509Certificate recipient);

    bool TryOpen(ReadOnlySpan<byte> envelope, out byte[] payload);
}
