using System.Text.Json;

using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Transport.Http;

/// <summary>
/// Where each other node listens: party → base URL, e.g. <c>{ "finance": "http://127.0.0.1:5101" }</c>. The node's
/// inbox is <c>{base}/node/inbox</c> and its certificate <c>{base}/node/certificate</c>.
/// </summary>
public sealed class PeerTable
{
    /// <summary>Peers in one table; a province has one Finance, one PBOC and a few dozen banks.</summary>
    public const int PeersMax = 1_000;

    /// <summary>Bytes of a peer table file.</summary>
    public const int FileBytesMax = 1024 * 1024;

    private readonly Dictionary<PartyId, Uri> _peers;

    /// <exception cref="ArgumentException">More than <see cref="PeersMax"/> peers, or an address that is not an absolute http(s) URL without query or fragment.</exception>
    public PeerTable(IReadOnlyDictionary<PartyId, Uri> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (peers.Count > PeersMax)
        {
            throw new ArgumentException($"A peer table has at most {PeersMax} peers, not {peers.Count}.", nameof(peers));
        }

        _peers = [];
        foreach (var (party, address) in peers)
        {
            if (!IsBaseAddress(address))
            {
                throw new ArgumentException($"The address of {party} must be an absolute http or https URL without query or fragment: '{address}'.", nameof(peers));
            }

            // A trailing slash, so relative paths resolve under the base path and not beside it.
            _peers[party] = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        }
    }

    public IReadOnlyCollection<PartyId> Parties => _peers.Keys;

    /// <summary>Reads a table from JSON: one object whose names are parties and whose values are base URLs.</summary>
    /// <exception cref="FormatException">The JSON is not such an object; the message says what is wrong.</exception>
    public static PeerTable Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var peers = new Dictionary<PartyId, Uri>();
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A peer table is one JSON object: { \"finance\": \"http://host:port\", ... }.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!PartyId.TryParse(property.Name, out var party))
                {
                    throw new FormatException($"'{property.Name}' is not a party (finance, pboc, bank-NNN).");
                }

                if (property.Value.ValueKind != JsonValueKind.String || !Uri.TryCreate(property.Value.GetString(), UriKind.Absolute, out var address) || !IsBaseAddress(address))
                {
                    throw new FormatException($"The address of {party} must be an absolute http or https URL without query or fragment.");
                }

                if (!peers.TryAdd(party, address))
                {
                    throw new FormatException($"{party} appears twice in the peer table.");
                }
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"The peer table is not valid JSON: {e.Message}", e);
        }

        if (peers.Count > PeersMax)
        {
            throw new FormatException($"A peer table has at most {PeersMax} peers, not {peers.Count}.");
        }

        return new PeerTable(peers);
    }

    /// <summary>Reads a table from a JSON file of at most <see cref="FileBytesMax"/> bytes.</summary>
    public static PeerTable Load(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > FileBytesMax)
        {
            throw new FormatException($"The peer table '{path}' is {length} bytes, above {FileBytesMax}.");
        }

        return Parse(File.ReadAllText(path));
    }

    public bool TryGetAddress(PartyId party, out Uri address) => _peers.TryGetValue(party, out address!);

    /// <summary>The base URL of <paramref name="party"/>; throws <see cref="KeyNotFoundException"/> when it is not a peer.</summary>
    public Uri AddressOf(PartyId party) =>
        _peers.TryGetValue(party, out var address) ? address : throw new KeyNotFoundException($"{party} is not in the peer table.");

    private static bool IsBaseAddress(Uri? address) =>
        address is { IsAbsoluteUri: true } && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps)
        && string.IsNullOrEmpty(address.Query) && string.IsNullOrEmpty(address.Fragment);
}
