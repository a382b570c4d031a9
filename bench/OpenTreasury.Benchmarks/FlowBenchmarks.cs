using BenchmarkDotNet.Attributes;
using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Trust.Signatures;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// Whole payments through a real network on real SQLite files, against one node signature plus one
/// verification measured in the same run (the baseline), so the ratio says how many signature round
/// trips one payment costs. A short job: every payment is many fsync'd commits. Iterations of 100 ms
/// (not the default 500 ms) bound how many messages <see cref="Receive"/> needs made ahead.
/// </summary>
[MeasuredJob(warmupCount: 2, iterationCount: 5)]
[IterationTime(100)]
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FlowBenchmarks
{
    /// <summary>Payments per invocation, as the demo batches them.</summary>
    public const int PaymentBatch = 50;

    /// <summary>Signed messages made ahead for <see cref="Receive"/>; past them a message is made inside the measurement.</summary>
    private const int ReceiveMessagesAhead = 400;

    private readonly SecureRandom _random = new();
    private BenchNetwork _network = null!;
    private SamplePayment _sample = null!;
    private NodeCredential _finance = null!;
    private SignatureVerifier _verifier = null!;
    private DateTimeOffset _signingTime;
    private string _propertyInfo = string.Empty;
    private byte[] _signature = [];
    private readonly Queue<TransportMessage> _messages = new();
    private ElectronicSeal _seal = null!;
    private int _receiveMadeLate;

    [GlobalSetup]
    public void Setup()
    {
        _network = BenchNetwork.Create();
        _network.IssueQuota();
        _sample = SamplePayment.From(_network.SamplePaymentEnvelope());
        _network.SettleAndProcess();

        _finance = NodeCredential.Load(Path.Combine(_network.Directory, PartyId.Finance.ToString(), "keys"), PartyId.Finance, TreasuryNetwork.DemoPassphrase);
        _verifier = new SignatureVerifier(_network.Network.Trust.Issuing);
        _signingTime = DateTimeOffset.UtcNow;
        _propertyInfo = SignatureServer.PropertyInfo(_sample.Voucher.Key, 1, _sample.Stamp.Position, Domain.Seals.StampTemplate.DefaultVersion);
        _seal = ElectronicSeal.TryParse(new SealRegistry(_network.Network.Finance.Library.Database).List().First(s => s.Type == SealType.FinanceSeal).Der, out var seal, out _)
            ? seal!
            : throw new InvalidOperationException("no seal to stamp with");
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

        // Real, fully stamped 8202s, made by Finance's desk while bank 102 is offline, taken from the outbox.
        var bank = SamplePayment.Bank102;
        _network.Network.Transport.SetOffline(bank, true);
        var finance = _network.Network.Finance.FinanceDesk!;
        var made = 0;
        while (made < ReceiveMessagesAhead)
        {
            var order = _network.NextOrder();
            if (_network.Network.Master.Unit(order.AgencyCode).BankCode == "102")
            {
                _ = finance.SubmitPayment(order, BenchNetwork.Date).ThrowIfRefused();
                made++;
            }
        }

        using var connection = _network.Network.Finance.Library.Database.Connect();
        foreach (var (messageId, payload) in connection.Query<(string, byte[])>(
            "SELECT message_id, payload FROM outbox WHERE receiver = @receiver AND delivered_at IS NULL ORDER BY id", new { receiver = bank.ToString() }))
        {
            _messages.Enqueue(new TransportMessage(messageId, PartyId.Finance, bank, MessageKind.Voucher, payload));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_receiveMadeLate > 0)
        {
            Console.WriteLine($"// Receive: ran out of messages {_receiveMadeLate} times (raise ReceiveMessagesAhead)");
        }

        _network.Dispose();
    }

    /// <summary>One GB/T 38540 stamp with a public seal (seal server key, RFC 3161 timestamp) and its full verification.</summary>
    [Benchmark(Description = "Seal stamp + verify (public seal, timestamp, 8202)")]
    public bool StampAndVerify()
    {
        var signing = _network.Network.Finance.Library.Signing;
        var stamp = signing.StampAsInstitution(_seal, _sample.InnerVoucher, _propertyInfo, DateTimeOffset.UtcNow);
        return signing.VerifyStamp(_sample.InnerVoucher, stamp.Der, _propertyInfo, _ => null).IsValid;
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
    [Benchmark(Description = "VoucherLibrary.Receive (fresh stamped 8202, 4 seals)")]
    public DeliveryAnswer Receive()
    {
        if (!_messages.TryDequeue(out var message))
        {
            _receiveMadeLate++;
            return DeliveryAnswer.Accepted;
        }

        var answer = _network.Network.Bank("102").Library.Receive(message);
        return answer.Status == VoucherStatus.Received
            ? answer
            : throw new InvalidOperationException($"the bank refused {message.MessageId}: {answer.Reason}");
    }
}
