using System.Globalization;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Finance;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Node.Demo;

/// <summary>
/// The demo's plan, fully determined by its seed: one month of quota per unit × class and N payment
/// orders with varied amounts, about one in twelve deliberately beyond the quota. Voucher numbers
/// carry the seed, so rerunning the same plan finds its own vouchers instead of making new ones.
/// </summary>
public sealed record DemoPlan(int Seed, int Month, DateOnly BusinessDate, IReadOnlyList<QuotaPlanLine> Quota, IReadOnlyList<PaymentOrder> Payments)
{
    /// <summary>When set, bank 102 books the first line of its daily report one fen too high, for reconciliation to find.</summary>
    public bool InjectMismatch { get; init; }

    public const int PaymentsMax = 100_000;

    private static readonly string[] Summaries = ["办公用品采购", "差旅费报销", "印刷费", "公务用车维修", "培训费", "专用材料采购", "会议费", "物业管理费"];

    public string VoucherPrefix => $"ZF{Seed.ToString(CultureInfo.InvariantCulture)}-";

    public static DemoPlan Create(MasterData master, int seed, int payments)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        ArgumentOutOfRangeException.ThrowIfNegative(payments);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payments, PaymentsMax);
        var random = new Random(seed);
        var lines = master.Units.SelectMany(u => u.Classes.Select(c => (Unit: u, Class: c))).ToList();

        // Quota sized so that ordinary payments mostly fit and some lines run dry: realistic rejections.
        var averageLineYuan = Math.Max(200_000L, payments * 10_000L / lines.Count);
        var quota = lines
            .Select(l => new QuotaPlanLine(l.Unit.AgencyCode, l.Class.ExpFuncCode, Amount.FromYuan(averageLineYuan * random.Next(70, 131) / 100)))
            .ToList();
        var orders = new List<PaymentOrder>(payments);
        for (var i = 1; i <= payments; i++)
        {
            var lineIndex = random.Next(lines.Count);
            var (unit, functional) = lines[lineIndex];
            var beyondQuota = random.Next(12) == 0;
            var fen = beyondQuota
                ? quota[lineIndex].Amount.Fen + (random.Next(1, 100_000) * 100L) + random.Next(100)
                : (random.Next(100, 20_000) * 100L) + random.Next(100);
            orders.Add(new PaymentOrder(
                $"ZF{seed.ToString(CultureInfo.InvariantCulture)}-{i:D6}",
                unit.AgencyCode,
                functional.ExpFuncCode,
                new Amount(fen),
                master.Payees[random.Next(master.Payees.Count)],
                Summaries[random.Next(Summaries.Length)]));
        }

        return new DemoPlan(seed, 3, new DateOnly(master.StYear, 3, 2), quota, orders);
    }
}
