using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Tsp;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

public class TimestampTests
{
    private static readonly TestPki s_pki = TestPki.Shared;
    private static readonly DateTimeOffset s_stampTime = Now.AddDays(3).AddMilliseconds(250);
    private static readonly byte[] s_signatureValue = Sm2.Sign(s_pki.InstitutionKeys.Private, "voucher"u8, Rng);

    [Fact]
    public void A_token_over_a_signature_value_verifies_and_gives_its_time()
    {
        var token = Authority().Stamp(s_signatureValue);

        var check = Verifier().Verify(token, s_signatureValue);

        Assert.Equal(TimestampFailure.None, check.Failure);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 1, 30, 0, TimeSpan.Zero), check.Time); // whole seconds, UTC
    }

    [Fact]
    public void The_token_has_an_SM3_imprint_an_SM2_signature_the_policy_and_the_TSA_certificate()
    {
        var token = new TimeStampToken(new CmsSignedData(Authority().Stamp(s_signatureValue)));

        Assert.Equal("1.2.156.10197.1.401", token.TimeStampInfo.MessageImprintAlgOid);
        Assert.Equal(Sm3.Hash(s_signatureValue), token.TimeStampInfo.GetMessageImprintDigest());
        Assert.Equal(TimestampAuthority.DefaultPolicyOid, token.TimeStampInfo.Policy);
        var signer = Assert.Single(token.ToCmsSignedData().GetSignerInfos().GetSigners());
        Assert.Equal(Sm2.SignatureAlgorithmOid, signer.SignatureAlgorithm.Algorithm.Id);
        Assert.Equal(s_pki.Tsa, Assert.Single(token.GetCertificates().EnumerateMatches(null)));
    }

    [Fact]
    public void Serial_numbers_rise_from_token_to_token()
    {
        var authority = Authority();

        var first = new TimeStampToken(new CmsSignedData(authority.Stamp(s_signatureValue))).TimeStampInfo.SerialNumber;
        var second = new TimeStampToken(new CmsSignedData(authority.Stamp(s_signatureValue))).TimeStampInfo.SerialNumber;

        Assert.True(second.CompareTo(first) > 0);
    }

    [Fact]
    public void A_token_over_another_value_is_an_imprint_mismatch()
    {
        var token = Authority().Stamp(s_signatureValue);

        Assert.Equal(TimestampFailure.ImprintMismatch, Verifier().Verify(token, [.. s_signatureValue, 0]).Failure);
    }

    [Fact]
    public void A_token_by_a_foreign_TSA_is_from_an_untrusted_authority()
    {
        var foreign = new TestPki();
        var token = new TimestampAuthority(foreign.Tsa, foreign.TsaKeys.Private, new FixedClock(s_stampTime), Rng).Stamp(s_signatureValue);

        Assert.Equal(TimestampFailure.UntrustedAuthority, Verifier().Verify(token, s_signatureValue).Failure);
    }

    [Fact]
    public void A_token_by_a_revoked_TSA_is_from_an_untrusted_authority()
    {
        var fresh = new TestPki();
        fresh.Pki.Revoke(fresh.Tsa.SerialNumber, Now.AddDays(1), RevocationReason.KeyCompromise);
        fresh.Pki.CurrentCrl(Now.AddDays(1), Now.AddDays(8));
        var token = new TimestampAuthority(fresh.Tsa, fresh.TsaKeys.Private, new FixedClock(s_stampTime), Rng).Stamp(s_signatureValue);

        var check = new TimestampVerifier([fresh.Tsa], fresh.Validator()).Verify(token, s_signatureValue);

        Assert.Equal(TimestampFailure.UntrustedAuthority, check.Failure);
        Assert.Contains(nameof(CertificateFailure.Revoked), check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_with_a_flipped_signature_byte_has_a_bad_signature()
    {
        var token = Authority().Stamp(s_signatureValue);
        token[^1] ^= 0x01; // the last byte of the SignerInfo's signature (s)

        var failure = Verifier().Verify(token, s_signatureValue).Failure;

        Assert.True(failure is TimestampFailure.BadSignature or TimestampFailure.Malformed, failure.ToString());
    }

    [Fact]
    public void A_flipped_byte_in_the_signed_parts_is_always_rejected_and_no_flip_throws()
    {
        var token = Authority().Stamp(s_signatureValue);
        var verifier = Verifier();
        // Signed: the TSTInfo (eContent), the signed attributes and the signature value itself. CMS leaves the
        // rest unsigned (versions, the outer digestAlgorithms set, the certificates, the signer id), and
        // BouncyCastle ignores some of it, so a flip there may go unnoticed: only the trusted certificate counts.
        var parsed = new TimeStampToken(new CmsSignedData(token));
        var signer = Assert.Single(parsed.ToCmsSignedData().GetSignerInfos().GetSigners());
        var regions = new[]
        {
            Region(token, parsed.TimeStampInfo.GetEncoded()),
            Region(token, signer.GetEncodedSignedAttributes()[1..]), // [0] IMPLICIT in the token, SET when encoded alone
            Region(token, signer.GetSignature()),
        };

        for (var i = 0; i < token.Length; i++)
        {
            var bad = token.ToArray();
            bad[i] ^= 0x20;
            var check = verifier.Verify(bad, s_signatureValue);
            var signed = Array.Exists(regions, r => i >= r.Start && i < r.End);
            Assert.True(!signed || !check.IsValid, $"byte {i} flipped still verifies");
        }
    }

    [Fact]
    public void Garbage_is_malformed()
    {
        Assert.Equal(TimestampFailure.Malformed, Verifier().Verify([0x30, 0x03, 0x02, 0x01, 0x01], s_signatureValue).Failure);
        Assert.Equal(TimestampFailure.Malformed, Verifier().Verify([], s_signatureValue).Failure);
        Assert.Equal(TimestampFailure.Malformed, Verifier().Verify(new byte[TimestampVerifier.TokenBytesMax + 1], s_signatureValue).Failure);
    }

    private static TimestampAuthority Authority() =>
        new(s_pki.Tsa, s_pki.TsaKeys.Private, new FixedClock(s_stampTime), Rng);

    private static TimestampVerifier Verifier() => new([s_pki.Tsa], s_pki.Validator());

    private static (int Start, int End) Region(byte[] token, byte[] part)
    {
        var start = token.AsSpan().IndexOf(part);
        Assert.True(start > 0);
        return (start, start + part.Length);
    }
}
