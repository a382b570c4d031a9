using System.Security.Cryptography;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Signatures;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// The trust layer on the bytes of one real 8202: the node signature (baseline), its verification with a
/// warm certificate cache, SM3 alone, and a bare SM2 sign + verify pair (the curve cost without ASN.1).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class CryptoBenchmarks
{
    private const string PropertyInfo = "voucher:8202/533103/2026/ZF2026-0302-000001/v1#cz_qm";

    private readonly SecureRandom _random = new();
    private byte[] _voucher = [];
    private NodeCredential _credential = null!;
    private AsymmetricKeyParameter _publicKey = null!;
    private SignatureVerifier _verifier = null!;
    private DateTimeOffset _signingTime;
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _voucher = SamplePayment.Make().InnerVoucher;
        var now = DateTimeOffset.UtcNow;
        var ca = CertificateAuthority.Create("OpenTreasury Bench", now, _random);
        _credential = ca.IssueNodeCredential(PartyId.Finance, "芒市财政局", now, TimeSpan.FromDays(365));
        _publicKey = _credential.Certificate.GetPublicKey();
        _verifier = new SignatureVerifier(ca.Certificate);
        _signingTime = now.AddSeconds(1);
        _signature = VoucherSigner.Sign(_credential, _voucher, PropertyInfo, _signingTime, _random);

        // Warm the verifier's certificate cache, and make sure what we measure is the success path.
        var check = _verifier.Verify(_voucher, _signature, PropertyInfo, PartyId.Finance);
        if (!check.IsValid)
        {
            throw new InvalidOperationException($"the sample signature does not verify: {check.Message}");
        }
    }

    [Benchmark(Baseline = true, Description = "VoucherSigner.Sign (8202)")]
    public byte[] Sign() => VoucherSigner.Sign(_credential, _voucher, PropertyInfo, _signingTime, _random);

    [Benchmark(Description = "SignatureVerifier.Verify (8202, warm cache)")]
    public bool Verify() => _verifier.Verify(_voucher, _signature, PropertyInfo, PartyId.Finance).IsValid;

    [Benchmark(Description = "Sm3.Hash (8202)")]
    public byte[] Sm3Hash() => Sm3.Hash(_voucher);

    [Benchmark(Description = "Sm2.Sign + Sm2.Verify (8202)")]
    public bool Sm2SignVerify() => Sm2.Verify(_publicKey, _voucher, Sm2.Sign(_credential.PrivateKey, _voucher, _random));
}

/// <summary>
/// One SM2 signature and one verification three ways, on a 32-byte message: our sm2p256v1 arithmetic
/// (<see cref="Sm2"/>), BouncyCastle's <c>SM2Signer</c> (<c>Sm2Reference</c>, what Sm2 used before),
/// and .NET's ECDSA P-256 over a 32-byte hash (OpenSSL on Linux), the baseline of each category.
/// SM2 hashes Z‖M with SM3 inside; P-256 is handed the hash.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class Sm2Benchmarks : IDisposable
{
    private readonly SecureRandom _random = new();
    private readonly byte[] _message = new byte[32];
    private ECPrivateKeyParameters _private = null!;
    private ECPublicKeyParameters _public = null!;
    private byte[] _ours = [];
    private byte[] _bouncyCastle = [];
    private ECDsa _p256 = null!;
    private byte[] _p256Signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _random.NextBytes(_message);
        var keys = Sm2.GenerateKeyPair(_random);
        _private = (ECPrivateKeyParameters)keys.Private;
        _public = (ECPublicKeyParameters)keys.Public;
        _ours = Sm2.Sign(_private, _message, _random);
        _bouncyCastle = Sm2Reference.Sign(_private, _message, _random);
        _p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _p256Signature = _p256.SignHash(_message);

        // Measure success paths only, and make sure each side accepts the other's signatures.
        if (!Sm2.Verify(_public, _message, _bouncyCastle) || !Sm2Reference.Verify(_public, _message, _ours)
            || !_p256.VerifyHash(_message, _p256Signature))
        {
            throw new InvalidOperationException("a sample signature does not verify");
        }
    }

    [Benchmark(Baseline = true, Description = "ECDSA P-256 sign (.NET)")]
    [BenchmarkCategory("Sign")]
    public byte[] P256Sign() => _p256.SignHash(_message);

    [Benchmark(Description = "SM2 sign (ours)")]
    [BenchmarkCategory("Sign")]
    public byte[] Sm2Sign() => Sm2.Sign(_private, _message, _random);

    [Benchmark(Description = "SM2 sign (BouncyCastle)")]
    [BenchmarkCategory("Sign")]
    public byte[] Sm2SignBouncyCastle() => Sm2Reference.Sign(_private, _message, _random);

    [Benchmark(Baseline = true, Description = "ECDSA P-256 verify (.NET)")]
    [BenchmarkCategory("Verify")]
    public bool P256Verify() => _p256.VerifyHash(_message, _p256Signature);

    [Benchmark(Description = "SM2 verify (ours)")]
    [BenchmarkCategory("Verify")]
    public bool Sm2Verify() => Sm2.Verify(_public, _message, _ours);

    [Benchmark(Description = "SM2 verify (BouncyCastle)")]
    [BenchmarkCategory("Verify")]
    public bool Sm2VerifyBouncyCastle() => Sm2Reference.Verify(_public, _message, _ours);

    [GlobalCleanup]
    public void Dispose()
    {
        _p256?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// SM3 of 1 MiB of random bytes, ours (baseline) against BouncyCastle's <c>SM3Digest</c>;
/// MB/s = 1,048,576 B / mean (10^6 bytes to the MB).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class Sm3Benchmarks
{
    /// <summary>Long enough that padding and setup vanish: the compression function's throughput.</summary>
    private const int DataBytes = 1024 * 1024;

    private readonly byte[] _data = new byte[DataBytes];
    private readonly byte[] _hash = new byte[Sm3.HashBytes];

    [GlobalSetup]
    public void Setup() => new Random(32905).NextBytes(_data);

    [Benchmark(Baseline = true, Description = "Sm3.Hash 1 MiB (ours)")]
    public byte[] Ours()
    {
        Sm3.Hash(_data, _hash);
        return _hash;
    }

    [Benchmark(Description = "SM3Digest 1 MiB (BouncyCastle)")]
    public byte[] BouncyCastle()
    {
        var digest = new Org.BouncyCastle.Crypto.Digests.SM3Digest();
        digest.BlockUpdate(_data);
        _ = digest.DoFinal(_hash);
        return _hash;
    }
}
