using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// The network's own RFC 3161 timestamp authority (GB/T 20520 profile): message imprint SM3
/// (1.2.156.10197.1.401), token signed SM3withSM2 (1.2.156.10197.1.501), the TSA certificate in the token and
/// an ESS signing-certificate-v2 attribute (SM3 hash of it).
/// </summary>
/// <remarks>
/// <para>Good for development and a closed network; production should call an accredited TSA behind the same
/// <see cref="ITimestampAuthority"/>.</para>
/// <para>Serial numbers are <c>(unix milliseconds of the clock at construction) × 2^24 + counter</c>: they rise
/// across restarts unless the clock goes back or an instance makes 2^24 tokens per millisecond it has run. genTime
/// has whole seconds. Thread-safe: each stamp builds its own generator.</para>
/// </remarks>
public sealed class TimestampAuthority : ITimestampAuthority
{
    /// <summary>
    /// The TSA policy placeholder: a UUID-based OID (ITU-T X.667, arc 2.25) generated for OpenTreasury, unique
    /// without registration. Replace it with the operator's registered policy OID in production.
    /// </summary>
    public const string DefaultPolicyOid = "2.25.98147911077962707012562989267100886586";

    private const string SignatureAlgorithm = "SM3WITHSM2";
    private const int SerialCounterBits = 24;

    private readonly X509Certificate _certificate;
    private readonly AsymmetricKeyParameter _privateKey;
    private readonly TimeProvider _clock;
    private readonly SecureRandom _random;
    private readonly DerObjectIdentifier _policy;
    private readonly BigInteger _serialBase;
    private long _counter;

    /// <param name="certificate">The TSA certificate (extendedKeyUsage timeStamping, critical), put into every token.</param>
    /// <param name="privateKey">Its SM2 private key.</param>
    /// <param name="clock">Where genTime comes from.</param>
    /// <param name="random">For nonces and signatures.</param>
    /// <param name="policyOid">The TSA policy; <see cref="DefaultPolicyOid"/> when null.</param>
    public TimestampAuthority(X509Certificate certificate, AsymmetricKeyParameter privateKey, TimeProvider clock, SecureRandom random, string? policyOid = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(random);
        if (!Certificates.CertificateAuthority.KeyMatches(certificate, privateKey))
        {
            throw new ArgumentException("The private key does not belong to the TSA certificate.", nameof(privateKey));
        }

        _certificate = certificate;
        _privateKey = privateKey;
        _clock = clock;
        _random = random;
        _policy = new DerObjectIdentifier(policyOid ?? DefaultPolicyOid);
        _serialBase = BigInteger.ValueOf(clock.GetUtcNow().ToUnixTimeMilliseconds()).ShiftLeft(SerialCounterBits);
    }

    public X509Certificate Certificate => _certificate;

    public byte[] Stamp(ReadOnlySpan<byte> signatureValue)
    {
        var request = new TimeStampRequestGenerator();
        request.SetCertReq(true);
        request.SetReqPolicy(_policy);
        var nonce = new BigInteger(64, _random);
        var imprint = Sm3.Hash(signatureValue);
        var token = NewGenerator().Generate(
            request.Generate(TspAlgorithms.SM3, imprint, nonce),
            NextSerial(),
            _clock.GetUtcNow().UtcDateTime);
        return token.GetEncoded();
    }

    /// <summary>
    /// The server side of RFC 3161 over the wire: answers a DER TimeStampReq with a DER TimeStampResp. Granted (a token
    /// signed as by <see cref="Stamp"/>, with the request's nonce, and the TSA certificate when certReq) for an SM3 imprint
    /// of 32 bytes; otherwise a rejection with the RFC 3161 failInfo: badAlg (another hash algorithm), badDataFormat (not a
    /// version 1 TimeStampReq, more than <see cref="TimestampRequests.RequestBytesMax"/> bytes, a wrong imprint length),
    /// unacceptedPolicy (a policy other than this TSA's), unacceptedExtension (any extension), systemFailure (signing
    /// failed). Never throws on hostile requests; serve it as <c>application/timestamp-query</c> →
    /// <c>application/timestamp-reply</c>.
    /// </summary>
    public byte[] Respond(ReadOnlySpan<byte> request)
    {
        if (request.IsEmpty || request.Length > TimestampRequests.RequestBytesMax)
        {
            return Reject(PkiFailureInfo.BadDataFormat, $"a request has 1 to {TimestampRequests.RequestBytesMax} bytes");
        }

        TimeStampRequest parsed;
        try
        {
            parsed = new TimeStampRequest(request.ToArray());
            if (parsed.Version != 1)
            {
                return Reject(PkiFailureInfo.BadDataFormat, $"version {parsed.Version} is not 1");
            }

            _ = parsed.MessageImprintAlgOid;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Reject(PkiFailureInfo.BadDataFormat, "not a TimeStampReq");
        }

        if (parsed.MessageImprintAlgOid != TspAlgorithms.SM3)
        {
            return Reject(PkiFailureInfo.BadAlg, $"the imprint must be SM3 ({TspAlgorithms.SM3}), not {parsed.MessageImprintAlgOid}");
        }

        try
        {
            var generator = new TimeStampResponseGenerator(NewGenerator(), [TspAlgorithms.SM3], [_policy.Id], []);
            return generator.Generate(parsed, NextSerial(), _clock.GetUtcNow().UtcDateTime).GetEncoded();
        }
        catch (Exception e) when (e is TspException or CmsException or IOException or ArgumentException or InvalidOperationException)
        {
            return Reject(PkiFailureInfo.SystemFailure, "the token could not be made");
        }
    }

    private static byte[] Reject(int failInfo, string reason) =>
        new TimeStampResponseGenerator(null, [])
            .GenerateFailResponse(PkiStatus.Rejection, failInfo, reason)
            .GetEncoded();

    private BigInteger NextSerial() => _serialBase.Add(BigInteger.ValueOf(Interlocked.Increment(ref _counter)));

    private TimeStampTokenGenerator NewGenerator()
    {
        var signer = new SignerInfoGeneratorBuilder().Build(new Asn1SignatureFactory(SignatureAlgorithm, _privateKey, _random), _certificate);
        var generator = new TimeStampTokenGenerator(signer, new Asn1DigestFactory(new Sm3DigestAdapter(), GMObjectIdentifiers.sm3), _policy, true);
        generator.SetCertificates(CollectionUtilities.CreateStore([_certificate]));
        return generator;
    }
}
