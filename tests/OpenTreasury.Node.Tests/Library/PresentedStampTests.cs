using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Node.Tests.Library;

/// <summary>
/// A person's stamp made on their own machine (the support control signs TBS_Sign with their USBKey) and
/// presented to the node: accepted only for their seal, this voucher's bytes, this position and now; the node
/// adds the timestamp; anything else is refused with PresentedStampInvalid and changes nothing.
/// </summary>
public sealed class PresentedStampTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public void Stamps_made_on_the_persons_machine_carry_an_8202_from_draft_to_sent_with_the_nodes_timestamp()
    {
        var id = Draft();
        var clerk = Remote(TestNetwork.UnitClerk, Made(id, StampRole.Maker, TestNetwork.UnitClerk));
        Assert.True(_net.Finance.Library.Run(s => _net.Finance.Library.StampAll(s, id, StampRole.Maker, clerk)).Ok);

        var head = Remote(TestNetwork.UnitHead, Made(id, StampRole.Checker, TestNetwork.UnitHead));
        var approved = _net.Finance.FinanceDesk!.ApprovePayment(id, head);

        Assert.True(approved.Ok, approved.Message);
        var voucher = _net.Finance.Library.Find(id)!;
        Assert.Equal("sent", voucher.State);
        Assert.All(_net.Finance.Library.Stamps(id), s => Assert.NotNull(Parse(s.Der).TimeStamp));
        Assert.True(_net.Finance.Library.CheckIntegrity(voucher).Intact);
    }

    [Fact]
    public void The_same_person_cannot_approve_their_own_entry_with_stamps_from_their_machine()
    {
        var id = Draft(TestNetwork.UnitHead);
        var head = Remote(TestNetwork.UnitHead, Made(id, StampRole.Maker, TestNetwork.UnitHead));
        Assert.True(_net.Finance.Library.Run(s => _net.Finance.Library.StampAll(s, id, StampRole.Maker, head)).Ok);

        var again = Remote(TestNetwork.UnitHead, Made(id, StampRole.Checker, TestNetwork.UnitHead));
        var refused = _net.Finance.FinanceDesk!.ApprovePayment(id, again);

        Assert.Equal(LibraryRejection.SameMakerAndChecker, refused.Rejection);
        Assert.Equal("draft", _net.Finance.Library.Find(id)!.State);
    }

    public static TheoryData<string> Forgeries => ["other-seal", "other-data", "other-position", "stale-time", "with-timestamp", "garbage", "none"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_presented_stamp_that_is_not_of_the_persons_seal_this_voucher_this_position_and_now_is_refused(string forgery)
    {
        var id = Draft();
        var request = _net.Finance.Library.StampRequests(id, StampRole.Maker, TestNetwork.UnitClerk).Single();
        var voucher = _net.Finance.Library.Find(id)!;
        var now = _net.Clock.GetUtcNow();
        var otherSeal = _net.Finance.Library.StampRequests(id, StampRole.Maker, TestNetwork.UnitHead).Single().SealDer;
        byte[]? presented = forgery switch
        {
            "other-seal" => Stamp(TestNetwork.UnitHead, otherSeal, voucher.InnerXml, request.PropertyInfo, now),
            "other-data" => Stamp(TestNetwork.UnitClerk, request.SealDer, [.. voucher.InnerXml, (byte)' '], request.PropertyInfo, now),
            "other-position" => Stamp(TestNetwork.UnitClerk, request.SealDer, voucher.InnerXml, request.PropertyInfo + "x", now),
            "stale-time" => Stamp(TestNetwork.UnitClerk, request.SealDer, voucher.InnerXml, request.PropertyInfo, now - SignatureServerSkew - TimeSpan.FromMinutes(1)),
            "with-timestamp" => Stamp(TestNetwork.UnitClerk, request.SealDer, voucher.InnerXml, request.PropertyInfo, now, _net.Network.Trust.TimestampAuthority),
            "garbage" => [0x30, 0x03, 0x02, 0x01, 0x04],
            _ => null,
        };
        var stamps = presented is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]> { [request.Position] = presented };

        var result = _net.Finance.Library.Run(s => _net.Finance.Library.StampAll(s, id, StampRole.Maker, Remote(TestNetwork.UnitClerk, stamps)));

        Assert.Equal(LibraryRejection.PresentedStampInvalid, result.Rejection);
        Assert.Empty(_net.Finance.Library.Stamps(id));
    }

    private static readonly TimeSpan SignatureServerSkew = Node.Signing.SignatureServer.PresentedStampSkewMax;

    private long Draft(string clerk = TestNetwork.UnitClerk)
    {
        var order = _net.Order($"ZF-P-{Guid.NewGuid():N}"[..14], Amount.FromYuan(100));
        var drafted = _net.Finance.FinanceDesk!.DraftPayment(order, TestNetwork.BusinessDate, clerk);
        Assert.True(drafted.Ok, drafted.Message);
        return drafted.VoucherId;
    }

    private Dictionary<string, byte[]> Made(long id, StampRole role, string userId)
    {
        var voucher = _net.Finance.Library.Find(id)!;
        return _net.Finance.Library.StampRequests(id, role, userId)
            .ToDictionary(r => r.Position, r => Stamp(userId, r.SealDer, voucher.InnerXml, r.PropertyInfo, _net.Clock.GetUtcNow()));
    }

    /// <summary>What the support control does: the person's USBKey signs TBS_Sign; no timestamp.</summary>
    private byte[] Stamp(string userId, byte[] sealDer, byte[] data, string propertyInfo, DateTimeOffset at, Trust.Pki.ITimestampAuthority? tsa = null)
    {
        using var device = SoftUsbKey.Open(_net.Finance.Users.TokenPath(userId), new SecureRandom()).ValueOrThrow();
        var application = device.OpenApplication(SoftUsbKey.ApplicationName);
        Assert.True(application.VerifyPin(_net.Master.DemoPin).Succeeded);
        var token = application.OpenContainer(SoftUsbKey.SignContainerName);
        Assert.True(ElectronicSeal.TryParse(sealDer, out var seal, out _));
        return SealStamper.Stamp(seal, token.SignCertificate!.GetEncoded(), tbs => token.SignMessage(tbs, Sm2.DefaultUserId).Value!, data, propertyInfo, at, tsa).Der;
    }

    private Signer Remote(string userId, IReadOnlyDictionary<string, byte[]> stamps)
    {
        var user = _net.Finance.Users.Find(userId)!;
        return Signer.Remote(new Actor(_net.Finance.Party, userId, user.Role, user.AgencyCode, user.AdmDivCode), user.Name, stamps);
    }

    private static SealSignature Parse(byte[] der) => SealSignature.TryParse(der, out var s, out _) ? s : throw new InvalidOperationException("unreadable stamp");
}
