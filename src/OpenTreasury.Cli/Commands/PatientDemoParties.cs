using System.Diagnostics;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Simulation;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// The node processes of <c>demo --processes --transport rabbitmq</c>, waiting out a broker that is down. While it is, a
/// node's <see cref="Deliver"/> delivers nothing though its outbox holds messages, and the settling rounds would take that
/// for a quiet network and move on. So a Deliver that delivered nothing is repeated, every second, while the node's
/// outbox still has messages due now or later (its worker retries them with backoff), until it delivers something or
/// the outbox is empty — at most <see cref="OutageWaitMax"/>.
/// </summary>
internal sealed class PatientDemoParties(IDemoParties inner, TreasuryNetwork network, Action<string> progress) : IDemoParties
{
    /// <summary>How long the demo waits for one node's backlog to move before it gives up (rerunning the command finishes the plan).</summary>
    public static readonly TimeSpan OutageWaitMax = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    public IReadOnlyList<PartyId> Parties => inner.Parties;

    public async Task<DemoOutcome> RunAsync(PartyId party, DemoAction action, CancellationToken cancellationToken)
    {
        var outcome = await inner.RunAsync(party, action, cancellationToken).ConfigureAwait(false);
        if (action is not Deliver || outcome.Count > 0)
        {
            return outcome;
        }

        var waited = Stopwatch.StartNew();
        var told = false;
        while (network.Nodes[party].Worker.Pending() is var pending and > 0)
        {
            if (waited.Elapsed > OutageWaitMax)
            {
                throw new InvalidOperationException($"{party} 的 {pending} 条消息在 {OutageWaitMax.TotalMinutes:F0} 分钟内未能投递");
            }

            if (!told)
            {
                progress($"{party}: {pending} 条消息待投递，中间件或对方暂不可达，等待重试 ({pending} message(s) waiting in the outbox)");
                told = true;
            }

            await Task.Delay(s_poll, cancellationToken).ConfigureAwait(false);
            outcome = await inner.RunAsync(party, action, cancellationToken).ConfigureAwait(false);
            if (outcome.Count > 0)
            {
                progress($"{party}: 积压消息开始投递 the backlog is moving again after {waited.Elapsed.TotalSeconds:F0} s");
                return outcome;
            }
        }

        return outcome;
    }
}
