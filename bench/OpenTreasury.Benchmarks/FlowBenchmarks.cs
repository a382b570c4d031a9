using System.Globalization;
using BenchmarkDotNet.Attributes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Signatures;
using OpenTreasury.Wire;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// Whole payments through a real network on real SQLite files, against one node signature plus one
/// verification measured in the same run (the baseline), so the ratio says how many signature round
/// trips one payment costs. A short job: every payment is many fsync'd commits. Iterations of 100 ms
/// (not the default 500 ms) bound how many messages <see cref="Receive"/> needs made ahead.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
[IterationTime(100)]
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FlowBenchmarks
{
    /// <summary>Payments per invocation, as the demo batches them.</summary>
    public const int PaymentBatch = 50;

    /// <summary>Signed messages made ahead for <see cref="Receive"/>; past them a message is made inside the measurement.</summary>
    private const int ReceiveMessagesAhead = 8_000;

    private readonly SecureRandom _random = new();
    private BenchNetwork _network = null!;
    private SamplePayment _sample = null!;
    private NodeCredential _finance = null!;
    private SignatureVerifier _verifier = null!;
    private DateTimeOffset _signingTime;
    private string _propertyInfo = string.Empty;
    private byte[] _signature = [];
    private readonly Queue<TransportMessage> _messages = new();
    private int _receiveNo;
    private int _receiveMadeLate;

    [GlobalSetup]
    public void Setup()
    {
        _network = BenchNetwork.Create();
        _network.IssueQuota();
        _sample = SamplePayment.From(_network.SamplePaymentEnvelope());
        _network.SettleAndProcess();

        _finance = NodeCredential.Load(Path.Combine(_network.Directory, PartyId.Finance.ToString(), "keys"), PartyId.Finance);
        _verifier = _network.Network.Finance.Library.Signing.Verifier;
        _signingTime = DateTimeOffset.UtcNow;
        _propertyInfo = NodeSigning.PropertyInfo(_sample.Voucher.Key, 1, _sample.Stamp.Position);
        _signature = VoucherSigner.Sign(_finance, _sample.InnerVoucher, _propertyInfo, _signingTime, _random);
        if (!SignAndVerify())
        {
            throw new InvalidOperationException("the baseline signature does not verify");
        }
    }

    [GlobalSetup(Target = nameof(Receive))]
    public void SetupReceive()
    {
        Setup();
        for (var i = 0; i < ReceiveMessagesAhead; i++)
        {
            _messages.Enqueue(NextVoucherMessage());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_receiveMadeLate > 0)
        {
            Console.WriteLine($"// Receive: {_receiveMadeLate} messages were made inside the measurement (raise ReceiveMessagesAhead)");
        }

        _network.Dispose();
    }

    [Benchmark(Baseline = true, Description = "VoucherSigner.Sign + SignatureVerifier.Verify (8202)")]
    public bool SignAndVerify()
    {
        var der = VoucherSigner.Sign(_finance, _sample.InnerVoucher, _propertyInfo, _signingTime, _random);
        return _verifier.Verify(_sample.InnerVoucher, der, _propertyInfo, PartyId.Finance).IsValid;
    }

    /// <summary>
    /// 50 payments end to end, reported per payment: Finance enters, approves, signs and sends each 8202;
    /// delivery verifies and stores it at the bank; the bank pays it within quota and signs for it; the
    /// signed status notice travels back and moves Finance's copy to 3 (signed for).
    /// </summary>
    [Benchmark(OperationsPerInvoke = PaymentBatch, Description = "Payment end to end (per payment, batches of 50)")]
    public int Payments()
    {
        var finance = _network.Network.Finance.FinanceDesk!;
        for (var i = 0; i < PaymentBatch; i++)
        {
            _ = finance.SubmitPayment(_network.NextOrder(), BenchNetwork.Date).ThrowIfRefused();
        }

        _ = _network.Network.SettleAsync().GetAwaiter().GetResult();
        int paid = 0, returned = 0;
        foreach (var bank in _network.Network.Banks)
        {
            var pass = bank.BankDesk!.ProcessReceived(BenchNetwork.Date);
            paid += pass.PaymentsPaid;
            returned += pass.PaymentsReturned;
        }

        _ = _network.Network.SettleAsync().GetAwaiter().GetResult();
        return paid == PaymentBatch && returned == 0
            ? paid
            : throw new InvalidOperationException($"of {PaymentBatch} payments {paid} were paid and {returned} returned");
    }

    /// <summary>The bank's library takes one fresh signed 8202: MOF read, content rules, signature verify, inbox, store, audit; one commit.</summary>
    [Benchmark(Description = "VoucherLibrary.Receive (fresh signed 8202)")]
    public DeliveryAnswer Receive()
    {
        if (!_messages.TryDequeue(out var message))
        {
            _receiveMadeLate++;
            message = NextVoucherMessage();
        }

        var answer = _network.Network.Bank("102").Library.Receive(message);
        return answer.Status == VoucherStatus.Received
            ? answer
            : throw new InvalidOperationException($"the bank refused {message.MessageId}: {answer.Reason}");
    }

    private TransportMessage NextVoucherMessage()
    {
        var voucher = _sample.Renumbered($"RC{(++_receiveNo).ToString("D8", CultureInfo.InvariantCulture)}");
        var inner = VoucherXml.Write(voucher);
        var position = _sample.Stamp.Position;
        var der = VoucherSigner.Sign(_finance, inner, NodeSigning.PropertyInfo(voucher.Key, 1, position), _signingTime, _random);
        var payload = MofFormat.Write(new MofEnvelope([new VoucherBody(voucher.Key, 1, VoucherFlag.Voucher, string.Empty, inner, [new WireStamp(position, der)])]));
        var to = SamplePayment.Bank102;
        return new TransportMessage($"{PartyId.Finance}>{to}:{voucher.Key}/v1", PartyId.Finance, to, MessageKind.Voucher, payload);
    }
}
