using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTreasury.Business;

namespace OpenTreasury.Server.Workers;

/// <summary>
/// The node's own background work, in a loop: deliver the outbox messages that are due, then let the
/// party's desk handle what arrived (sign for, pay, return, answer with 回单), as
/// <c>TreasuryNetwork.SettleAndProcessAsync</c> does for a whole network, but for this node alone. When
/// nothing moved it waits <see cref="ServerLimits.WorkerPollInterval"/>. A failed pass is logged with its
/// message and the loop goes on; cancellation ends it cleanly.
/// </summary>
public sealed partial class NodeWorker(TreasuryNode node, TimeProvider clock, ILogger<NodeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var moved = 0;
            try
            {
                moved = await PassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPassFailed(logger, node.Party.ToString(), ex.GetType().Name, ex.Message);
            }

            if (moved == 0)
            {
                try
                {
                    await Task.Delay(ServerLimits.WorkerPollInterval, clock, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass: what was delivered plus what the desk handled.</summary>
    public async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        // Restored from a backup: only the recovery runs, and the outbox it had (ADR 0016); the business waits until it opens.
        var businessDate = DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(ServerLimits.BusinessTimeOffset).DateTime);
        if (await node.RecoverAsync(businessDate, cancellationToken).ConfigureAwait(false) is { Recovering: true } recovering)
        {
            if (recovering.Blocked is { } blocked)
            {
                LogRecoveryBlocked(logger, node.Party.ToString(), blocked);
            }

            await node.Worker.DeliverDueAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        // Seals filed or revoked by the seal maker since the last pass (a refused notice is audited and waits for an operator).
        var notices = Node.Seals.SealNotices.Import(node.Library).Applied;
        var delivered = await node.Worker.DeliverDueAsync(cancellationToken).ConfigureAwait(false);
        var handled = await node.ProcessAsync(businessDate, cancellationToken).ConfigureAwait(false);
        return checked(notices + delivered + handled);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Party}: {Reason}")]
    private static partial void LogRecoveryBlocked(ILogger logger, string party, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Party}: a worker pass failed: {Error}: {Message}")]
    private static partial void LogPassFailed(ILogger logger, string party, string error, string message);
}
