namespace OpenTreasury.Node.People;

/// <summary>
/// The people of a node as its records show them, for a node re-doing their work after a restore (ADR 0016): never logged
/// in, no USBKey opened and no PIN asked. Their stamps are the ones the peers hold on the vouchers being made again
/// (VoucherLibrary.HeldStamp checks each against the person's own seal and the voucher), so they can stamp nothing else.
/// </summary>
public sealed class RecordedSigners(UserDirectory users) : ISignerSource
{
    private static readonly Dictionary<string, byte[]> s_none = [];

    public Signer SignerFor(string userId)
    {
        var user = users.Find(userId) ?? throw new InvalidOperationException($"no user '{userId}' at {users.Party}");
        return Signer.Remote(new Actor(users.Party, user.Id, user.Role, user.AgencyCode, user.AdmDivCode), user.Name, s_none);
    }
}
