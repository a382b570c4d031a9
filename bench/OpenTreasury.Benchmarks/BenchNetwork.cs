using System.Globalization;
using Microsoft.Data.Sqlite;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Network;
using OpenTreasury.Simulation;
using OpenTreasury.Wire;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// A whole Mangshi network in a temp folder (real SQLite files, fsync'd commits), with a quota far above
/// anything the benchmarks pay, so no payment is ever returned. Deleted on dispose.
/// </summary>
internal sealed class BenchNetwork : IDisposable
{
    /// <summary>Quota per unit × functional class: 10^9 yuan, so thousands of payments never run dry.</summary>
    private const long QuotaLineYuan = 1_000_000_000;

    private static readonly DateOnly BusinessDate = new(2026, 3, 2);

    private int _payments;

    private BenchNetwork(string directory, TreasuryNetwork network)
    {
        Directory = directory;
        Network = network;
    }

    public string Directory { get; }

    public TreasuryNetwork Network { get; }

    public static DateOnly Date => BusinessDate;

    public static BenchNetwork Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"ot-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        TreasuryNetwork.Create(directory, SampleMasterData.Mangshi(BusinessDate.Year), TimeProvider.System, demo: true, TreasuryNetwork.DemoPassphrase);
        return new BenchNetwork(directory, TreasuryNetwork.Open(directory, TimeProvider.System, TreasuryNetwork.DemoPins));
    }

    /// <summary>Issues one huge quota line per unit × class and lets every desk book it.</summary>
    public void IssueQuota()
    {
        var master = Network.Master;
        var plan = master.Units
            .SelectMany(u => u.Classes.Select(c => new QuotaPlanLine(u.AgencyCode, c.ExpFuncCode, Amount.FromYuan(QuotaLineYuan))))
            .ToList();
        // Quota draws on budget indicators, and clearing on PBOC's treasury single account: both set up first.
        Network.Finance.FinanceDesk!.RegisterIndicators("基准测试预算指标", [.. plan.Select(l => new IndicatorLine(l.AgencyCode, l.ExpFuncCode, l.Amount))]).ThrowIfRefused();
        if (!Network.Pboc.PbocDesk!.TreasuryAccountOpen())
        {
            Network.Pboc.PbocDesk.OpenTreasuryAccount(Amount.FromYuan(QuotaLineYuan * plan.Count)).ThrowIfRefused();
        }

        foreach (var issued in Network.Finance.FinanceDesk.IssueQuota(BusinessDate.Month, BusinessDate, plan))
        {
            issued.ThrowIfRefused();
        }

        SettleAndProcess();
    }

    /// <summary>A payment order with a voucher number never used before in this network; units and banks alternate.</summary>
    public PaymentOrder NextOrder()
    {
        var n = ++_payments;
        var master = Network.Master;
        var unit = master.Units[n % master.Units.Count];
        var functional = unit.Classes[n % unit.Classes.Count];
        return new PaymentOrder(
            $"BM{n.ToString("D8", CultureInfo.InvariantCulture)}",
            unit.AgencyCode,
            functional.ExpFuncCode,
            new Amount(100_00 + (n % 5_000 * 37)),
            master.Payees[n % master.Payees.Count],
            "办公用品采购");
    }

    /// <summary>Submits one payment of a unit of bank 102 and returns the envelope exactly as Finance sent it.</summary>
    public byte[] SamplePaymentEnvelope()
    {
        var master = Network.Master;
        var unit = master.Units.First(u => u.BankCode == "102");
        var functional = unit.Classes[0];
        var order = new PaymentOrder(
            "ZF2026-0302-000001", unit.AgencyCode, functional.ExpFuncCode, Amount.ParseWire("12345.67"),
            master.Payees[0], "芒市人民政府办公室2026年3月办公用品及耗材采购款(第一批)");
        var result = Network.Finance.FinanceDesk!.SubmitPayment(order, BusinessDate).ThrowIfRefused();
        return Network.Finance.Library.Export(result.VoucherId);
    }

    /// <summary>Delivers and lets every desk handle what arrived until the network is quiet (as the demo does).</summary>
    public void SettleAndProcess() => Network.SettleAndProcessAsync(BusinessDate).GetAwaiter().GetResult();

    public void Dispose()
    {
        // Pooled connections keep the files open; release them before deleting the folder.
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>A realistic 8202 as the benchmarks use it: the exact bytes FinanceDesk writes, signs and sends.</summary>
internal sealed record SamplePayment(byte[] InnerVoucher, Voucher Voucher, MofEnvelope Envelope, byte[] EnvelopeBytes, WireStamp Stamp)
{
    /// <summary>Makes one in a throwaway network, so the bytes are the production ones, not a hand-made copy.</summary>
    public static SamplePayment Make()
    {
        using var network = BenchNetwork.Create();
        return From(network.SamplePaymentEnvelope());
    }

    public static SamplePayment From(byte[] envelopeBytes)
    {
        var envelope = MofFormat.Read(envelopeBytes).Value;
        var body = envelope.Bodies.Single();
        return new SamplePayment(body.InnerVoucher, MofFormat.OpenBody(body).Value, envelope, envelopeBytes, body.Stamps.First(s => s.Position == "dw_cwzyz"));
    }

    /// <summary>The same payment under another voucher number (header Id, VoucherNo and each detail's VoucherBillId).</summary>
    public Voucher Renumbered(string voucherNo) =>
        Voucher.With("Id", voucherNo).With("VoucherNo", voucherNo)
            .WithDetails(Voucher.Details.Select(d => d.With("VoucherBillId", voucherNo)));

    public static PartyId Bank102 => PartyId.Parse("bank-102");
}
