using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// What a client made of a TimeStampResp: the token (DER TimeStampToken) and its time when
/// <see cref="TimestampFailure.None"/>, otherwise why not.
/// </summary>
public sealed record TimestampResponseCheck(TimestampFailure Failure, string Message, byte[]? Token, DateTimeOffset? Time)
{
    public bool IsValid => Failure == TimestampFailure.None;
}

/// <summary>A timestamp could not be had, with its stable <see cref="Failure"/>; the message is Simplified Chinese.</summary>
public sealed class TimestampException : Exception
{
    public TimestampException()
        : this(TimestampFailure.Unavailable, "无法取得时间戳。")
    {
    }

    public TimestampException(string message)
        : this(TimestampFailure.Unavailable, message)
    {
    }

    public TimestampException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = TimestampFailure.Unavailable;
    }

    public TimestampException(TimestampFailure failure, string message)
        : base($"[TSP-{(int)failure}] {message}")
    {
        if (failure == TimestampFailure.None)
        {
            throw new ArgumentException("A failure needs a code.", nameof(failure));
        }

        Failure = failure;
    }

    public TimestampFailure Failure { get; }
}

/// <summary>
/// The client side of RFC 3161 over the wire: a TimeStampReq for the SM3 imprint of a signature value with a random
/// nonce and certReq true, and the check of the TimeStampResp that answers it.
/// </summary>
/// <remarks>
/// The check, first failure wins: Malformed (not a TimeStampResp, or more than <see cref="ResponseBytesMax"/>); Refused
/// (status not granted / grantedWithMods, or granted without a token); WrongAlgorithm / ImprintMismatch (the token's
/// imprint is not the request's); NonceMismatch (the token's nonce is not the request's); Refused when a requested
/// policy was not honoured; then the token itself through the <see cref="ITimestampVerifier"/> (trusted TSA, valid at
/// genTime, signature). Never throws on hostile responses.
/// </remarks>
public static class TimestampRequests
{
    /// <summary>Bits of the random nonce (RFC 3161 recommends at least 64).</summary>
    public const int NonceBits = 64;

    /// <summary>Bytes of a TimeStampResp read: a token plus room for status text.</summary>
    public const int ResponseBytesMax = TimestampVerifier.TokenBytesMax + 4 * 1024;

    /// <summary>Bytes of a TimeStampReq the authority reads; ours are about 60.</summary>
    public const int RequestBytesMax = 4 * 1024;

    /// <summary>A request for a token over SM3(<paramref name="signatureValue"/>), with a fresh positive nonce and certReq true.</summary>
    public static TimeStampRequest Create(ReadOnlySpan<byte> signatureValue, SecureRandom random, string? policyOid = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        if (policyOid is not null)
        {
            generator.SetReqPolicy(new DerObjectIdentifier(policyOid));
        }

        BigInteger nonce;
        do
        {
            nonce = new BigInteger(NonceBits, random);
        }
        while (nonce.SignValue <= 0);
        return generator.Generate(TspAlgorithms.SM3, Sm3.Hash(signatureValue), nonce);
    }

    /// <summary>Checks <paramref name="response"/> (DER TimeStampResp) against <paramref name="request"/> made for <paramref name="signatureValue"/>.</summary>
    /// <exception cref="ArgumentException">The request was not made for this signature value (a programming error).</exception>
    public static TimestampResponseCheck CheckResponse(
        ReadOnlySpan<byte> response, TimeStampRequest request, ReadOnlySpan<byte> signatureValue, ITimestampVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(verifier);
        if (request.MessageImprintAlgOid != GMObjectIdentifiers.sm3.Id || !request.GetMessageImprintDigest().AsSpan().SequenceEqual(Sm3.Hash(signatureValue)))
        {
            throw new ArgumentException("The request is not for the SM3 imprint of this signature value.", nameof(request));
        }

        if (response.IsEmpty || response.Length > ResponseBytesMax)
        {
            return Fail(TimestampFailure.Malformed, $"时间戳响应须为 1 至 {ResponseBytesMax} 字节，现为 {response.Length} 字节。");
        }

        TimeStampResponse parsed;
        TimeStampToken? token;
        string? statusText;
        int failInfo;
        int status;
        try
        {
            parsed = new TimeStampResponse(response.ToArray());
            token = parsed.TimeStampToken;
            // Read here, where a bad encoding is still Malformed: a statusString that is not UTF-8 made
            // GetStatusString throw DecoderFallbackException (found by fuzz/run tsa-response).
            statusText = parsed.GetStatusString();
            failInfo = parsed.GetFailInfo()?.IntValue ?? 0;
            // And the status: a PKIStatus beyond int made Status throw ArithmeticException (found by fuzz/run tsa-response).
            status = parsed.Status;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(TimestampFailure.Malformed, "时间戳响应不是合法的 RFC 3161 TimeStampResp。");
        }

        if (status is not (0 or 1))
        {
            return Fail(TimestampFailure.Refused, $"时间戳服务拒绝了请求：PKIStatus {status}，failInfo 0x{failInfo:x}，{statusText}");
        }

        if (token is null)
        {
            return Fail(TimestampFailure.Refused, "时间戳服务声称已批准，但响应中没有时间戳令牌。");
        }

        var info = token.TimeStampInfo;
        if (info.MessageImprintAlgOid != request.MessageImprintAlgOid)
        {
            return Fail(TimestampFailure.WrongAlgorithm, $"时间戳令牌的摘要算法为 {info.MessageImprintAlgOid}，与请求（{request.MessageImprintAlgOid}）不符。");
        }

        if (!info.GetMessageImprintDigest().AsSpan().SequenceEqual(request.GetMessageImprintDigest()))
        {
            return Fail(TimestampFailure.ImprintMismatch, "时间戳令牌针对的是另一个摘要，不是本次请求的。");
        }

        if (info.Nonce is null || !info.Nonce.Equals(request.Nonce))
        {
            return Fail(TimestampFailure.NonceMismatch, "时间戳令牌的随机数（nonce）与请求不符：可能是重放或错配的响应。");
        }

        if (request.ReqPolicy is { } policy && info.Policy != policy)
        {
            return Fail(TimestampFailure.Refused, $"时间戳令牌的策略为 {info.Policy}，不是请求的 {policy}。");
        }

        byte[] encoded;
        try
        {
            encoded = token.GetEncoded();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(TimestampFailure.Malformed, "时间戳令牌无法编码。");
        }

        var check = verifier.Verify(encoded, signatureValue);
        return check.IsValid
            ? new TimestampResponseCheck(TimestampFailure.None, "valid", encoded, check.Time)
            : Fail(check.Failure, check.Message);
    }

    private static TimestampResponseCheck Fail(TimestampFailure failure, string message) => new(failure, message, null, null);
}
