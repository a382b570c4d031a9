using System.Diagnostics;
using System.Globalization;
using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Storage;
using OpenTreasury.Simulation.Demo;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Simulation.Deterministic;

/// <summary>What one simulated run is: its seed and steps, and where the network lives.</summary>
public sealed record SimulationOptions(long Seed, int Steps)
{
    public const int StepsMax = 10_000_000;

    /// <summary>The network's folder: made there from the seed when it holds none (else opened as it is).</summary>
    public required string Directory { get; init; }

    /// <summary>A line of progress now and then (null: silent).</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// Test only: called after each step with the step number and the live nodes, before the invariants are checked,
    /// so a test can corrupt a store and see the checker name what broke.
    /// </summary>
    public Action<int, IReadOnlyDictionary<PartyId, TreasuryNode>>? AfterStep { get; init; }
}

/// <summary>A broken invariant: where, which, and the command that replays the run.</summary>
public sealed record SimulationFailure(long Seed, int Steps, int Step, string Invariant, string Detail)
{
    public string ReplayCommand => $"treasury simulate --seed {Seed.ToString(CultureInfo.InvariantCulture)} --steps {Steps.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// What a run did; the same seed and steps give the same summary, field for field. <see cref="Faults"/> are the faults
/// injected (armed, partitions); <see cref="Struck"/> the transport faults that hit a message before the network was
/// mended; <see cref="Crashes"/> counts both crashes between steps and crashes of a sender inside a delivery.
/// </summary>
public sealed record SimulationSummary(
    long Seed,
    int Steps,
    IReadOnlyDictionary<string, int> Actions,
    IReadOnlyDictionary<string, int> Faults,
    IReadOnlyDictionary<string, int> Struck,
    int Crashes,
    int Restarts,
    int DaysClosed,
    long MessagesHanded,
    int ParkedReleased,
    int Refusals,
    IReadOnlyDictionary<string, int> Vouchers,
    int StepsChecked,
    long InvariantChecks,
    int Quiescences);

public sealed record SimulationResult(SimulationSummary Summary, SimulationFailure? Failure, long ElapsedMs)
{
    public bool Passed => Failure is null;
}

/// <summary>
/// A deterministic simulation of the whole network in one process. Time (<see cref="SimulationClock"/>), randomness
/// (one seeded <see cref="Random"/> for every choice and a seeded <see cref="SecureRandom"/> for keys and signatures),
/// the transport (<see cref="FaultyTransport"/>) and the nodes' lives (crash: the node object is dropped; restart: it is
/// reopened from its files) are all the simulator's. Each step picks one action by seeded weights — a business action
/// through the demo's <see cref="DemoActions"/>, a delivery, a desk pass, a fault, a crash or a restart — and then every
/// invariant is checked (<see cref="Invariants"/>). Now and then, and after the last step, a day is closed on a mended
/// network and the invariants that hold only at quiescence are checked too. A run stops at the first broken invariant.
/// </summary>
public sealed class Simulator : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>Business days a run may close (the quota is one month's, March's).</summary>
    public const int DaysMax = 20;

    private const string Operator = "simulator-operator";

    /// <summary>
    /// The step kinds and their weights (of 5,948, and a day close's, from 1 to 10, so that a run closes about
    /// <see cref="DaysMax"/> − 1 days spread over its steps): business 1.4% (a stamped voucher costs tens of milliseconds of SM2
    /// work, so business is what bounds the speed), moving messages 62%, transport faults 15%, clock 17%, partitions,
    /// crashes and restarts 5%.
    /// </summary>
    private static readonly (StepKind Kind, int Weight)[] Weights =
    [
        (StepKind.Payment, 40), (StepKind.DirectPayment, 10), (StepKind.Allocation, 3), (StepKind.Refund, 12),
        (StepKind.Clearing, 15), (StepKind.PostJournal, 3), (StepKind.CloseDay, 0),
        (StepKind.Deliver, 2600), (StepKind.Process, 700), (StepKind.Release, 400), (StepKind.Tick, 1000),
        (StepKind.Drop, 200), (StepKind.DropAnswer, 150), (StepKind.Duplicate, 200), (StepKind.Delay, 200), (StepKind.Reorder, 100), (StepKind.CrashInDelivery, 30),
        (StepKind.Partition, 60), (StepKind.Heal, 80), (StepKind.Crash, 25), (StepKind.Restart, 120),
    ];

    /// <summary>Faults armed and not yet struck, at most: more would starve the network of any clean delivery.</summary>
    private const int ArmedMax = 2;

