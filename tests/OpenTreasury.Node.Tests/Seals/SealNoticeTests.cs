using System.Text;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Seals;

namespace OpenTreasury.Node.Tests.Seals;

/// <summary>Seal filing and revocation travel as the seal maker's signed notices, which each node checks and takes in itself.</summary>
public sealed class SealNoticeTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private string NoticeFolder => Path.Combine(_net.Network.PublicDirectory, SealNotices.Folder);

    [Fact]
    public void Every_node_has_taken_in_every_published_notice_once()
    {
        var published = Directory.EnumerateFiles(NoticeFolder, "*.json").Count();
        Assert.True(published > 20, $"{published} notices");
        foreach (var node in _net.Network.Nodes.Values)
        {
            Assert.Equal(published, TestNetwork.Count(node, "SELECT COUNT(*) FROM seal_notices"));
            Assert.Equal((0, SealNoticeRejection.None), Take(node.Library));
        }
    }

    [Fact]
    public void A_revocation_is_published_and_applied_at_every_node_from_the_notice()
    {
        var seal = new SealRegistry(_net.Bank102.Library.Database).List().First(s => s.OwnerParty == "bank-102" && s.Type == SealType.TransferSeal);
        Assert.Equal(4, _net.Network.Seals.Revoke(seal.EsId, "印章遗失"));
        foreach (var node in _net.Network.Nodes.Values)
        {
            Assert.NotNull(new SealRegistry(node.Library.Database).Find(seal.EsId)!.RevokedAt);
        }
    }

    [Fact]
    public void A_notice_changed_after_signing_is_refused_audited_and_nothing_after_it_is_applied()
    {
        var order = new SealOrder(PartyId.Parse("bank-102"), null, SealType.TransferSeal, "中国工商银行芒市支行", "转讫章", null, _net.Bank102.Library.Signing.Certificate, ["复核"]);
        var first = Publish(order);
        var forgedPath = Directory.EnumerateFiles(NoticeFolder, "*.json").Order(StringComparer.Ordinal).Last();
        var text = File.ReadAllText(forgedPath, Encoding.UTF8);
        var at = text.IndexOf("\"Notice\":\"", StringComparison.Ordinal) + 40; // a character inside the signed notice (base64)
        File.WriteAllText(forgedPath, text[..at] + (text[at] == 'A' ? 'B' : 'A') + text[(at + 1)..], Encoding.UTF8);

        var (applied, rejection) = Take(_net.Pboc.Library);
        Assert.Equal(0, applied);
        Assert.True(rejection is SealNoticeRejection.BadSignature or SealNoticeRejection.Malformed, rejection.ToString());
        Assert.Null(new SealRegistry(_net.Pboc.Library.Database).Find(first));
        Assert.Equal(1, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM audit WHERE operation = 'seal-notice-refused'"));
    }

    [Fact]
    public void A_notice_signed_by_a_node_key_is_not_the_seal_makers()
    {
        var bank = Trust.Certificates.NodeCredential.Load(Path.Combine(_net.Directory, "bank-102", "keys"), TestNetwork.Bank102Party, Simulation.TreasuryNetwork.DemoPassphrase);
        var folder = _net.Network.PublicDirectory; // slipped in as the next notice where the seal maker publishes
        var forger = new SealAdministration([], bank, folder, _net.Clock, new Org.BouncyCastle.Security.SecureRandom());
        var seal = forger.Make(new SealOrder(PartyId.Finance, TestNetwork.Agency, SealType.FinanceSeal, "芒市人民政府办公室", "财务专用章", null, _net.Finance.Library.Signing.Certificate, ["单位财务负责人"]), _net.Clock.GetUtcNow());

        var (applied, rejection, _) = SealNotices.Import(_net.Finance.Library, folder);
        Assert.Equal((0, SealNoticeRejection.BadSignature), (applied, rejection));
        Assert.False(new SealRegistry(_net.Finance.Library.Database).Find(seal.EsId)?.Der.AsSpan().SequenceEqual(seal.Der) ?? false, "the forged seal was registered");
    }

    private string Publish(SealOrder order)
    {
        // Published by the seal maker but not yet taken in by PBOC: a host that runs only Finance's node.
        var maker = _net.Network.Authority.SealMaker;
        var administration = new SealAdministration([_net.Finance.Library], maker, _net.Network.PublicDirectory, _net.Clock, new Org.BouncyCastle.Security.SecureRandom());
        return administration.Make(order, _net.Clock.GetUtcNow()).EsId;
    }

    private static (int Applied, SealNoticeRejection Rejection) Take(Node.Library.VoucherLibrary library)
    {
        var (applied, rejection, _) = SealNotices.Import(library);
        return (applied, rejection);
    }
}
