using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Bank;
using OpenTreasury.Node.Finance;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Pboc;

namespace OpenTreasury.Node.Network;

/// <summary>One party's node: its voucher library, its delivery worker and its business desk.</summary>
public sealed class TreasuryNode
{
    public TreasuryNode(VoucherLibrary library, ITransport transport, MasterData master, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(library);
        Library = library;
        Worker = new DeliveryWorker(library, transport, clock);
        switch (library.Party.Kind)
        {
            case PartyKind.Finance:
                FinanceDesk = new FinanceDesk(library, master);
                break;
            case PartyKind.Pboc:
                PbocDesk = new PbocDesk(library, master);
                break;
            default:
                BankDesk = new BankDesk(library, master);
                break;
        }
    }

    public PartyId Party => Library.Party;

    public VoucherLibrary Library { get; }

    public DeliveryWorker Worker { get; }

    public FinanceDesk? FinanceDesk { get; }

    public PbocDesk? PbocDesk { get; }

    public BankDesk? BankDesk { get; }
}