    private static readonly string[] Summaries = ["办公用品采购", "差旅费报销", "印刷费", "公务用车维修", "培训费", "会议费"];

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly SimulationClock _clock = new(Start);
    private readonly FaultyTransport _transport;
    private readonly TreasuryNetwork _network;
    private readonly Invariants _invariants;
    private readonly int _closeDayWeight;
    private readonly SortedDictionary<PartyId, TreasuryNode> _live = new(Comparer<PartyId>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString())));
    private readonly List<PartyId> _parties;
    private readonly List<(string Agency, string Func)> _lines;
    private readonly List<Submitted> _submitted = [];
    private readonly SortedDictionary<string, int> _actions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _faults = new(StringComparer.Ordinal);
    private DateOnly _date = DateOnly.FromDateTime(Start.DateTime);
    private int _days;
    private int _crashes;
    private int _restarts;
    private int _parked;
    private int _refusals;
    private int _quiescences;
    private int _serial;
    private int _step;

    private Simulator(SimulationOptions options)
    {
        _options = options;
        _random = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        var secure = SecureRandom.GetInstance("SHA256PRNG", autoSeed: false);
        secure.SetSeed(BitConverter.GetBytes(options.Seed));
        if (!TreasuryNetwork.Exists(options.Directory))
        {
            TreasuryNetwork.Create(options.Directory, SampleMasterData.Mangshi(2026), _clock, demo: true, TreasuryNetwork.DemoPassphrase, secure);
        }

        _network = TreasuryNetwork.Open(options.Directory, _clock, TreasuryNetwork.DemoPins, random: secure);
        if (_network.Finance.Library.List("5105").Count > 0)
        {
            _network.Dispose();
            throw new ArgumentException($"{options.Directory} holds a network that has done business already; a simulation starts from a new network (or a copy of one never used)", nameof(options));
        }

        _transport = new FaultyTransport(_random);

        // About DaysMax − 1 day closes spread over the whole run (then one after the last step), at most one in ~600 steps.
        var others = Weights.Sum(w => w.Weight);
        _closeDayWeight = (int)Math.Clamp((long)others * (DaysMax - 1) / Math.Max(1, options.Steps), 1, 10);
        _invariants = new Invariants(_network.Master);
        _parties = [.. _network.Master.Parties];
        _lines = [.. _network.Master.Units.SelectMany(u => u.Classes.Select(c => (u.AgencyCode, c.ExpFuncCode)))];
        foreach (var party in _parties)
        {
            Up(party);
        }
    }

    private enum StepKind
    {
        Payment, DirectPayment, Allocation, Refund, Clearing, PostJournal, CloseDay,
        Deliver, Process, Release, Tick,
        Drop, DropAnswer, Duplicate, Delay, Reorder, CrashInDelivery,
        Partition, Heal, Crash, Restart,
    }

    private MasterData Master => _network.Master;

    /// <summary>Runs <see cref="SimulationOptions.Steps"/> steps and the closing quiescence; stops at the first broken invariant.</summary>
    public static async Task<SimulationResult> RunAsync(SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Seed);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Steps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Steps, SimulationOptions.StepsMax);
        var watch = Stopwatch.StartNew();
        using var simulator = new Simulator(options);
        var failure = await simulator.RunAsync(cancellationToken).ConfigureAwait(false);
        return new SimulationResult(simulator.Summarize(), failure, watch.ElapsedMilliseconds);
    }

    private async Task<SimulationFailure?> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SetUpAsync(cancellationToken).ConfigureAwait(false);
            for (_step = 1; _step <= _options.Steps; _step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await StepAsync(cancellationToken).ConfigureAwait(false);
                _options.AfterStep?.Invoke(_step, _live);
                _invariants.AfterStep(_live, _transport.TakeTouched());
                if (_step % 10_000 == 0)
                {
                    _options.Progress?.Invoke($"step {_step}/{_options.Steps}: day {_days + 1} ({_date:yyyy-MM-dd}), {_invariants.Checks} checks");
                }
            }

            _step = _options.Steps;
            await CloseDayAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (InvariantViolationException ex)
        {
            return new SimulationFailure(_options.Seed, _options.Steps, _step, ex.Invariant, ex.Detail);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ex is SimulatedCrashException)
        {
            return new SimulationFailure(_options.Seed, _options.Steps, _step, Invariant.StepCompletes, $"{ex.GetType().Name}: {ex.Message}".ReplaceLineEndings(" "));
        }
    }

    /// <summary>The month's quota (sized so that the busiest lines run dry near the end) and the treasury's opening balance.</summary>
    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        var total = Weights.Sum(w => w.Weight);
        var expectedPayments = (long)_options.Steps * Weights.Single(w => w.Kind == StepKind.Payment).Weight / total;
        var averageLineYuan = Math.Max(200_000L, expectedPayments * 10_000L / _lines.Count);
        var quota = _lines.Select(l => new QuotaPlanLine(l.Agency, l.Func, Amount.FromYuan(averageLineYuan * _random.Next(70, 131) / 100))).ToList();
        await RunAsync(PartyId.Finance, new RegisterIndicators(DemoPlan.IndicatorReference, [.. quota.Select(q => new IndicatorLine(q.AgencyCode, q.ExpFuncCode, q.Amount))]), cancellationToken).ConfigureAwait(false);
        await RunAsync(PartyId.Finance, new IssueQuota(_date.Month, _date, quota), cancellationToken).ConfigureAwait(false);
        await RunAsync(PartyId.Pboc, new OpenTreasuryAccount(DemoPlan.TreasuryOpening), cancellationToken).ConfigureAwait(false);
        _invariants.AfterStep(_live, _transport.TakeTouched(), all: true);
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        var kind = Pick();
        Count(_actions, Name(kind));
        switch (kind)
        {
            case StepKind.Payment:
                await SubmitPaymentAsync(cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.DirectPayment:
                await SubmitDirectPaymentAsync(cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Allocation:
                await IssueAllocationAsync(cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Refund:
                await RefundAsync(cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Clearing:
                await RunAsync(RandomParty(p => p.Kind == PartyKind.Bank), new RequestClearing(_date), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.PostJournal:
                await RunAsync(PartyId.Finance, new PostJournal(), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.CloseDay:
                await CloseDayAsync(cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Deliver:
                await DeliverAsync(RandomLive(), _random.Next(1, 5), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Process:
                await RunAsync(RandomLive(), new ProcessReceived(_date), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Release:
                _transport.ReleaseOne();
                break;
            case StepKind.Tick:
                _clock.Advance(TimeSpan.FromSeconds(_random.Next(1, 121)));
                break;
            case StepKind.Drop or StepKind.DropAnswer or StepKind.Duplicate or StepKind.Delay or StepKind.Reorder or StepKind.CrashInDelivery:
                _transport.Arm(kind switch
                {
                    StepKind.Drop => TransportFault.Drop,
                    StepKind.DropAnswer => TransportFault.DropAnswer,
                    StepKind.Duplicate => TransportFault.Duplicate,
                    StepKind.Delay => TransportFault.Delay,
                    StepKind.Reorder => TransportFault.Reorder,
                    _ => TransportFault.CrashSender,
                });
                Count(_faults, Name(kind));
                break;
            case StepKind.Partition:
                var a = _parties[_random.Next(_parties.Count)];
                var others = _parties.Where(p => p != a).ToList();
                _transport.Partition(a, others[_random.Next(others.Count)]);
                Count(_faults, Name(kind));
                break;
            case StepKind.Heal:
                _transport.HealOne();
                break;
            case StepKind.Crash:
                Crash(RandomLive());
                break;
            case StepKind.Restart:
                var down = _parties.Where(p => !_live.ContainsKey(p)).ToList();
                Restart(down[_random.Next(down.Count)]);
                break;
            default:
                throw new InvalidOperationException($"unknown step {kind}");
        }
    }

    private StepKind Pick()
    {
        var applicable = Weights.Select(w => w.Kind == StepKind.CloseDay ? (w.Kind, Weight: _closeDayWeight) : w).Where(w => w.Kind switch
        {
            StepKind.Restart => _live.Count < _parties.Count,
            StepKind.Crash or StepKind.Deliver or StepKind.Process => _live.Count > 0,
            StepKind.CloseDay => _days < DaysMax - 1,
            StepKind.Heal => _transport.Partitions.Count > 0,
            StepKind.Release => _transport.InFlight > 0,
            StepKind.Drop or StepKind.DropAnswer or StepKind.Duplicate or StepKind.Delay or StepKind.Reorder or StepKind.CrashInDelivery => _transport.Armed < ArmedMax,
            _ => true,
        }).ToList();
        var roll = _random.Next(applicable.Sum(w => w.Weight));
        foreach (var (kind, weight) in applicable)
        {
            if (roll < weight)
            {
                return kind;
            }

            roll -= weight;
        }

        throw new InvalidOperationException("no step to pick");
    }

    private async Task SubmitPaymentAsync(CancellationToken cancellationToken)
    {
        var (agency, func) = _lines[_random.Next(_lines.Count)];
        var fen = _random.Next(15) == 0 ? _random.NextInt64(10_000_000, 100_000_000) : (_random.Next(100, 20_000) * 100L) + _random.Next(100);
        var order = new PaymentOrder(Number("P"), agency, func, new Amount(fen), Master.Payees[_random.Next(Master.Payees.Count)], Summaries[_random.Next(Summaries.Length)]);
        if (await RunAsync(PartyId.Finance, new SubmitPayment(order, _date), cancellationToken).ConfigureAwait(false))
        {
            _submitted.Add(new Submitted(order.VoucherNo!, Master.Unit(agency).BankCode, order.Amount));
        }
    }

    private async Task SubmitDirectPaymentAsync(CancellationToken cancellationToken)
    {
        var (agency, func) = _lines[_random.Next(_lines.Count)];
        var payee = Master.Payees[_random.Next(Master.Payees.Count)];
        if (_random.Next(12) == 0)
        {
            payee = payee with { AccountNo = payee.AccountNo[..^4] + "0000", Name = payee.Name + "(已销户)" };
        }

        var order = new DirectPaymentOrder(Number("D"), agency, func, new Amount((_random.Next(500, 80_000) * 100L) + _random.Next(100)), payee, Summaries[_random.Next(Summaries.Length)]);
        if (await RunAsync(PartyId.Finance, new SubmitDirectPayment(order, _date), cancellationToken).ConfigureAwait(false))
        {
            _submitted.Add(new Submitted(order.VoucherNo!, Master.Unit(agency).BankCode, order.Amount));
        }
    }

    private async Task IssueAllocationAsync(CancellationToken cancellationToken)
    {
        var unit = Master.Units[_random.Next(Master.Units.Count)];
        var bank = Master.Bank(unit.BankCode);
        var payee = new Payee(unit.AccountNo, unit.Name, bank.Name, bank.BankNo);
        if (_random.Next(8) == 0)
        {
            payee = payee with { AccountNo = unit.AccountNo[..^4] + "0000", Name = unit.Name + "(旧账户)" };
        }

        var lines = unit.Classes.Select(c => new AllocationLine(unit.AgencyCode, c.ExpFuncCode, Amount.FromYuan(_random.Next(10_000, 500_000)))).ToList();
        await RunAsync(PartyId.Finance, new IssueAllocation(new AllocationOrder(Number("A"), payee, lines, "拨付专项经费"), _date), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A payee sends back part of a payment (sometimes more than was paid, or of one not paid or not cleared): the bank decides.</summary>
    private async Task RefundAsync(CancellationToken cancellationToken)
    {
        if (_submitted.Count == 0)
        {
            return;
        }

        var target = _submitted[_random.Next(_submitted.Count)];
        var fen = _random.Next(5) == 0 ? target.Amount.Fen + _random.NextInt64(1, 100_000) : _random.NextInt64(1, (target.Amount.Fen / 2) + 2);
        await RunAsync(PartyId.Parse($"bank-{target.Bank}"), new RefundPayment(Number("R"), target.VoucherNo, 1, new Amount(fen), "收款人退回款项", _date), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a demo action on a party's node; a node that is down does nothing. Returns whether it was done.</summary>
    private async Task<bool> RunAsync(PartyId party, DemoAction action, CancellationToken cancellationToken)
    {
        if (!_live.TryGetValue(party, out var node))
        {
            Count(_actions, "skipped-node-down");
            return false;
        }

        var outcome = await DemoActions.ExecuteAsync(node, action, cancellationToken).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            _refusals++;
        }

        return outcome.Ok;
    }

    private async Task<int> DeliverAsync(PartyId party, int limit, CancellationToken cancellationToken)
    {
        try
        {
            return await _live[party].Worker.DeliverDueAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (SimulatedCrashException crash)
        {
            Crash(crash.Party);
            return 0;
        }
    }

    /// <summary>A crash: the node object is dropped as it stands (nothing of it survives but its files).</summary>
    private void Crash(PartyId party)
    {
        var node = _live[party];
        _transport.Down(party);
        _live.Remove(party);
        node.Signers.Dispose();
        _crashes++;
    }

    private void Restart(PartyId party)
    {
        Up(party);
        _invariants.Reopened(_live[party]);
        _restarts++;
    }

    private void Up(PartyId party)
    {
        var node = _network.OpenNode(party, _transport);
        _live[party] = node;
        _transport.Up(node.Library);
    }

    /// <summary>
    /// Closes the business day on a mended network: every node up, every partition healed, every held message
    /// arrived, parked messages released by the operator; then everything is delivered and worked, the banks clear,
    /// report, PBOC sends its statements, Finance posts its journal, and the quiescence invariants are checked.
    /// </summary>
    private async Task CloseDayAsync(CancellationToken cancellationToken)
    {
        foreach (var party in _parties.Where(p => !_live.ContainsKey(p)).ToList())
        {
            Restart(party);
        }

        _transport.HealAll();
        _transport.ReleaseAll();
        foreach (var node in _live.Values)
        {
            _parked += node.Worker.ReleaseParked(Operator);
        }

        await SettleAsync(cancellationToken).ConfigureAwait(false);
        foreach (var bank in Banks)
        {
            await RunAsync(bank, new RequestClearing(_date), cancellationToken).ConfigureAwait(false);
        }

        await SettleAsync(cancellationToken).ConfigureAwait(false);
        foreach (var bank in Banks)
        {
            await RunAsync(bank, new SendDailyReport(_date), cancellationToken).ConfigureAwait(false);
            await RunAsync(bank, new SendDirectPaymentReports(_date), cancellationToken).ConfigureAwait(false);
        }

        await SettleAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync(PartyId.Pboc, new SendVoucherReconciliation(_date), cancellationToken).ConfigureAwait(false);
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync(PartyId.Pboc, new SendClearingReconciliation(_date, _date), cancellationToken).ConfigureAwait(false);
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync(PartyId.Finance, new PostJournal(), cancellationToken).ConfigureAwait(false);
        _invariants.AtQuiescence(_live, _date);
        _quiescences++;
        _days++;
        do
        {
            _date = _date.AddDays(1);
        }
        while (_date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        _clock.AdvanceTo(new DateTimeOffset(_date.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)));
    }

    private IEnumerable<PartyId> Banks => _parties.Where(p => p.Kind == PartyKind.Bank);

    /// <summary>Delivers and works everything (moving the clock past the delivery backoff when all that is left is waiting).</summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 1_000; round++)
        {
            var moved = 0;
            foreach (var party in _live.Keys.ToList())
            {
                moved += await DeliverAsync(party, Limits.DeliveryBatchMax, cancellationToken).ConfigureAwait(false);
            }

            foreach (var party in _live.Keys.ToList())
            {
                var outcome = await DemoActions.ExecuteAsync(_live[party], new ProcessReceived(_date), cancellationToken).ConfigureAwait(false);
                moved += outcome.Count;
            }

            if (moved == 0)
            {
                if (_live.Values.Sum(n => n.Worker.Pending()) == 0)
                {
                    return;
                }

                _clock.Advance(TimeSpan.FromMinutes(10)); // The longest backoff: whatever waits is due now.
            }
        }

        throw new InvalidOperationException("the network did not come to rest after 1000 rounds on a mended network");
    }

    private PartyId RandomLive() => _live.Keys.ElementAt(_random.Next(_live.Count));

    private PartyId RandomParty(Func<PartyId, bool> where)
    {
        var candidates = _parties.Where(where).ToList();
        return candidates[_random.Next(candidates.Count)];
    }

    private string Number(string kind) => string.Create(CultureInfo.InvariantCulture, $"S{_options.Seed}{kind}{++_serial:D6}");

    private static void Count(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static string Name(StepKind kind) => kind switch
    {
        StepKind.DirectPayment => "direct-payment",
        StepKind.PostJournal => "post-journal",
        StepKind.CloseDay => "close-day",
        StepKind.DropAnswer => "drop-answer",
        StepKind.CrashInDelivery => "crash-in-delivery",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private SimulationSummary Summarize()
    {
        var vouchers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var party in _parties)
        {
            var node = _live.TryGetValue(party, out var live) ? live : null;
            if (node is null)
            {
                continue;
            }

            using var connection = node.Library.Database.Connect();
            foreach (var (vtCode, count) in connection.Query<(string VtCode, long Count)>("SELECT vt_code, COUNT(*) FROM vouchers WHERE origin = 'own' GROUP BY vt_code"))
            {
                vouchers[vtCode] = vouchers.GetValueOrDefault(vtCode) + (int)count;
            }
        }

        return new SimulationSummary(_options.Seed, _options.Steps, _actions, _faults, _transport.Struck, _crashes, _restarts, _days, _transport.Delivered, _parked, _refusals, vouchers, _invariants.StepsChecked, _invariants.Checks, _quiescences);
    }

    public void Dispose()
    {
        foreach (var node in _live.Values)
        {
            node.Signers.Dispose();
        }

        _network.Dispose();
        NodeDatabase.ReleaseAll();
    }

    private sealed record Submitted(string VoucherNo, string Bank, Amount Amount);
}
