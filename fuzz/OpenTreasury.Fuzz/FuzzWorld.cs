using System.Text;

using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;

using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Fuzz;

/// <summary>
/// A small network made afresh in every fuzzing process from a fixed seed, so it is the same each time: its CA,
/// CRLs, TSA, seal maker and signer, one seal, one stamped voucher. The targets verify against it, and
/// <c>--make-corpus</c> writes its public parts (never a private key) as the seed corpus, which therefore
/// verifies all the way down when fuzzing starts.
/// </summary>
public sealed class FuzzWorld
{
    /// <summary>The fixed "now" of the world: every certificate is valid then, every stamp made then.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 1, 30, 0, TimeSpan.Zero);

    private static readonly Lazy<FuzzWorld> s_instance = new(() => new FuzzWorld());

    private FuzzWorld()
    {
        var random = SecureRandom.GetInstance("SHA256PRNG", false);
        random.SetSeed(Encoding.ASCII.GetBytes("OpenTreasury fuzz world, not a secret"));
        var year = TimeSpan.FromDays(365);

        Pki = NetworkPki.Create("OpenTreasury Fuzz", Now, random);
        var maker = Sm2.GenerateKeyPair(random);
        var signer = Sm2.GenerateKeyPair(random);
        var tsa = Sm2.GenerateKeyPair(random);
        MakerCertificate = Pki.IssueInstitution(PartyId.Finance, "某市财政局", maker.Public, Now, year);
        SignerCertificate = Pki.IssueInstitution(Sender, "中国工商银行", signer.Public, Now, year);
        TimestampingCertificate = Pki.IssueTimestamping("OpenTreasury Fuzz TSA", tsa.Public, Now, year);
        var revoked = Pki.IssueInstitution(PartyId.ForBank(BankCode.Parse("103")), "中国农业银行", Sm2.GenerateKeyPair(random).Public, Now, year);
        _ = Pki.Revoke(revoked.SerialNumber, Now, RevocationReason.KeyCompromise);
        Crl = Pki.CurrentCrl(Now, Now.AddDays(7));
        RootCrl = Pki.CurrentRootCrl(Now, Now.AddDays(7));

        Validator = new PkiCertificateValidator(Pki.Root, Pki.Issuing, Crl, RootCrl);
        TimestampVerifier = new TimestampVerifier([TimestampingCertificate], Validator);
        SealVerifier = new SealVerifier(Validator, TimestampVerifier, c => c.Equals(MakerCertificate));
        var authority = new TimestampAuthority(TimestampingCertificate, tsa.Private, new FixedClock(Now), random);

        Key = new VoucherKey(AdmDivCode.Parse("533103"), StYear.Parse("2026"), VtCode.Parse("8202"), VoucherNo.Parse("F1"));
        VoucherBytes = VoucherXml.Write(SampleVoucher());
        Seal = SealMaker.Make(SealInfoFor(SignerCertificate), MakerCertificate, maker.Private, random);
        PropertyInfo = SignatureServer.PropertyInfo(Key, 1, StampPosition, Domain.Seals.StampTemplate.DefaultVersion);
        Stamp = SealStamper.Stamp(Seal, SignerCertificate.GetEncoded(), toSign => Sm2.Sign(signer.Private, toSign, random), VoucherBytes, PropertyInfo, Now, authority);
        TimestampToken = Stamp.TimeStamp ?? throw new InvalidOperationException("The world's stamp has no timestamp.");
        TimestampRequest = TimestampRequests.Create(Stamp.Signature, random);
        TimestampResponse = authority.Respond(TimestampRequest.GetEncoded());
        RegisteredSeal = new RegisteredSeal
        {
            EsId = Seal.Info.EsId,
            SealType = (long)SealType.BusinessSeal,
            Name = Seal.Info.Property.Name,
            OwnerParty = Sender.ToString(),
            Der = Seal.Der,
            ValidFrom = Seal.Info.Property.ValidStart.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ValidTo = Seal.Info.Property.ValidEnd.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            // Revoked later than the stamp: a token's time decides whether the stamp falls before or after.
            RevokedAt = Now.AddDays(100).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            RevokeReason = "fuzz",
        };
        EnvelopeBytes = MofFormat.Write(new MofEnvelope([new VoucherBody(Key, 1, VoucherFlag.Voucher, "附言", VoucherBytes, [new WireStamp(StampPosition, Stamp.Der)])]));

        // Last, so the samples above stay what they were: the bank's node sends the voucher to Finance's.
        Receiver = new NodeCredential(PartyId.Finance, MakerCertificate, maker.Private);
        NodeEnvelopeBytes = NodeEnvelope.Seal(new NodeCredential(Sender, SignerCertificate, signer.Private), MakerCertificate, "fuzz-0001", 1, VoucherBytes, Now, random);
    }

    public const string StampPosition = "yh_qm";

    /// <summary>The bank whose seal server made the world's stamp.</summary>
    public static readonly PartyId Sender = PartyId.ForBank(BankCode.Parse("102"));

    /// <summary>The position the world's stamp is for, as the bank's public seal.</summary>
    public static readonly TemplatePosition Position = new(StampPosition, PartyKind.Bank, false, SealType.BusinessSeal, StampRole.Institution, "银行签章");

