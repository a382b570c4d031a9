using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Recovery;

namespace OpenTreasury.Business;

/// <summary>One party's node: its voucher library, its delivery worker and its business desk.</summary>
public sealed class TreasuryNode
{
    public TreasuryNode(VoucherLibrary library, ITransport transport, MasterData master, TimeProvider clock, UserDirectory users, SignerPool signers)
    {
        ArgumentNullException.ThrowIfNull(library);
        Library = library;
        Master = master;
        Users = users;
        Signers = signers;
        Worker = new DeliveryWorker(library, transport, clock);
        _transport = transport;
        switch (library.Party.Kind)
        {
            case PartyKind.Finance:
                FinanceDesk = new FinanceDesk(library, master, signers);
                break;
            case PartyKind.Pboc:
                PbocDesk = new PbocDesk(library, master, signers);
                break;
            default:
                BankDesk = new BankDesk(library, master, signers);
                break;
        }
    }

    private readonly ITransport _transport;

    public PartyId Party => Library.Party;

    /// <summary>
    /// While the node recovers from its backup (ADR 0016), one step of the recovery with every other party of the network;
    /// null when it is not recovering (then its desk does the business).
    /// </summary>
    public async Task<RecoveryProgress?> RecoverAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        if (Library.RecoveringSince is null)
        {
            return null;
        }

        var peers = Master.Parties.Where(p => p != Party).ToList();
        var progress = await Library.RecoverAsync(_transport, peers, cancellationToken).ConfigureAwait(false);
        if (progress.Replay is not { } plan)
        {
            return progress;
        }

        // The node worked after its backup: its desk works again what it answered then, and the use cases that made its own
        // vouchers make them again, in the order it first did; every message must come out as the one its peer holds
        // (ADR 0016, point 4). The desk doing so has its people as recorded, logged in by nobody: what they stamped is on
        // the peers' copies, and the library takes those stamps only onto the very vouchers they were made for.
        var recorded = new RecordedSigners(Users);
        var (finance, pboc, bank) = Library.Party.Kind switch
        {
            PartyKind.Finance => (new FinanceDesk(Library, Master, recorded), (PbocDesk?)null, (BankDesk?)null),
            PartyKind.Pboc => (null, new PbocDesk(Library, Master, recorded), null),
            _ => ((FinanceDesk?)null, (PbocDesk?)null, new BankDesk(Library, Master, recorded)),
        };
        var notMade = Library.Replay(plan, step =>
        {
            // Redo is false for a voucher no use case makes on its own (a 回单, a 5108, a 5507): the work on what it answers makes it.
            if (step.Made is null)
            {
                _ = Handle(finance, pboc, bank, businessDate);
            }
            else
            {
                _ = finance?.Redo(step) ?? pboc?.Redo(step) ?? bank!.Redo(step);
            }
        });
        return await Library.FinishReplayAsync(plan, notMade, _transport, peers, cancellationToken).ConfigureAwait(false);
    }


    /// <summary>
    /// One pass of the node's own work on what arrived (the worker's, the one-process network's and the demo's): while the
    /// node recovers from its backup a step of the recovery (1 when the node just opened, else 0); otherwise its desk signs
    /// for, pays, returns or answers what was received (how many it handled).
    /// </summary>
    public async Task<int> ProcessAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        if (await RecoverAsync(businessDate, cancellationToken).ConfigureAwait(false) is { } recovery)
        {
            return !recovery.Recovering || recovery.Moved ? 1 : 0;
        }

        return Handle(businessDate);
    }

    private int Handle(DateOnly businessDate) => Handle(FinanceDesk, PbocDesk, BankDesk, businessDate);

    private static int Handle(FinanceDesk? finance, PbocDesk? pboc, BankDesk? bank, DateOnly businessDate) =>
        bank?.ProcessReceived(businessDate).Handled ?? pboc?.ProcessReceived(businessDate).Handled ?? finance!.ProcessReceived().Handled;

    public VoucherLibrary Library { get; }

    /// <summary>The network's master data: the division, the parties, the units and their classes.</summary>
    public MasterData Master { get; }

    public DeliveryWorker Worker { get; }

    /// <summary>The people of this party and their USBKeys.</summary>
    public UserDirectory Users { get; }

    /// <summary>The people at work (logged in), who the desk stamps with.</summary>
    public SignerPool Signers { get; }

    public FinanceDesk? FinanceDesk { get; }

    public PbocDesk? PbocDesk { get; }

    public BankDesk? BankDesk { get; }
}
