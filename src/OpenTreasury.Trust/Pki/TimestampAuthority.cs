using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
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
            _serialBase.Add(BigInteger.ValueOf(Interlocked.Increment(ref _counter))),
            _clock.GetUtcNow().UtcDateTime);
        return token.GetEncoded();
    }

    private TimeStampTokenGenerator NewGenerator()
    {
        var signer = new SignerInfoGeneratorBuilder().Build(new Asn1SignatureFactory(SignatureAlgorithm, _privateKey, _random), _certificate);
        var generator = new TimeStampTokenGenerator(signer, new Asn1DigestFactory(new SM3Digest(), GMObjectIdentifiers.sm3), _policy, true);
        generator.SetCertificates(CollectionUtilities.CreateStore([_certificate]));
        return generator;
    }
}
