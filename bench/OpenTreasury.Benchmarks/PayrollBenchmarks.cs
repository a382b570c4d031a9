using System.Globalization;
using BenchmarkDotNet.Attributes;
using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Signing;
using OpenTreasury.Wire;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// 代发工资: a payroll 8202 of <see cref="Lines"/> detail lines (a line per person and pay item), against a one-line
/// 8202 measured in the same run (the baseline). <see cref="Submit"/> is Finance writing it: the unit's clerk and
/// head stamp it, the unit's two seals go on, it is stored, indexed and queued, in one durable commit.
/// <see cref="Receive"/> is the bank reading it: MOF read, the catalogue's rules, the four stamps verified
/// (GB/T 38540, certificate chains, seal rights), stored and indexed, in one durable commit; <see cref="ReadAndVerify"/>
/// is the part of it before anything is stored.
/// </summary>
/// <remarks>
/// Every invocation of <see cref="Receive"/> takes a voucher never seen before (made in <see cref="MakeSome"/>, outside
/// the measurement). An iteration is <see cref="InvocationsPerIteration"/> invocations, so what is measured is a node's
/// steady state on a payday, not the first voucher after the forced collection between iterations.
/// </remarks>
[MeasuredJob(warmupCount: 1, iterationCount: 5, invocationCount: InvocationsPerIteration)]
[MemoryDiagnoser]
public class PayrollBenchmarks
{
    private BenchNetwork _network = null!;
    private string _unit = string.Empty;
    private string _func = string.Empty;
    private int _made;
    private const int InvocationsPerIteration = 4;

    private readonly Queue<TransportMessage> _next = new();
    private TransportMessage? _sample;

    [Params(1, 10_000)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = BenchNetwork.Create();
        _network.IssueQuota();
        var unit = _network.Network.Master.Units.First(u => u.BankCode == "102");
        (_unit, _func) = (unit.AgencyCode, unit.Classes[0].ExpFuncCode);
        _network.Network.Transport.SetOffline(SamplePayment.Bank102, true); // what Finance sends stays in its outbox
    }

    [GlobalSetup(Target = nameof(ReadAndVerify))]
    public void SetupRead()
    {
        Setup();
        _sample = Make();
    }

    [GlobalCleanup]
    public void Cleanup() => _network.Dispose();

    [IterationSetup(Target = nameof(Receive))]
    public void MakeSome()
    {
        _next.Clear();
        for (var i = 0; i < InvocationsPerIteration; i++)
        {
            _next.Enqueue(Make());
        }
    }

    private TransportMessage Make()
    {
        var sent = Submit();
        using var connection = _network.Network.Finance.Library.Database.Connect();
        var (messageId, payload) = connection.QuerySingle<(string, byte[])>(
            "SELECT message_id, payload FROM outbox WHERE voucher_id = @id", new { id = sent });
        return new TransportMessage(messageId, _network.Network.Finance.Party, SamplePayment.Bank102, MessageKind.Voucher, payload);
    }

    [Benchmark(Description = "Finance writes, stamps (4), stores and sends a payroll 8202")]
    public long Submit()
    {
        var n = ++_made;
        var lines = Enumerable.Range(0, Lines)
            .Select(i => new PaymentLine("30101", "基本工资", new Amount(300_000 + (i % 997)), string.Create(CultureInfo.InvariantCulture, $"代发工资 职工{i + 1:D5}")))
            .ToList();
        var order = new PaymentOrder(
            string.Create(CultureInfo.InvariantCulture, $"GZ{Lines:D5}{n:D6}"), _unit, _func, Amount.Sum(lines.Select(l => l.Amount)),
            _network.Network.Master.Payees[0], "2026年3月工资")
        {
            Lines = lines,
        };
        return _network.Network.Finance.FinanceDesk!.SubmitPayment(order, BenchNetwork.Date).ThrowIfRefused().VoucherId;
    }

    /// <summary>What the bank's library checks before it stores anything: MOF read, the inner voucher read against the catalogue's rules, SM3 once, every stamp verified.</summary>
    [Benchmark(Description = "the bank reads and verifies a payroll 8202 (MOF, rules, 4 stamps)")]
    public int ReadAndVerify()
    {
        var message = _sample ?? throw new InvalidOperationException("no voucher made");
        var body = MofFormat.Read(message.Payload).Value.Bodies.Single();
        var (content, data) = VoucherLibrary.Open(body);
        if (!content.IsSuccess || content.Value.Details.Count != Lines)
        {
            throw new InvalidOperationException("the payroll does not read");
        }

        var signing = _network.Network.Bank("102").Library.Signing;
        foreach (var stamp in body.Stamps)
        {
            var check = signing.VerifyStamp(data, stamp.Der, SignatureServer.PropertyInfo(body.Key, body.Version, stamp.Position, Domain.Seals.StampTemplate.DefaultVersion), _ => null);
            if (!check.IsValid)
            {
                throw new InvalidOperationException($"stamp {stamp.Position}: {check.Message}");
            }
        }

        return body.Stamps.Count;
    }

    [Benchmark(Description = "the bank reads, verifies (4 stamps) and stores a payroll 8202")]
    public DeliveryAnswer Receive()
    {
        var message = _next.TryDequeue(out var made) ? made : throw new InvalidOperationException("no voucher made for this invocation");
        var answer = _network.Network.Bank("102").Library.Receive(message);
        return answer.Status == VoucherStatus.Received
            ? answer
            : throw new InvalidOperationException($"the bank refused {message.MessageId}: {answer.Reason}");
    }
}
