using OpenTreasury.Business;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Server.Auth;
using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Server;

/// <summary>What every endpoint of one node's host works with: the node, its sessions, its clock and its trust.</summary>
public sealed class NodeContext(TreasuryNode node, SessionStore sessions, TimeProvider clock, ICertificateValidator validator)
{
    public TreasuryNode Node => node;

    public VoucherLibrary Library => node.Library;

    public SessionStore Sessions => sessions;

    public TimeProvider Clock => clock;

    public ICertificateValidator Validator => validator;

    /// <summary>
    /// Decides with the node's authorization table; a refusal is written to the audit chain naming the
    /// person, the action and the subject before the problem goes back.
    /// </summary>
    public AuthorizationRejection Authorize(NodeSession session, NodeAction action, string subject, VoucherScope? voucher)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rejection = Authorization.Check(session.Actor, action, node.Party, voucher);
        if (rejection != AuthorizationRejection.None)
        {
            Audit(session.Actor.UserId, "refused-" + action, subject, $"{rejection} ({(int)rejection})");
        }

        return rejection;
    }

    public void Audit(string actor, string operation, string subject, string detail) =>
        Library.Run(s =>
        {
            s.Audit(actor, operation, subject, detail);
            return LibraryResult.Done(0);
        });
}
