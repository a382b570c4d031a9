using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

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

    public PartyId Party => Library.Party;

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
