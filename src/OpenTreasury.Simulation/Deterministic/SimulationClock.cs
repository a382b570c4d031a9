namespace OpenTreasury.Simulation.Deterministic;

/// <summary>
/// The simulation's clock: it stands still until the simulator moves it, so a run never reads the wall clock and
/// replays exactly. Every node, the TSA and the delivery backoff read this one clock.
/// </summary>
public sealed class SimulationClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now.ToUniversalTime();

    /// <summary>China Standard Time, fixed (the machine's zone must not leak into a run).</summary>
    public override TimeZoneInfo LocalTimeZone { get; } = TimeZoneInfo.CreateCustomTimeZone("CST+8", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        _now += by;
    }

    /// <summary>Moves the clock forward to <paramref name="time"/> (never back).</summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        if (time > _now)
        {
            _now = time;
        }
    }
}
