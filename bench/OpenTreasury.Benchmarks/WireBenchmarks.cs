using BenchmarkDotNet.Attributes;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Wire;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// The wire layer on one real 8202: the inner GBK voucher written and read (read includes the content
/// rules), and the MOF envelope with one body and one stamp written (baseline) and read.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class WireBenchmarks
{
    private SamplePayment _sample = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sample = SamplePayment.Make();
        Console.WriteLine($"// 8202 inner voucher {_sample.InnerVoucher.Length} bytes (GBK), MOF envelope {_sample.EnvelopeBytes.Length} bytes");
    }

    [Benchmark(Baseline = true, Description = "MofFormat.Write (1 body, 1 stamp)")]
    public byte[] MofWrite() => MofFormat.Write(_sample.Envelope);

    [Benchmark(Description = "MofFormat.Read (1 body, 1 stamp)")]
    public int MofRead() => MofFormat.Read(_sample.EnvelopeBytes).Value.Bodies.Count;

    [Benchmark(Description = "VoucherXml.Write (8202)")]
    public byte[] VoucherWrite() => VoucherXml.Write(_sample.Voucher);

    [Benchmark(Description = "VoucherXml.Read (8202, with rules)")]
    public Voucher VoucherRead() => VoucherXml.Read(_sample.InnerVoucher).Value;
}
