using System.Text;
using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Node.Tests.Seals;

/// <summary>
/// The attack corpus: a genuine 8202 exported by Finance (four stamps: dw_jbrsz by the unit's clerk, dw_fzrsz
/// by its finance head, dw_cwzyz and dw_frz by Finance's seal server), changed one way per attack, then sent
/// through bank 102's real receive path and verified offline. Each attack names the exact code it must get, and
/// must leave the receiver without a voucher or inbox row.
/// </summary>
public sealed class AttackCorpusTests
{
    /// <summary>One attack: how to forge the message, and the receive failure and stamp failure it must get.</summary>
    /// <param name="Offline">Whether the offline verifier (with Finance's registry) must refuse it as well.</param>
    internal sealed record Attack(string Name, ReceiveFailure Receive, StampFailure Stamp, Func<Bench, byte[]> Forge, bool Offline = true);

    private static readonly Attack[] s_attacks =
    [
        // The voucher's regions.
        new("amount digit in header and detail", ReceiveFailure.BadSignature, StampFailure.DataHashMismatch, b => Tamper.OneAmountDigit(b.Genuine)),
        new("header amount digit only", ReceiveFailure.InvalidContent, StampFailure.None, b => b.EditInner(t => ReplaceFirst(t, "<PayAmt>1234.50</PayAmt>", "<PayAmt>9234.50</PayAmt>"))),
        new("detail amount only", ReceiveFailure.InvalidContent, StampFailure.None, b => b.EditInner(t => ReplaceLast(t, "<PayAmt>1234.50</PayAmt>", "<PayAmt>1234.59</PayAmt>"))),
        new("payee account digit", ReceiveFailure.BadSignature, StampFailure.DataHashMismatch, b => b.EditInner(t => ReplaceFirst(t, b.PayeeAccount, b.PayeeAccount[..^1] + (b.PayeeAccount[^1] == '9' ? '0' : (char)(b.PayeeAccount[^1] + 1))))),
        new("payee name", ReceiveFailure.BadSignature, StampFailure.DataHashMismatch, b => b.EditInner(t => ReplaceFirst(t, $"<PayeeAcctName>{b.PayeeName}</PayeeAcctName>", $"<PayeeAcctName>{b.PayeeName}公司</PayeeAcctName>"))),
        new("inner VoucherNo differs from the attribute", ReceiveFailure.InvalidContent, StampFailure.None, b => b.EditInner(t => ReplaceFirst(t, "<VoucherNo>ZF-0001</VoucherNo>", "<VoucherNo>ZF-0009</VoucherNo>"))),
        new("attribute VoucherNo differs from the inner voucher", ReceiveFailure.InvalidContent, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Key = x.Key with { VoucherNo = VoucherNo.Parse("ZF-0009") } })),
        new("an added reserved field (Hold1)", ReceiveFailure.BadSignature, StampFailure.DataHashMismatch, b => b.EditInner(t => ReplaceFirst(t, "</PaySummaryName>", "</PaySummaryName><Hold1>x</Hold1>"))),
        new("an added unknown field", ReceiveFailure.InvalidContent, StampFailure.None, b => b.EditInner(t => ReplaceFirst(t, "</PaySummaryName>", "</PaySummaryName><Evil>x</Evil>"))),
        new("version attribute raised to 2 (a voucher is always version 1)", ReceiveFailure.StaleVersion, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Version = 2 }), Offline: false),
        new("version 2 presented as a 回单 of another party", ReceiveFailure.WrongSender, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Version = 2, Flag = OpenTreasury.Wire.VoucherFlag.Reply }), Offline: false),
        new("claimed to come from bank 103", ReceiveFailure.WrongSender, StampFailure.None, b => b.From(TestNetwork.Bank103Party, b.Genuine), Offline: false),

        // The fields of TBS_Sign and SES_Signature, re-encoded with the Trust codec and not re-signed.
        new("TBS version 3", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_cwzyz", s => b.Encode(s, version: 3))),
        new("TBS timeInfo one second later", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_cwzyz", s => b.Encode(s, time: s.TimeInfo.AddSeconds(1)))),
        new("TBS dataHash bit flipped", ReceiveFailure.BadSignature, StampFailure.DataHashMismatch, b => b.Restamp("dw_jbrsz", s => b.Encode(s, dataHash: Flip(s.DataHash)))),
        new("dataHash recomputed over an altered voucher", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.AlteredWithRecomputedHash()),
        new("TBS propertyInfo pointed at another position", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_jbrsz", s => b.Encode(s, propertyInfo: b.PropertyInfo("dw_fzrsz")))),
        new("seal name changed inside the stamp", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_jbrsz", s => b.Encode(s, sealDer: Reseal(s.Seal, i => i with { Property = i.Property with { Name = "伪造私章" } })))),
        new("maker's signature bit flipped inside the stamp", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_jbrsz", s => b.Encode(s, sealDer: ElectronicSeal.Encode(s.Seal.Info, s.Seal.MakerCertificate, s.Seal.SignatureAlgorithmOid, Flip(s.Seal.SignatureValue))))),
        new("signer certificate swapped for the checker's", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_jbrsz", s => b.Encode(s, certificate: b.Head.Token!.SignCertificate!.GetEncoded()))),
        new("signer certificate garbage", ReceiveFailure.BadSignature, StampFailure.Malformed, b => b.Restamp("dw_jbrsz", s => b.Encode(s, certificate: [0x30, 0x03, 0x02, 0x01, 0x01]))),
        new("signature algorithm OID ECDSA-SHA256", ReceiveFailure.BadSignature, StampFailure.UnsupportedAlgorithm, b => b.Restamp("dw_cwzyz", s => b.Encode(s, algorithm: "1.2.840.10045.4.3.2"))),
        new("seal maker's algorithm OID ECDSA-SHA256", ReceiveFailure.BadSignature, StampFailure.UnsupportedAlgorithm, b => b.Restamp("dw_cwzyz", s => b.Encode(s, sealDer: ElectronicSeal.Encode(s.Seal.Info, s.Seal.MakerCertificate, "1.2.840.10045.4.3.2", s.Seal.SignatureValue)))),
        new("signature bit flipped (public seal)", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_cwzyz", s => b.Encode(s, signature: FlipLast(s.Signature)))),
        new("signature bit flipped (personal seal)", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_fzrsz", s => b.Encode(s, signature: FlipLast(s.Signature)))),

        // The clerk, with their own USBKey, alters their own seal and signs again: only the maker's signature can tell.
        new("own seal renamed and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { Property = i.Property with { Name = "某某单位财务专用章" } })),
        new("own seal esID changed and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { EsId = "ES101001-01" })),
        new("own seal validEnd extended and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { Property = i.Property with { ValidEnd = i.Property.ValidEnd.AddYears(10) } })),
        new("own seal picture replaced and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { Picture = i.Picture with { Data = [.. i.Picture.Data.Take(i.Picture.Data.Length / 2)] } })),
        new("own seal cert list extended and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { Property = i.Property with { Certificates = [.. i.Property.Certificates, b.Head.Token!.SignCertificate!.GetEncoded()] } })),
        new("own seal header vid changed and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { Header = i.Header with { VendorId = "Forger" } })),
        new("own seal type changed to a unit seal and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i with { Property = i.Property with { Type = (int)SealType.FinanceSeal } })),
        new("maker's signature bit flipped and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i, s => ElectronicSeal.Encode(s.Info, s.MakerCertificate, s.SignatureAlgorithmOid, Flip(s.SignatureValue)))),
        new("seal maker certificate swapped for bank 102's and re-signed", ReceiveFailure.BadSignature, StampFailure.SealSignatureInvalid, b => b.ClerkResigns(i => i, s => ElectronicSeal.Encode(s.Info, b.Net.Bank102.Library.Signing.Certificate.GetEncoded(), s.SignatureAlgorithmOid, s.SignatureValue))),
        new("clerk's own stamp moved to the checker's propertyInfo", ReceiveFailure.BadSignature, StampFailure.PropertyMismatch, b => b.Replace("dw_jbrsz", b.TokenStamp(b.Clerk, b.SealOf(TestNetwork.UnitClerk), "dw_fzrsz"))),

        // Stamps moved or copied.
        new("public stamps swapped between dw_cwzyz and dw_frz", ReceiveFailure.BadSignature, StampFailure.PropertyMismatch, b => b.Swap("dw_cwzyz", "dw_frz")),
        new("personal stamps swapped between maker and checker", ReceiveFailure.BadSignature, StampFailure.PropertyMismatch, b => b.Swap("dw_jbrsz", "dw_fzrsz")),
        new("stamp copied from another voucher", ReceiveFailure.BadSignature, StampFailure.DataHashMismatch, b => b.Replace("dw_cwzyz", b.StampOf(b.Export("ZF-0002"), "dw_cwzyz").Der)),

        // Seals: revoked, expired, another party's or unit's, not the signer's, not filed, not made by Finance.
        new("seal revoked before stamping", ReceiveFailure.BadSignature, StampFailure.SealRevoked, b => b.RevokedUnitSeal()),
        new("seal expired (made three years ago)", ReceiveFailure.BadSignature, StampFailure.SealNotValidAtSigningTime, b => b.ExpiredUnitSeal()),
        new("bank 102's business seal at dw_cwzyz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_cwzyz", b.InstitutionStamp(b.Net.Bank102, b.Seal(s => s.OwnerParty == "bank-102" && s.Type == SealType.BusinessSeal), "dw_cwzyz"))),
        new("another unit's 财务专用章 at dw_cwzyz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_cwzyz", b.InstitutionStamp(b.Net.Finance, b.Seal(s => s.AgencyCode == b.OtherUnit && s.Type == SealType.FinanceSeal), "dw_cwzyz"))),
        new("Finance's own business seal at dw_cwzyz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_cwzyz", b.InstitutionStamp(b.Net.Finance, b.Seal(s => s.OwnerParty == "finance" && s.AgencyCode is null && s.Type == SealType.BusinessSeal), "dw_cwzyz"))),
        new("the unit's 法人章 at dw_cwzyz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_cwzyz", b.InstitutionStamp(b.Net.Finance, b.Seal(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.LegalPerson), "dw_cwzyz"))),
        new("the unit's 财务专用章 at the checker's personal position", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_fzrsz", b.InstitutionStamp(b.Net.Finance, b.Seal(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.FinanceSeal), "dw_fzrsz"))),
        new("the clerk's personal seal at dw_cwzyz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_cwzyz", b.TokenStamp(b.Clerk, b.SealOf(TestNetwork.UnitClerk), "dw_cwzyz"))),
        new("another unit's clerk at dw_jbrsz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_jbrsz", b.TokenStamp(b.FinanceSigner($"dw{b.OtherUnit}_jbr"), b.SealOf($"dw{b.OtherUnit}_jbr"), "dw_jbrsz"))),
        new("Finance's clerk at dw_jbrsz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_jbrsz", b.TokenStamp(b.FinanceSigner(TestNetwork.FinanceClerk), b.SealOf(TestNetwork.FinanceClerk), "dw_jbrsz"))),
        new("bank 102's clerk at dw_jbrsz", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Replace("dw_jbrsz", b.TokenStamp(b.Net.Bank102.Signers.SignerFor(TestNetwork.BankClerk), b.SealOf(TestNetwork.BankClerk), "dw_jbrsz"))),
        new("the clerk's seal with the head's USBKey", ReceiveFailure.BadSignature, StampFailure.SignerNotInSeal, b => b.Replace("dw_jbrsz", b.TokenStamp(b.Head, b.SealOf(TestNetwork.UnitClerk), "dw_jbrsz"))),
        new("the unit's 财务专用章 with the head's USBKey", ReceiveFailure.BadSignature, StampFailure.SignerNotInSeal, b => b.Replace("dw_cwzyz", b.TokenStamp(b.Head, Bench.Parse(b.Seal(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.FinanceSeal).Der), "dw_cwzyz"))),
        new("seal not filed with the receiver", ReceiveFailure.BadSignature, StampFailure.PositionNotAllowed, b => b.Unfiled(), Offline: false),
        new("seal made with bank 102's key and filed", ReceiveFailure.BadSignature, StampFailure.MakerNotAuthorized, b => b.RogueMadeSeal()),

        // Keys and certificates.
        new("wrong SM2 user ID on the USBKey", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_jbrsz", s => b.Encode(s, signature: b.Clerk.Token!.SignMessage(s.ToSignDer, "otherid").Value!))),
        new("wrong SM2 user ID at the seal server (SM2Signer)", ReceiveFailure.BadSignature, StampFailure.SignatureInvalid, b => b.Restamp("dw_cwzyz", s => b.Encode(s, signature: b.SignWithUserId(s.ToSignDer, "otherid")))),
        new("signer certificate revoked before stamping", ReceiveFailure.BadSignature, StampFailure.SignerCertificateInvalid, b => b.RevokedClerk()),
        new("stamp back-dated before the certificates existed", ReceiveFailure.BadSignature, StampFailure.MakerCertificateInvalid, b => b.Replace("dw_jbrsz", b.TokenStamp(b.Clerk, b.SealOf(TestNetwork.UnitClerk), "dw_jbrsz", TestNetwork.Start.AddDays(-1)))),

        // Timestamps.
        new("timestamp stripped", ReceiveFailure.BadSignature, StampFailure.TimestampMissing, b => b.Restamp("dw_cwzyz", s => b.Encode(s, timeStamp: []))),
        new("timestamp from a foreign TSA", ReceiveFailure.BadSignature, StampFailure.TimestampInvalid, b => b.Restamp("dw_cwzyz", s => b.Encode(s, timeStamp: b.ForeignTsa().Stamp(s.Signature)))),
        new("timestamp over another stamp's signature", ReceiveFailure.BadSignature, StampFailure.TimestampInvalid, b => b.Restamp("dw_jbrsz", s => b.Encode(s, timeStamp: b.StampOf(b.Genuine, "dw_fzrsz").TimeStamp))),
        new("timestamp bytes garbage", ReceiveFailure.BadSignature, StampFailure.TimestampInvalid, b => b.Restamp("dw_cwzyz", s => b.Encode(s, timeStamp: [1, 2, 3, 4]))),
        new("timestamp an hour after timeInfo", ReceiveFailure.BadSignature, StampFailure.TimestampMismatch, b => b.LateTimestamp()),

        // Replays.
        new("older version replayed", ReceiveFailure.StaleVersion, StampFailure.None, b => b.OlderReply()),
        new("voucher number reused with other content", ReceiveFailure.DuplicateWithDifferentContent, StampFailure.None, b => b.ReceivedThenChanged()),

        // The template and the bytes.
        new("a position missing", ReceiveFailure.MissingStamp, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Stamps = [.. x.Stamps.Where(s => s.Position != "dw_frz")] })),
        new("every stamp stripped", ReceiveFailure.MissingStamp, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Stamps = [] })),
        new("an extra unknown position", ReceiveFailure.ForeignStamp, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Stamps = [.. x.Stamps, new WireStamp("dw_xxx", x.Stamps[0].Der)] })),
        new("a position of another party's template", ReceiveFailure.ForeignStamp, StampFailure.None, b => Tamper.Body(b.Genuine, x => x with { Stamps = [.. x.Stamps, new WireStamp("cz_ywzyz", x.Stamps[2].Der)] })),
        new("garbage DER", ReceiveFailure.BadSignature, StampFailure.Malformed, b => b.Replace("dw_cwzyz", [0x30, 0x82, 0xFF, 0xFF, 0x01])),
        new("truncated DER", ReceiveFailure.BadSignature, StampFailure.Malformed, b => b.Replace("dw_cwzyz", b.StampOf(b.Genuine, "dw_cwzyz").Der[..^10])),
        new("a trailing byte after the DER", ReceiveFailure.BadSignature, StampFailure.Malformed, b => b.Replace("dw_cwzyz", [.. b.StampOf(b.Genuine, "dw_cwzyz").Der, 0])),
    ];

    public static TheoryData<string> Names => [.. s_attacks.Select(a => a.Name)];

    [Fact]
    public void The_corpus_has_at_least_forty_distinct_attacks()
    {
        Assert.True(s_attacks.Length >= 40, $"{s_attacks.Length} attacks");
        Assert.Equal(s_attacks.Length, s_attacks.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_attack_is_refused_with_its_exact_code_and_leaves_the_receiver_unchanged(string name)
    {
        var attack = s_attacks.Single(a => a.Name == name);
        using var net = new TestNetwork();
        var bench = new Bench(net);
        var forged = attack.Forge(bench);
        var receiver = bench.Receiver;
        var before = Rows(receiver);

        var answer = receiver.Library.Receive(new TransportMessage("attack", bench.Sender, receiver.Party, MessageKind.Voucher, forged));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith($"{attack.Receive}:", answer.Reason, StringComparison.Ordinal);
        if (attack.Stamp != StampFailure.None)
        {
            Assert.Contains($": {attack.Stamp} ({(int)attack.Stamp}):", answer.Reason, StringComparison.Ordinal);
        }

        Assert.Equal(before, Rows(receiver));
        Assert.Equal(1, TestNetwork.Count(receiver, "SELECT COUNT(*) FROM rejected_messages WHERE code = @code", new { code = attack.Receive.ToString() }));

        if (attack.Offline)
        {
            var verdict = EnvelopeVerifier.Verify(forged, net.Network.Trust.SealVerifier, new SealRegistry(net.Finance.Library.Database).Find, OpenTreasury.Domain.Seals.StampTemplates.Defaults);
            Assert.False(verdict.Valid);
            if (attack.Stamp != StampFailure.None)
            {
                Assert.Contains(verdict.Stamps, s => s.Failure == attack.Stamp);
            }
        }
    }

    [Fact]
    public void A_stamp_made_before_its_seal_was_revoked_stays_valid()
    {
        using var net = new TestNetwork();
        var bench = new Bench(net);
        var genuine = bench.Genuine;
        net.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(net.Network.Seals.Revoke(bench.Seal(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.FinanceSeal).EsId, "lost") > 0);

        var answer = net.Bank102.Library.Receive(new TransportMessage("m", PartyId.Finance, TestNetwork.Bank102Party, MessageKind.Voucher, genuine));
        var verdict = EnvelopeVerifier.Verify(genuine, net.Network.Trust.SealVerifier, new SealRegistry(net.Finance.Library.Database).Find, OpenTreasury.Domain.Seals.StampTemplates.Defaults);

        Assert.Equal(DeliveryAnswer.Accepted, answer);
        Assert.True(verdict.Valid, string.Join("; ", verdict.Stamps.Select(s => s.Reason).Concat(verdict.Problems)));
    }

    [Fact]
    public void The_library_will_not_stamp_with_a_revoked_seal()
    {
        using var net = new TestNetwork();
        var bench = new Bench(net);
        net.Network.Seals.Revoke(bench.Seal(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.FinanceSeal).EsId, "lost");

        var result = net.Finance.Library.Run(s => net.Finance.Library.Issue(s, net.Payment("ZF-0002", "1.00"), [TestNetwork.Bank102Party], bench.Clerk, bench.Head));

        Assert.Equal(LibraryRejection.NoUsableSeal, result.Rejection);
        Assert.Empty(net.Finance.Library.List("8202"));
    }

    private static (long Vouchers, long Inbox, long Stamps) Rows(TreasuryNode node) => (
        TestNetwork.Count(node, "SELECT COUNT(*) FROM vouchers"),
        TestNetwork.Count(node, "SELECT COUNT(*) FROM inbox"),
        TestNetwork.Count(node, "SELECT COUNT(*) FROM stamps"));

    private static string ReplaceFirst(string text, string old, string replacement)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{old}' is not in the voucher");
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + old.Length));
    }

    private static string ReplaceLast(string text, string old, string replacement)
    {
        var at = text.LastIndexOf(old, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{old}' is not in the voucher");
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + old.Length));
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = bytes.ToArray();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }

    private static byte[] FlipLast(byte[] bytes)
    {
        var copy = bytes.ToArray();
        copy[^1] ^= 0x01;
        return copy;
    }

    private static byte[] Reseal(ElectronicSeal seal, Func<SealInfo, SealInfo> change) =>
        ElectronicSeal.Encode(change(seal.Info), seal.MakerCertificate, seal.SignatureAlgorithmOid, seal.SignatureValue);

    /// <summary>What an attack works with: the network, a genuine export, the people, the codec.</summary>
    internal sealed class Bench(TestNetwork net)
    {
        private static readonly Encoding Gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;
        private byte[]? _genuine;

        public TestNetwork Net => net;

        public PartyId Sender { get; private set; } = PartyId.Finance;

        public TreasuryNode Receiver { get; private set; } = net.Bank102;

        public byte[] Genuine => _genuine ??= Export("ZF-0001");

        public VoucherBody Body => Tamper.Read(Genuine);

        public Signer Clerk => FinanceSigner(TestNetwork.UnitClerk);

        public Signer Head => FinanceSigner(TestNetwork.UnitHead);

        public string PayeeAccount => net.Master.Payees[0].AccountNo;

        public string PayeeName => net.Master.Payees[0].Name;

        public string OtherUnit => net.Master.Units.First(u => u.AgencyCode != TestNetwork.Agency).AgencyCode;

        public Signer FinanceSigner(string userId) => net.FinanceSigner(userId);

        public byte[] Export(string voucherNo) => net.Finance.Library.Export(net.SendPayment(voucherNo));

        public string PropertyInfo(string position) => SignatureServer.PropertyInfo(Body.Key, Body.Version, position, OpenTreasury.Domain.Seals.StampTemplate.DefaultVersion);

        public byte[] From(PartyId sender, byte[] payload)
        {
            Sender = sender;
            return payload;
        }

        public byte[] EditInner(Func<string, string> edit) =>
            Tamper.Body(Genuine, b => b with { InnerVoucher = Gbk.GetBytes(edit(Gbk.GetString(b.InnerVoucher))) });

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the bench's vocabulary, called as b.X in the table.")]
        public SealSignature StampOf(byte[] envelope, string position)
        {
            Assert.True(SealSignature.TryParse(Tamper.Read(envelope).Stamps.Single(s => s.Position == position).Der, out var stamp, out var error), error);
            return stamp;
        }

        public byte[] Replace(string position, byte[] der) =>
            Tamper.Body(Genuine, b => b with { Stamps = [.. b.Stamps.Select(s => s.Position == position ? s with { Der = der } : s)] });

        public byte[] Restamp(string position, Func<SealSignature, byte[]> change) => Replace(position, change(StampOf(Genuine, position)));

        public byte[] Swap(string first, string second)
        {
            var a = StampOf(Genuine, first).Der;
            var b = StampOf(Genuine, second).Der;
            return Tamper.Body(Genuine, x => x with { Stamps = [.. x.Stamps.Select(s => s.Position == first ? s with { Der = b } : s.Position == second ? s with { Der = a } : s)] });
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the bench's vocabulary, called as b.X in the table.")]
        /// <summary>Re-encodes a stamp with one part changed, keeping its signature (an empty timeStamp strips it).</summary>
        public byte[] Encode(SealSignature s, int? version = null, byte[]? sealDer = null, DateTimeOffset? time = null, byte[]? dataHash = null, string? propertyInfo = null,
            byte[]? certificate = null, string? algorithm = null, byte[]? signature = null, byte[]? timeStamp = null)
        {
            var toSign = version is null && sealDer is null && time is null && dataHash is null && propertyInfo is null
                ? s.ToSignDer
                : SealSignature.EncodeToSign(version ?? s.Version, sealDer ?? s.Seal.Der, time ?? s.TimeInfo, dataHash ?? s.DataHash, propertyInfo ?? s.PropertyInfo);
            var stamp = timeStamp is { Length: 0 } ? null : timeStamp ?? s.TimeStamp;
            return SealSignature.Encode(toSign, certificate ?? s.SignerCertificate, algorithm ?? s.SignatureAlgorithmOid, signature ?? s.Signature, stamp);
        }

        public RegisteredSeal Seal(Func<RegisteredSeal, bool> which) => new SealRegistry(net.Finance.Library.Database).List().Single(which);

        public ElectronicSeal SealOf(string holder) => Parse(Seal(s => s.HolderUser == holder).Der);

        public static ElectronicSeal Parse(byte[] der)
        {
            Assert.True(ElectronicSeal.TryParse(der, out var seal, out var error), error);
            return seal;
        }

        /// <summary>A stamp over the genuine inner voucher with a person's USBKey, through the seal server's own code.</summary>
        public byte[] TokenStamp(Signer signer, ElectronicSeal seal, string position, DateTimeOffset? at = null)
        {
            var made = net.Finance.Library.Signing.StampWithToken(seal, signer.Token!, Body.InnerVoucher, PropertyInfo(position), at ?? net.Clock.GetUtcNow());
            Assert.True(made.Succeeded, made.Message);
            return made.Value!.Der;
        }

        public byte[] InstitutionStamp(TreasuryNode node, RegisteredSeal seal, string position, DateTimeOffset? at = null) =>
            node.Library.Signing.StampAsInstitution(Parse(seal.Der), Body.InnerVoucher, PropertyInfo(position), at ?? net.Clock.GetUtcNow()).Der;

        /// <summary>The clerk alters their personal seal (and optionally its outer encoding) and signs the stamp again with their own USBKey.</summary>
        public byte[] ClerkResigns(Func<SealInfo, SealInfo> change, Func<ElectronicSeal, byte[]>? reencode = null)
        {
            var original = StampOf(Genuine, "dw_jbrsz");
            var altered = Parse(Reseal(original.Seal, change));
            var sealDer = reencode is null ? altered.Der : reencode(altered);
            var toSign = SealSignature.EncodeToSign(4, sealDer, original.TimeInfo, original.DataHash, original.PropertyInfo);
            var signature = Clerk.Token!.SignMessage(toSign, Sm2.DefaultUserId).Value!;
            var der = SealSignature.Encode(toSign, original.SignerCertificate, original.SignatureAlgorithmOid, signature, net.Network.Trust.TimestampAuthority.Stamp(signature));
            return Replace("dw_jbrsz", der);
        }

        /// <summary>The amount changed, and the maker's dataHash recomputed over the changed bytes (the signature is kept).</summary>
        public byte[] AlteredWithRecomputedHash()
        {
            var altered = Tamper.Read(Tamper.OneAmountDigit(Genuine));
            var stamp = StampOf(Genuine, "dw_jbrsz");
            var der = Encode(stamp, dataHash: Sm3.Hash(altered.InnerVoucher));
            return Tamper.Body(Genuine, b => b with { InnerVoucher = altered.InnerVoucher, Stamps = [.. b.Stamps.Select(s => s.Position == "dw_jbrsz" ? s with { Der = der } : s)] });
        }

        public byte[] SignWithUserId(byte[] toSign, string userId)
        {
            var finance = NodeCredential.Load(Path.Combine(net.Directory, "finance", "keys"), PartyId.Finance, Simulation.TreasuryNetwork.DemoPassphrase);
            var signer = new SM2Signer();
            signer.Init(true, new ParametersWithID(new ParametersWithRandom(finance.PrivateKey, new SecureRandom()), Encoding.ASCII.GetBytes(userId)));
            signer.BlockUpdate(toSign, 0, toSign.Length);
            return signer.GenerateSignature();
        }

        public ITimestampAuthority ForeignTsa()
        {
            var random = new SecureRandom();
            var rogue = NetworkPki.Create("Rogue network", net.Clock.GetUtcNow(), random);
            var keys = Sm2.GenerateKeyPair(random);
            var certificate = rogue.IssueTimestamping("Rogue TSA", keys.Public, net.Clock.GetUtcNow(), TimeSpan.FromDays(365));
            return new TimestampAuthority(certificate, keys.Private, net.Clock, random);
        }

        public byte[] RevokedUnitSeal()
        {
            var genuine = Genuine;
            var seal = Seal(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.FinanceSeal);
            net.Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.True(net.Network.Seals.Revoke(seal.EsId, "stolen") > 0);
            net.Clock.Advance(TimeSpan.FromSeconds(2));
            _genuine = genuine;
            return Replace("dw_cwzyz", InstitutionStamp(net.Finance, seal, "dw_cwzyz"));
        }

        public byte[] ExpiredUnitSeal()
        {
            var unit = net.Master.Unit(TestNetwork.Agency);
            var expired = net.Network.Seals.Make(
                new SealOrder(PartyId.Finance, TestNetwork.Agency, SealType.FinanceSeal, unit.Name, "财务专用章", "expired", net.Finance.Library.Signing.Certificate, []),
                TestNetwork.Start.AddYears(-3));
            return Replace("dw_cwzyz", InstitutionStamp(net.Finance, expired, "dw_cwzyz"));
        }

        public byte[] RogueMadeSeal()
        {
            var unit = net.Master.Unit(TestNetwork.Agency);
            var bank = NodeCredential.Load(Path.Combine(net.Directory, "bank-102", "keys"), TestNetwork.Bank102Party, Simulation.TreasuryNetwork.DemoPassphrase);
            var roguePublic = net.Network.PublicDirectory; // published where the seal maker publishes: the next notice
            var rogueAdministration = new SealAdministration([], bank, roguePublic, net.Clock, new SecureRandom());
            var rogue = rogueAdministration.Make(
                new SealOrder(PartyId.Finance, TestNetwork.Agency, SealType.FinanceSeal, unit.Name, "财务专用章", "rogue", net.Finance.Library.Signing.Certificate, []),
                net.Clock.GetUtcNow());

            // Its filing notice, signed by the bank and not by the seal maker, is refused by every node: nothing registered.
            var (applied, rejection, _) = SealNotices.Import(net.Bank102.Library, roguePublic);
            Assert.Equal((0, SealNoticeRejection.BadSignature), (applied, rejection));
            Assert.False(new SealRegistry(net.Bank102.Library.Database).Find(rogue.EsId)?.Der.AsSpan().SequenceEqual(rogue.Der) ?? false, "the rogue seal was registered");
            return Replace("dw_cwzyz", InstitutionStamp(net.Finance, rogue, "dw_cwzyz"));
        }

        public byte[] Unfiled()
        {
            var genuine = Genuine;
            var esId = Seal(s => s.HolderUser == TestNetwork.UnitClerk).EsId;
            using var connection = net.Bank102.Library.Database.Connect();
            Assert.Equal(1, connection.Execute("DELETE FROM seals WHERE es_id = @esId", new { esId }));
            return genuine;
        }

        public byte[] RevokedClerk()
        {
            var genuine = Genuine;
            var serial = net.Finance.Users.Find(TestNetwork.UnitClerk)!.CertSerial!;
            net.Clock.Advance(TimeSpan.FromSeconds(2));
            net.Network.Authority.Revoke(new BigInteger(serial, 16), RevocationReason.KeyCompromise, net.Network.PublicDirectory);
            net.Clock.Advance(TimeSpan.FromSeconds(2));
            _genuine = genuine;
            return Replace("dw_jbrsz", TokenStamp(Clerk, SealOf(TestNetwork.UnitClerk), "dw_jbrsz"));
        }

        public byte[] LateTimestamp()
        {
            var genuine = Genuine;
            var signedAt = net.Clock.GetUtcNow();
            net.Clock.Advance(TimeSpan.FromHours(1));
            _genuine = genuine;
            return Replace("dw_jbrsz", TokenStamp(Clerk, SealOf(TestNetwork.UnitClerk), "dw_jbrsz", signedAt));
        }

        public byte[] OlderReply()
        {
            net.Finance.FinanceDesk!.IssueQuota(3, TestNetwork.BusinessDate, [new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Domain.Money.Amount.FromYuan(1_000))]);
            net.SettleAndProcessAsync().GetAwaiter().GetResult();
            var reply = net.Pboc.Library.List("5106").Single(v => v.IsReply);
            Sender = PartyId.Pboc;
            Receiver = net.Finance;
            return Tamper.Body(net.Pboc.Library.Export(reply.Id), b => b with { Version = 1 });
        }

        public byte[] ReceivedThenChanged()
        {
            Assert.Equal(DeliveryAnswer.Accepted, net.Bank102.Library.Receive(new TransportMessage("first", PartyId.Finance, TestNetwork.Bank102Party, MessageKind.Voucher, Genuine)));
            return Tamper.OneAmountDigit(Genuine);
        }
    }
}
