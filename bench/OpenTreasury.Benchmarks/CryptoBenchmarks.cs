using BenchmarkDotNet.Attributes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Signatures;
using Org.BouncyCastle.Crypto;
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
