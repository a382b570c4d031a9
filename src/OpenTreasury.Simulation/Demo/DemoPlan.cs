using System.Globalization;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Simulation.Demo;

/// <summary>
/// The demo's plan, fully determined by its seed: one month of quota per unit × class and N payment
/// orders with varied amounts, about one in twelve deliberately beyond the quota, over the units of every division
/// of the master data. Voucher numbers
/// carry the seed, so rerunning the same plan finds its own vouchers instead of making new ones.
/// </summary>
public sealed record DemoPlan(int Seed, int Month, DateOnly BusinessDate, IReadOnlyList<QuotaPlanLine> Quota, IReadOnlyList<PaymentOrder> Payments)
{
    /// <summary>The treasury single account's opening balance at PBOC (国库单一账户), for allocations.</summary>
    public static readonly Amount TreasuryOpening = Amount.FromYuan(50_000_000);

    /// <summary>The budget document (预算批复) the year's indicators come under.</summary>
    public const string IndicatorReference = "芒财预〔2026〕1号";

    /// <summary>预算指标: a year's budget for each quota line, twelve times the month's plan.</summary>
    public IReadOnlyList<IndicatorLine> Indicators => [.. Quota.Select(q => new IndicatorLine(q.AgencyCode, q.ExpFuncCode, new Amount(checked(q.Amount.Fen * 12))))];

    /// <summary>直接支付: Finance pays suppliers for units; about one in twelve has a payee account the bank finds closed.</summary>
    public IReadOnlyList<DirectPaymentOrder> DirectPayments { get; init; } = [];

    /// <summary>实拨: allocations from the treasury to units; one goes to a closed account, is returned and reissued.</summary>
    public IReadOnlyList<AllocationOrder> Allocations { get; init; } = [];

    /// <summary>The allocation whose payee account is closed, and the number it is reissued under.</summary>
    public (string Returned, string Reissued)? Reissue { get; init; }

    /// <summary>实拨退款: part of the first allocation comes back (3208).</summary>
    public (string VoucherNo, string OriVoucherNo, Amount Amount)? AllocationRefund { get; init; }

    public const int DaysMax = 20;

    /// <summary>Business days the plan's payments are spread over (weekdays from <see cref="BusinessDate"/>).</summary>
    public int Days { get; init; } = 1;

    /// <summary>The business date of day <paramref name="day"/> (0-based), skipping Saturdays and Sundays.</summary>
    public DateOnly DateOf(int day)
    {
        var date = BusinessDate;
        for (var i = 0; i < day; i++)
        {
            do
            {
                date = date.AddDays(1);
            }
            while (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        }

        return date;
    }

    public IReadOnlyList<PaymentOrder> PaymentsOf(int day) => [.. Payments.Where((_, i) => i * Days / Math.Max(1, Payments.Count) == day)];

    public IReadOnlyList<DirectPaymentOrder> DirectPaymentsOf(int day) => [.. DirectPayments.Where((_, i) => i * Days / Math.Max(1, DirectPayments.Count) == day)];

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

        var direct = new List<DirectPaymentOrder>();
        for (var i = 1; i <= payments / 5; i++)
        {
            var (unit, functional) = lines[random.Next(lines.Count)];
            var payee = master.Payees[random.Next(master.Payees.Count)];
            if (random.Next(12) == 0)
            {
                payee = payee with { AccountNo = payee.AccountNo[..^4] + "0000", Name = payee.Name + "(已销户)" };
            }

            direct.Add(new DirectPaymentOrder($"ZJ{seed.ToString(CultureInfo.InvariantCulture)}-{i:D5}", unit.AgencyCode, functional.ExpFuncCode,
                new Amount((random.Next(500, 80_000) * 100L) + random.Next(100)), payee, Summaries[random.Next(Summaries.Length)]));
        }

        var allocations = new List<AllocationOrder>();
        var allocationCount = payments == 0 ? 0 : 4;
        for (var i = 1; i <= allocationCount; i++)
        {
            var unit = master.Units[(i - 1) % master.Units.Count];
            var payee = new Payee(unit.AccountNo, $"{unit.Name}", master.Bank(unit.BankCode).Name, master.Bank(unit.BankCode).BankNo);
            if (i == 3)
            {
                payee = payee with { AccountNo = unit.AccountNo[..^4] + "0000", Name = unit.Name + "(旧账户)" };
            }

            allocations.Add(new AllocationOrder($"SB{seed.ToString(CultureInfo.InvariantCulture)}-{i:D3}", payee,
                [.. unit.Classes.Select(c => new AllocationLine(unit.AgencyCode, c.ExpFuncCode, Amount.FromYuan(random.Next(50_000, 500_000))))],
                "拨付专项经费"));
        }

        // Every division beside the home one has an allocation of its own, paid from its own treasury single account.
        foreach (var division in master.Divisions.Skip(payments == 0 ? master.Divisions.Count : 1))
        {
            var unit = master.UnitsOf(division.AdmDivCode).First();
            var bank = master.Bank(unit.BankCode);
            allocations.Add(new AllocationOrder($"SB{seed.ToString(CultureInfo.InvariantCulture)}-{allocations.Count + 1:D3}", new Payee(unit.AccountNo, unit.Name, bank.Name, bank.BankNo),
                [.. unit.Classes.Select(c => new AllocationLine(unit.AgencyCode, c.ExpFuncCode, Amount.FromYuan(random.Next(50_000, 500_000))))],
                "拨付专项经费"));
        }

        return new DemoPlan(seed, 3, new DateOnly(master.StYear, 3, 2), quota, orders)
        {
            DirectPayments = direct,
            Allocations = allocations,
            Reissue = allocationCount >= 3 ? (allocations[2].VoucherNo, allocations[2].VoucherNo + "R") : null,
            AllocationRefund = allocationCount >= 1
                ? ($"TK{seed.ToString(CultureInfo.InvariantCulture)}-001", allocations[0].VoucherNo, Amount.FromYuan(10_000))
                : null,
        };
    }
}
