using System.Buffers.Binary;

using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;

using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Seals;

/// <summary>
/// A seal made by the finance bureau for ICBC's signing certificate, and the fakes the verifier codes
/// against: a certificate validator that knows expiry and a revocation list, and a timestamp authority.
/// </summary>
internal static class SealWorld
{
    public const string Property = "520100260302000001:yh_stamp1";

    public static readonly byte[] Data = "<Voucher><Amount>1234.50</Amount></Voucher>"u8.ToArray();

    public static NodeCredential Maker => Finance;

    public static NodeCredential Signer => Icbc;

    public static NodeCredential Stranger => Abc;

    public static SealInfo Info(DateTimeOffset? validEnd = null, params byte[][] signers) => new(
        new SealHeader(SealHeader.FixedId, 4, "OpenTreasury"),
        "5201000000000001",
        new SealProperty(
            2,
            "中国工商银行某支行业务专用章",
            SealProperty.CertListCertificates,
            signers.Length > 0 ? signers : [Signer.Certificate.GetEncoded()],
            [],
            Now.AddDays(-1),
            Now.AddDays(-1),
            validEnd ?? Now.AddDays(300)),
        new SealPicture("PNG", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3], 40, 40),
        []);

    public static readonly ElectronicSeal Seal = SealMaker.Make(Info(), Maker.Certificate, Maker.PrivateKey, Rng);

    public static SealSignature Stamp(ElectronicSeal? seal = null, NodeCredential? signer = null, ITimestampAuthority? tsa = null, DateTimeOffset? at = null, byte[]? data = null)
    {
        var who = signer ?? Signer;
        return SealStamper.Stamp(
            seal ?? Seal,
            who.Certificate.GetEncoded(),
            toSign => Sm2.Sign(who.PrivateKey, toSign, Rng),
            data ?? Data,
            Property,
            at ?? Now,
            tsa ?? new FakeTsa(at ?? Now));
    }

    public static SealVerifier Verifier(FakeValidator? validator = null, Func<X509Certificate, bool>? isAuthorizedMaker = null) =>
        new(validator ?? new FakeValidator(), new FakeTimestampVerifier(), isAuthorizedMaker ?? (c => c.Equals(Maker.Certificate)));
}

/// <summary>Validity windows from the certificates themselves, plus a revocation list by serial and a list of refused uses.</summary>
internal sealed class FakeValidator : ICertificateValidator
{
    public HashSet<BigInteger> Revoked { get; } = [];

    public HashSet<(BigInteger Serial, CertificateUse Use)> WrongUse { get; } = [];

    public List<(X509Certificate Certificate, DateTimeOffset At, CertificateUse Use)> Calls { get; } = [];

    public CertificateValidation Validate(X509Certificate certificate, DateTimeOffset at, CertificateUse use)
    {
        Calls.Add((certificate, at, use));
        if (Revoked.Contains(certificate.SerialNumber))
        {
            return new CertificateValidation(CertificateFailure.Revoked, "revoked");
        }

        if (WrongUse.Contains((certificate.SerialNumber, use)))
        {
            return new CertificateValidation(CertificateFailure.WrongKeyUsage, $"not for {use}");
        }

        return at.UtcDateTime < certificate.NotBefore ? new CertificateValidation(CertificateFailure.NotYetValid, "not yet valid")
            : at.UtcDateTime > certificate.NotAfter ? new CertificateValidation(CertificateFailure.Expired, "expired")
            : CertificateValidation.Valid;
    }
}

/// <summary>A token of 8 bytes of Unix seconds (big-endian) then SM3 of the signature value.</summary>
internal sealed class FakeTsa(DateTimeOffset time) : ITimestampAuthority
{
    public byte[] Stamp(ReadOnlySpan<byte> signatureValue)
    {
        var token = new byte[8 + Sm3.HashBytes];
        BinaryPrimitives.WriteInt64BigEndian(token, time.ToUnixTimeSeconds());
        Sm3.Hash(signatureValue).CopyTo(token, 8);
        return token;
    }
}

internal sealed class FakeTimestampVerifier : ITimestampVerifier
{
    public TimestampCheck Verify(byte[] token, ReadOnlySpan<byte> signatureValue)
    {
        if (token.Length != 8 + Sm3.HashBytes)
        {
            return new TimestampCheck(TimestampFailure.Malformed, "not a fake token", null);
        }

        return token.AsSpan(8).SequenceEqual(Sm3.Hash(signatureValue))
            ? new TimestampCheck(TimestampFailure.None, "valid", DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(token)))
            : new TimestampCheck(TimestampFailure.ImprintMismatch, "the token is over another signature", null);
    }
}
