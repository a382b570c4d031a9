using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Tests.Sandbox;

/// <summary>
/// The test environment (测试环境) beside production: its own CA, whose names say so; each side refuses the other's
/// vouchers with <see cref="ReceiveFailure.WrongEnvironment"/> before anything is stored, and its certificates with
/// <see cref="CertificateFailure.WrongEnvironment"/>.
/// </summary>
public sealed class SandboxTests : IDisposable
{
    private readonly TestNetwork _production = new();
    private readonly TestNetwork _sandbox = new(environment: NetworkEnvironment.Sandbox);

    public void Dispose()
    {
        _production.Dispose();
        _sandbox.Dispose();
    }

    private static TransportMessage FromFinance(byte[] payload) =>
        new("sandbox-test-message", PartyId.Finance, TestNetwork.Bank102Party, MessageKind.Voucher, payload);

    private static (long Vouchers, long Inbox, long Refused) Counts(TestNetwork net) => (
        TestNetwork.Count(net.Bank102, "SELECT COUNT(*) FROM vouchers"),
        TestNetwork.Count(net.Bank102, "SELECT COUNT(*) FROM inbox"),
        TestNetwork.Count(net.Bank102, "SELECT COUNT(*) FROM rejected_messages"));

    [Fact]
    public void Each_network_knows_its_environment_and_every_certificate_it_issues_names_it()
    {
        Assert.Equal(NetworkEnvironment.Production, _production.Network.Trust.Environment);
        Assert.Equal(NetworkEnvironment.Sandbox, _sandbox.Network.Trust.Environment);
        Assert.Contains("OU=测试环境", _sandbox.Network.Trust.Issuing.SubjectDN.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("测试环境", _production.Network.Trust.Issuing.SubjectDN.ToString(), StringComparison.Ordinal);
        Assert.Equal(NetworkEnvironment.Sandbox, NetworkEnvironments.Of(_sandbox.Network.Trust.SealMakerCertificate));
        Assert.Equal(NetworkEnvironment.Sandbox, NetworkEnvironments.Of(_sandbox.Network.Trust.TimestampCertificate));
        Assert.Equal(NetworkEnvironment.Production, NetworkEnvironments.Of(_production.Network.Trust.SealMakerCertificate));
    }

    [Fact]
    public void A_sandbox_voucher_sent_to_a_production_node_is_refused_with_WrongEnvironment_and_nothing_is_stored()
    {
        var payload = _sandbox.Finance.Library.Export(_sandbox.SendPayment("ZF-0001"));

        var answer = _production.Bank102.Library.Receive(FromFinance(payload));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(ReceiveFailure.WrongEnvironment), answer.Reason, StringComparison.Ordinal);
        Assert.Contains("test environment (测试环境)", answer.Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0, 1), Counts(_production));

        // The same voucher at the sandbox's own bank is taken: the refusal is the environment, not the voucher.
        Assert.Equal(DeliveryAnswer.Accepted, _sandbox.Bank102.Library.Receive(FromFinance(payload)));
    }

    [Fact]
    public void A_production_voucher_sent_to_a_sandbox_node_is_refused_the_same_way()
    {
        var payload = _production.Finance.Library.Export(_production.SendPayment("ZF-0002"));

        var answer = _sandbox.Bank102.Library.Receive(FromFinance(payload));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(ReceiveFailure.WrongEnvironment), answer.Reason, StringComparison.Ordinal);
        Assert.Contains("production environment (生产环境)", answer.Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0, 1), Counts(_sandbox));
    }

    [Fact]
    public void A_sandbox_certificate_is_not_valid_for_production_by_its_environment_before_its_chain()
    {
        var sandboxSealMaker = _sandbox.Network.Trust.SealMakerCertificate;

        var validation = _production.Network.Trust.Validator.Validate(sandboxSealMaker, TestNetwork.Start, CertificateUse.Institution);

        Assert.Equal(CertificateFailure.WrongEnvironment, validation.Failure);
        Assert.True(_sandbox.Network.Trust.Validator.Validate(sandboxSealMaker, TestNetwork.Start, CertificateUse.Institution).IsValid);
    }

    [Fact]
    public void Offline_verification_names_the_environment_of_every_stamp()
    {
        var payload = _sandbox.Finance.Library.Export(_sandbox.SendPayment("ZF-0003"));

        var verdict = Signing.EnvelopeVerifier.Verify(payload, _production.Network.Trust.SealVerifier, _ => null, OpenTreasury.Domain.Seals.StampTemplates.Defaults);

        Assert.False(verdict.Valid);
        Assert.NotEmpty(verdict.Stamps);
        Assert.All(verdict.Stamps, s => Assert.Equal(StampFailure.WrongEnvironment, s.Failure));
    }
}
