using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Tsp;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

/// <summary>RFC 3161 over the wire: the request, the authority's answer, the client's check, and the HTTP client.</summary>
public class TimestampWireTests
{
    private static readonly TestPki s_pki = TestPki.Shared;
    private static readonly DateTimeOffset s_stampTime = Now.AddDays(3);
    private static readonly byte[] s_value = Sm2.Sign(s_pki.InstitutionKeys.Private, "voucher"u8, Rng);

    [Fact]
    public void A_request_answered_by_the_authority_gives_a_token_that_verifies()
    {
        var request = TimestampRequests.Create(s_value, Rng);

        var check = TimestampRequests.CheckResponse(Authority().Respond(request.GetEncoded()), request, s_value, Verifier());

        Assert.Equal(TimestampFailure.None, check.Failure);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 1, 30, 0, TimeSpan.Zero), check.Time);
        Assert.True(Verifier().Verify(check.Token!, s_value).IsValid);
        var token = new TimeStampToken(new Org.BouncyCastle.Cms.CmsSignedData(check.Token!));
        Assert.Equal(request.Nonce, token.TimeStampInfo.Nonce);
        Assert.Equal(s_pki.Tsa, Assert.Single(token.GetCertificates().EnumerateMatches(null))); // certReq was true
    }

    [Fact]
    public void The_request_has_an_SM3_imprint_a_fresh_positive_nonce_and_asks_for_the_certificate()
    {
        var first = TimestampRequests.Create(s_value, Rng);
        var second = TimestampRequests.Create(s_value, Rng);

        Assert.Equal(TspAlgorithms.SM3, first.MessageImprintAlgOid);
        Assert.Equal(Sm3.Hash(s_value), first.GetMessageImprintDigest());
        Assert.True(first.CertReq);
        Assert.True(first.Nonce.SignValue > 0);
        Assert.NotEqual(first.Nonce, second.Nonce);
    }

    [Fact]
    public void A_response_for_another_imprint_is_refused()
    {
        var mine = TimestampRequests.Create(s_value, Rng);
        var other = TimestampRequests.Create([.. s_value, 0], Rng);

        var check = TimestampRequests.CheckResponse(Authority().Respond(other.GetEncoded()), mine, s_value, Verifier());

        Assert.Equal(TimestampFailure.ImprintMismatch, check.Failure);
        Assert.Null(check.Token);
    }

    [Fact]
    public void A_response_with_another_nonce_is_refused()
    {
        var mine = TimestampRequests.Create(s_value, Rng);
        var replayed = TimestampRequests.Create(s_value, Rng); // same value, another nonce: an old answer replayed

        var check = TimestampRequests.CheckResponse(Authority().Respond(replayed.GetEncoded()), mine, s_value, Verifier());

        Assert.Equal(TimestampFailure.NonceMismatch, check.Failure);
    }

    [Fact]
    public void A_response_signed_by_a_foreign_TSA_is_refused_by_the_verifier()
    {
        var foreign = new TestPki();
        var request = TimestampRequests.Create(s_value, Rng);
        var response = new TimestampAuthority(foreign.Tsa, foreign.TsaKeys.Private, new FixedClock(s_stampTime), Rng).Respond(request.GetEncoded());

        Assert.Equal(TimestampFailure.UntrustedAuthority, TimestampRequests.CheckResponse(response, request, s_value, Verifier()).Failure);
    }

    [Fact]
    public void The_authority_rejects_another_hash_algorithm_with_badAlg()
    {
        var sha256 = new TimeStampRequestGenerator().Generate(TspAlgorithms.Sha256, new byte[32], Org.BouncyCastle.Math.BigInteger.One);

        var response = new TimeStampResponse(Authority().Respond(sha256.GetEncoded()));

        Assert.Equal((int)PkiStatus.Rejection, response.Status);
        Assert.Equal(PkiFailureInfo.BadAlg, response.GetFailInfo().IntValue);
        Assert.Null(response.TimeStampToken);
    }

    [Fact]
    public void The_authority_rejects_garbage_a_wrong_imprint_length_and_a_foreign_policy()
    {
        var shortImprint = new TimeStampRequestGenerator().Generate(TspAlgorithms.SM3, new byte[20], Org.BouncyCastle.Math.BigInteger.One);

        Assert.Equal(PkiFailureInfo.BadDataFormat, FailInfo(Authority().Respond([0x30, 0x03, 0x02, 0x01, 0x01])));
        Assert.Equal(PkiFailureInfo.BadDataFormat, FailInfo(Authority().Respond([])));
        Assert.Equal(PkiFailureInfo.BadDataFormat, FailInfo(Authority().Respond(new byte[TimestampRequests.RequestBytesMax + 1])));
        Assert.Equal(PkiFailureInfo.BadDataFormat, FailInfo(Authority().Respond(shortImprint.GetEncoded())));

        var foreignPolicy = TimestampRequests.Create(s_value, Rng, "1.2.3.4");
        var refused = TimestampRequests.CheckResponse(Authority().Respond(foreignPolicy.GetEncoded()), foreignPolicy, s_value, Verifier());
        Assert.Equal(TimestampFailure.Refused, refused.Failure);
        Assert.Contains("PKIStatus 2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_that_is_not_a_TimeStampResp_is_malformed()
    {
        var request = TimestampRequests.Create(s_value, Rng);

        Assert.Equal(TimestampFailure.Malformed, TimestampRequests.CheckResponse([0x30, 0x00], request, s_value, Verifier()).Failure);
        Assert.Equal(TimestampFailure.Malformed, TimestampRequests.CheckResponse([], request, s_value, Verifier()).Failure);
        Assert.Throws<ArgumentException>(() => TimestampRequests.CheckResponse([0x30, 0x00], request, [.. s_value, 1], Verifier()));
    }

    [Fact]
    public void The_HTTP_client_posts_a_timestamp_query_and_returns_a_verified_token()
    {
        var handler = new AuthorityHandler(Authority());
        using var client = new HttpClient(handler);
        var tsa = new HttpTimestampAuthority(client, new Uri("http://tsa.test/tsp"), Verifier(), Rng);

        var token = tsa.Stamp(s_value);

        Assert.True(Verifier().Verify(token, s_value).IsValid);
        Assert.Equal(HttpMethod.Post, handler.LastMethod);
        Assert.Equal(HttpTimestampAuthority.RequestMediaType, handler.LastMediaType);
        Assert.Equal(1, handler.SyncCalls);
    }

    [Fact]
    public async Task The_HTTP_client_also_stamps_asynchronously()
    {
        var handler = new AuthorityHandler(Authority());
        using var client = new HttpClient(handler);
        var tsa = new HttpTimestampAuthority(client, new Uri("http://tsa.test/tsp"), Verifier(), Rng);

        var token = await tsa.StampAsync(s_value);

        Assert.True(Verifier().Verify(token, s_value).IsValid);
        Assert.Equal(0, handler.SyncCalls);
    }

    [Fact]
    public void The_HTTP_client_refuses_a_replayed_response_an_error_status_and_another_media_type()
    {
        var replay = new AuthorityHandler(Authority()) { Replay = true };
        using var replayClient = new HttpClient(replay);
        var replayTsa = new HttpTimestampAuthority(replayClient, new Uri("http://tsa.test/tsp"), Verifier(), Rng);
        replayTsa.Stamp(s_value);
        Assert.Equal(TimestampFailure.NonceMismatch, Assert.Throws<TimestampException>(() => replayTsa.Stamp(s_value)).Failure);

        foreach (var broken in new[] { new AuthorityHandler(Authority()) { Status = HttpStatusCode.InternalServerError }, new AuthorityHandler(Authority()) { MediaType = "text/html" } })
        {
            using var client = new HttpClient(broken);
            var tsa = new HttpTimestampAuthority(client, new Uri("http://tsa.test/tsp"), Verifier(), Rng);
            var e = Assert.Throws<TimestampException>(() => tsa.Stamp(s_value));
            Assert.Equal(TimestampFailure.Unavailable, e.Failure);
            Assert.StartsWith("[TSP-8] ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_HTTP_client_gives_up_after_its_timeout_with_unavailable()
    {
        using var client = new HttpClient(new AuthorityHandler(Authority()) { Hang = true });
        var tsa = new HttpTimestampAuthority(client, new Uri("http://tsa.test/tsp"), Verifier(), Rng, TimeSpan.FromMilliseconds(200));

        Assert.Equal(TimestampFailure.Unavailable, Assert.Throws<TimestampException>(() => tsa.Stamp(s_value)).Failure);
    }

    [Fact]
    public async Task The_HTTP_client_stamps_over_real_sockets_against_an_HttpListener()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/tsp/");
        listener.Start();
        var authority = Authority();
        var server = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var reply = context.Request.ContentType == HttpTimestampAuthority.RequestMediaType
                ? authority.Respond(body.ToArray())
                : [];
            context.Response.ContentType = HttpTimestampAuthority.ResponseMediaType;
            context.Response.ContentLength64 = reply.Length;
            await context.Response.OutputStream.WriteAsync(reply);
            context.Response.Close();
        });
        using var client = new HttpClient();
        var tsa = new HttpTimestampAuthority(client, new Uri($"http://127.0.0.1:{port}/tsp/"), Verifier(), Rng);

        var token = tsa.Stamp(s_value);
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(Verifier().Verify(token, s_value).IsValid);
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static int FailInfo(byte[] response)
    {
        var parsed = new TimeStampResponse(response);
        Assert.Equal((int)PkiStatus.Rejection, parsed.Status);
        return parsed.GetFailInfo().IntValue;
    }

    private static TimestampAuthority Authority() => new(s_pki.Tsa, s_pki.TsaKeys.Private, new FixedClock(s_stampTime), Rng);

    private static TimestampVerifier Verifier() => new([s_pki.Tsa], s_pki.Validator());

    /// <summary>Serves <see cref="TimestampAuthority.Respond"/> in-process, sync and async, with faults on request.</summary>
    private sealed class AuthorityHandler(TimestampAuthority authority) : HttpMessageHandler
    {
        private byte[]? _first;

        public bool Replay { get; init; }

        public bool Hang { get; init; }

        public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

        public string MediaType { get; init; } = HttpTimestampAuthority.ResponseMediaType;

        public HttpMethod? LastMethod { get; private set; }

        public string? LastMediaType { get; private set; }

        public int SyncCalls { get; private set; }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            SyncCalls++;
            if (Hang)
            {
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
                cancellationToken.ThrowIfCancellationRequested();
            }

            return Answer(request, request.Content!.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult());
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Answer(request, await request.Content!.ReadAsByteArrayAsync(cancellationToken));

        private HttpResponseMessage Answer(HttpRequestMessage request, byte[] query)
        {
            LastMethod = request.Method;
            LastMediaType = request.Content!.Headers.ContentType?.MediaType;
            var reply = authority.Respond(query);
            _first ??= reply;
            var content = new ByteArrayContent(Replay ? _first : reply);
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
            return new HttpResponseMessage(Status) { Content = content };
        }
    }
}