    public static FuzzWorld Instance => s_instance.Value;

    public NetworkPki Pki { get; }

    public X509Certificate MakerCertificate { get; }

    public X509Certificate SignerCertificate { get; }

    public X509Certificate TimestampingCertificate { get; }

    public X509Crl Crl { get; }

    public X509Crl RootCrl { get; }

    public PkiCertificateValidator Validator { get; }

    public TimestampVerifier TimestampVerifier { get; }

    public SealVerifier SealVerifier { get; }

    public VoucherKey Key { get; }

    /// <summary>The inner voucher the world's stamp is over.</summary>
    public byte[] VoucherBytes { get; }

    public ElectronicSeal Seal { get; }

    public string PropertyInfo { get; }

    public SealSignature Stamp { get; }

    /// <summary>The RFC 3161 token over the stamp's signature value.</summary>
    public byte[] TimestampToken { get; }

    public TimeStampRequest TimestampRequest { get; }

    public byte[] TimestampResponse { get; }

    public byte[] EnvelopeBytes { get; }

    /// <summary>Finance's node, which the world's node envelope is sealed to.</summary>
    public NodeCredential Receiver { get; }

    /// <summary>The world's voucher sealed by the bank's node to Finance's (<see cref="NodeEnvelope.Seal"/>).</summary>
    public byte[] NodeEnvelopeBytes { get; }

    /// <summary>The world's seal as filed with a receiving node.</summary>
    public RegisteredSeal RegisteredSeal { get; }

    /// <summary>The world's stamp with <paramref name="token"/> as its timestamp; null when the stamp would be unreadable (too large).</summary>
    public SealSignature? StampWithToken(byte[] token)
    {
        var der = SealSignature.Encode(Stamp.ToSignDer, SignerCertificate.GetEncoded(), Sm2.SignatureAlgorithmOid, Stamp.Signature, token);
        return SealSignature.TryParse(der, out var stamp, out _) ? stamp : null;
    }

    /// <summary>The seed corpus: a few valid samples per target, public data only.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(string Name, byte[] Bytes)>> Corpus() => new Dictionary<string, IReadOnlyList<(string, byte[])>>(StringComparer.Ordinal)
    {
        ["envelope"] = [("stamped.xml", EnvelopeBytes), ("unstamped.xml", MofFormat.Write(new MofEnvelope([new VoucherBody(Key, 1, VoucherFlag.Voucher, "", VoucherBytes, [])])))],
        ["voucher"] = [("payment.xml", VoucherBytes), ("empty-details.xml", VoucherXml.Write(new Voucher(SampleVoucher().Header, [])))],
        ["seal"] = [("seal.der", Seal.Der)],
        ["signature"] = [("stamp.der", Stamp.Der)],
        ["x509"] = [("signer.der", SignerCertificate.GetEncoded()), ("tsa.der", TimestampingCertificate.GetEncoded()), ("issuing-ca.der", Pki.Issuing.GetEncoded())],
        ["crl"] = [("crl.der", Crl.GetEncoded()), ("root-crl.der", RootCrl.GetEncoded()), ("crl.pem", Encoding.ASCII.GetBytes(CrlPem.Write(Crl)))],
        ["timestamp"] = [("token.der", TimestampToken)],
        ["tsa-response"] = [("granted.der", TimestampResponse)],
        ["node-envelope"] = [("bank-to-finance.bin", NodeEnvelopeBytes)],
    };

    private static SealInfo SealInfoFor(X509Certificate signer) => new(
        new SealHeader(SealHeader.FixedId, 4, "OpenTreasury"),
        "5331030000000001",
        new SealProperty(2, "中国工商银行芒市支行业务专用章", SealProperty.CertListCertificates, [signer.GetEncoded()], [], Now.AddDays(-1), Now.AddDays(-1), Now.AddDays(300)),
        new SealPicture("PNG", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3], 40, 40),
        []);

    private static Voucher SampleVoucher() => new(
        [
            new("Id", "1"),
            new("AdmDivCode", "533103"),
            new("StYear", "2026"),
            new("VtCode", "8202"),
            new("VouDate", "20260302"),
            new("VoucherNo", "F1"),
            new("PayTypeCode", "12"),
            new("PayTypeName", "授权支付"),
            new("AgencyCode", "101001"),
            new("AgencyName", "芒市财政局"),
            new("ExpFuncCode", "2010101"),
            new("ExpFuncName", "行政运行"),
            new("PayeeAcctNo", "6222020200012345678"),
            new("PayeeAcctName", "芒市某某商贸有限公司"),
            new("PayAcctNo", "2508012345678901"),
            new("PayAcctName", "芒市财政局零余额账户"),
            new("PayBankCode", "102"),
            new("PayBankName", "中国工商银行芒市支行"),
            new("PayAmt", "10.00"),
        ],
        [
            new([new("AgencyCode", "101001"), new("ExpFuncCode", "2010101"), new("ExpEcoCode", "30201"), new("PayAmt", "7.50"), new("Remark", "办公用品 & <纸张>")]),
            new([new("AgencyCode", "101001"), new("ExpFuncCode", "2010101"), new("ExpEcoCode", "30201"), new("PayAmt", "2.50"), new("Remark", "打印耗材")]),
        ]);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
