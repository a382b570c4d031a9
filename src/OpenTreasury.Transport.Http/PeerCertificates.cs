using System.Collections.Concurrent;

using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Trust.Certificates;

using Org.BouncyCastle.X509;

namespace OpenTreasury.Transport.Http;

/// <summary>
/// Where a sender finds a receiver's institution certificate, to wrap the message key for it. The transport validates
/// whatever this returns (network PKI, institution use, the party's name) before it seals, so a source needs no trust
/// of its own: a folder of PEM files, a directory service, or the peer itself (<see cref="FetchedPeerCertificates"/>).
/// </summary>
public interface IPeerCertificates
{
    /// <summary>The certificate of <paramref name="party"/>; throws <see cref="TransportException"/> when it cannot be had now.</summary>
    Task<X509Certificate> GetAsync(PartyId party, CancellationToken cancellationToken);

    /// <summary>Drops what is known of <paramref name="party"/>'s certificate (it was refused, or the peer re-keyed).</summary>
    void Forget(PartyId party);
}

/// <summary>
/// Asks each peer for its certificate at <c>GET {base}/node/certificate</c> and keeps it until told to forget it. The
/// answer needs no protection of its own: the transport checks it against the network's CA chain and the party's name.
/// </summary>
public sealed class FetchedPeerCertificates(HttpClient client, PeerTable peers) : IPeerCertificates
{
    /// <summary>Bytes of a certificate's PEM text.</summary>
    public const int PemBytesMax = 16 * 1024;

    private readonly ConcurrentDictionary<PartyId, X509Certificate> _known = new();

    public async Task<X509Certificate> GetAsync(PartyId party, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(peers);
        if (_known.TryGetValue(party, out var known))
        {
            return known;
        }

        if (!peers.TryGetAddress(party, out var address))
        {
            throw new TransportException($"{party} is not in the peer table");
        }

        var uri = new Uri(address, NodeHttp.CertificatePath);
        string pem;
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new TransportException($"{party} answered {(int)response.StatusCode} to GET {uri}");
            }

            var bytes = await HttpBodies.ReadBoundedAsync(response.Content, PemBytesMax, cancellationToken).ConfigureAwait(false)
                ?? throw new TransportException($"{party}'s certificate at {uri} is longer than {PemBytesMax} bytes");
            pem = System.Text.Encoding.ASCII.GetString(bytes);
        }
        catch (HttpRequestException e)
        {
            throw new TransportException($"{party}'s certificate could not be fetched from {uri}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportException($"{party}'s certificate could not be fetched from {uri} in time", e);
        }

        X509Certificate certificate;
        try
        {
            certificate = Pem.ReadCertificate(pem);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TransportException($"{party} served something that is not a PEM certificate at {uri}: {e.GetType().Name}", e);
        }

        return _known.GetOrAdd(party, certificate);
    }

    public void Forget(PartyId party) => _known.TryRemove(party, out _);
}

/// <summary>Peers' certificates from a folder of <c>&lt;party&gt;.crt.pem</c> files (the name <see cref="NodeCredential"/> saves under), read when asked.</summary>
public sealed class PeerCertificateDirectory(string directory) : IPeerCertificates
{
    public Task<X509Certificate> GetAsync(PartyId party, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, NodeCredential.CertificateFileName(party));
        try
        {
            return Task.FromResult(Pem.ReadCertificate(File.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new TransportException($"{party}'s certificate cannot be read from {path}: {e.Message}", e);
        }
    }

    public void Forget(PartyId party)
    {
        // Nothing is kept: the file is read on every request, so a replaced file is used at once.
    }
}

/// <summary>Reading a response body no further than a bound, whatever Content-Length claims.</summary>
internal static class HttpBodies
{
    /// <summary>The body, or null when it is longer than <paramref name="bytesMax"/>.</summary>
    public static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int bytesMax, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > bytesMax)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadBoundedAsync(stream, bytesMax, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The stream's bytes, or null when there are more than <paramref name="bytesMax"/>.</summary>
    public static async Task<byte[]?> ReadBoundedAsync(Stream stream, int bytesMax, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > bytesMax)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
