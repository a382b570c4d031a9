using System.Net.Http.Headers;

using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// A timestamp authority reached over HTTP (RFC 3161 §3.4): POSTs a DER TimeStampReq as
/// <c>application/timestamp-query</c> to <see cref="Endpoint"/> and accepts only a <c>200</c>
/// <c>application/timestamp-reply</c> whose TimeStampResp answers that very request (imprint, nonce) with a token the
/// <see cref="ITimestampVerifier"/> accepts. The authority's side is <see cref="TimestampAuthority.Respond"/>.
/// </summary>
/// <remarks>
/// <para><see cref="Stamp"/> is synchronous because <see cref="ITimestampAuthority"/> is; it uses
/// <see cref="HttpClient.Send(HttpRequestMessage, CancellationToken)"/>, which is truly synchronous with the default
/// <see cref="SocketsHttpHandler"/> (no sync-over-async); a custom <see cref="HttpMessageHandler"/> must then override
/// <c>Send</c>. <see cref="StampAsync"/> is the same over <c>SendAsync</c>. Both give up after <see cref="Timeout"/>.</para>
/// <para>Every failure throws <see cref="TimestampException"/> with its <see cref="TimestampFailure"/>:
/// <see cref="TimestampFailure.Unavailable"/> for the network, a timeout, an HTTP status other than 200, another media
/// type or an oversized body; otherwise the code of <see cref="TimestampRequests.CheckResponse"/>. A caller stamping a
/// voucher should treat Unavailable as "try again later", anything else as an alarm (a wrong or hostile TSA).</para>
/// <para>Thread-safe when the <see cref="HttpClient"/> is (it is); the <see cref="SecureRandom"/> is used for nonces.</para>
/// </remarks>
public sealed class HttpTimestampAuthority : ITimestampAuthority
{
    public const string RequestMediaType = "application/timestamp-query";
    public const string ResponseMediaType = "application/timestamp-reply";

    /// <summary>How long one stamp may take, connection included, unless the constructor is told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client;
    private readonly ITimestampVerifier _verifier;
    private readonly SecureRandom _random;
    private readonly Lock _randomLock = new();

    /// <param name="client">Shared, long-lived; its own Timeout should not be shorter than <paramref name="timeout"/>.</param>
    /// <param name="endpoint">The TSA's absolute http(s) URL.</param>
    /// <param name="verifier">Checks each token (trusted TSA certificates and their validity).</param>
    /// <param name="random">For the nonces.</param>
    /// <param name="timeout"><see cref="DefaultTimeout"/> when null.</param>
    public HttpTimestampAuthority(HttpClient client, Uri endpoint, ITimestampVerifier verifier, SecureRandom random, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(random);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The TSA endpoint is an absolute http or https URL.", nameof(endpoint));
        }

        Timeout = timeout ?? DefaultTimeout;
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        }

        _client = client;
        Endpoint = endpoint;
        _verifier = verifier;
        _random = random;
    }

    public Uri Endpoint { get; }

    public TimeSpan Timeout { get; }

    /// <summary>A DER TimeStampToken over SM3(<paramref name="signatureValue"/>), fetched and checked.</summary>
    /// <exception cref="TimestampException">No acceptable token, with the reason.</exception>
    public byte[] Stamp(ReadOnlySpan<byte> signatureValue)
    {
        var request = NewRequest(signatureValue);
        using var timeout = new CancellationTokenSource(Timeout);
        byte[] body;
        try
        {
            using var message = NewMessage(request);
            using var response = _client.Send(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            RequireReply(response);
            using var stream = response.Content.ReadAsStream(timeout.Token);
            body = ReadBounded(stream);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw Unavailable(e);
        }

        return Checked(body, request, signatureValue);
    }

    /// <summary>As <see cref="Stamp"/>, asynchronously.</summary>
    /// <exception cref="TimestampException">No acceptable token, with the reason.</exception>
    public async Task<byte[]> StampAsync(ReadOnlyMemory<byte> signatureValue, CancellationToken cancellationToken = default)
    {
        var request = NewRequest(signatureValue.Span);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        byte[] body;
        try
        {
            using var message = NewMessage(request);
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            RequireReply(response);
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                body = await ReadBoundedAsync(stream, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw Unavailable(e);
        }

        return Checked(body, request, signatureValue.Span);
    }

    private TimeStampRequest NewRequest(ReadOnlySpan<byte> signatureValue)
    {
        lock (_randomLock)
        {
            return TimestampRequests.Create(signatureValue, _random);
        }
    }

    private HttpRequestMessage NewMessage(TimeStampRequest request)
    {
        var content = new ByteArrayContent(request.GetEncoded());
        content.Headers.ContentType = new MediaTypeHeaderValue(RequestMediaType);
        var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ResponseMediaType));
        return message;
    }

    private byte[] Checked(byte[] body, TimeStampRequest request, ReadOnlySpan<byte> signatureValue)
    {
        var check = TimestampRequests.CheckResponse(body, request, signatureValue, _verifier);
        return check is { IsValid: true, Token: { } token }
            ? token
            : throw new TimestampException(check.Failure, $"时间戳服务 {Endpoint} 的响应不可接受：{check.Message}");
    }

    private void RequireReply(HttpResponseMessage response)
    {
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            throw new TimestampException(TimestampFailure.Unavailable, $"时间戳服务 {Endpoint} 返回 HTTP {(int)response.StatusCode}。");
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, ResponseMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new TimestampException(TimestampFailure.Unavailable, $"时间戳服务 {Endpoint} 的响应类型为 “{mediaType}”，应为 {ResponseMediaType}。");
        }

        if (response.Content.Headers.ContentLength > TimestampRequests.ResponseBytesMax)
        {
            throw TooLarge();
        }
    }

    private byte[] ReadBounded(Stream stream)
    {
        var buffer = new byte[TimestampRequests.ResponseBytesMax + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return length <= TimestampRequests.ResponseBytesMax ? buffer[..length] : throw TooLarge();
    }

    private async Task<byte[]> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[TimestampRequests.ResponseBytesMax + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return length <= TimestampRequests.ResponseBytesMax ? buffer[..length] : throw TooLarge();
    }

    private TimestampException TooLarge() =>
        new(TimestampFailure.Unavailable, $"时间戳服务 {Endpoint} 的响应超过 {TimestampRequests.ResponseBytesMax} 字节。");

    private TimestampException Unavailable(Exception e) =>
        e as TimestampException
        ?? new TimestampException(TimestampFailure.Unavailable, $"无法连接时间戳服务 {Endpoint}：{(e is OperationCanceledException ? $"{Timeout.TotalSeconds:0.#} 秒内无响应" : e.Message)}");

    private static bool IsTransportFailure(Exception e) =>
        e is HttpRequestException or OperationCanceledException or IOException or TimestampException or NotSupportedException;
}
