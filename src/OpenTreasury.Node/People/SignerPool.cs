using System.Collections.Concurrent;

namespace OpenTreasury.Node.People;

/// <summary>
/// The people of a node who are at work: each logged in once with their USBKey and PIN, then reused.
/// The demo knows the demo PINs; a real desk asks the person.
/// </summary>
public sealed class SignerPool(UserDirectory users, Func<string, string?>? pinOf) : ISignerSource, IDisposable
{
    private readonly ConcurrentDictionary<string, Signer> _signers = new(StringComparer.Ordinal);

    public Signer SignerFor(string userId) =>
        _signers.GetOrAdd(userId, id =>
        {
            var pin = pinOf?.Invoke(id) ?? throw new InvalidOperationException($"{id} is not logged in: this desk has no PIN source (open the network with the people's PINs)");
            var result = users.Login(id, pin, out var signer);
            return result.Ok ? signer! : throw new InvalidOperationException($"{id} cannot log in: {result.Rejection}: {result.Message}");
        });

    public void Dispose()
    {
        foreach (var signer in _signers.Values)
        {
            signer.Dispose();
        }

        _signers.Clear();
    }
}
