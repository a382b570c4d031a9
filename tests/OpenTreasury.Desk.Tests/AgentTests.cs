using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Desk.Tests;

/// <summary>The support control over HTTP as a desk page calls it: only its desk's origin, the PIN per request, what it signs.</summary>
[Collection(SharedDeskNetwork.Name)]
public sealed class AgentTests(DeskNetwork net)
{
    private string Agent => net.Agents[PartyId.Finance];

    private string Desk => net.Desks[PartyId.Finance];

    [Fact]
    public async Task It_signs_the_login_challenge_with_the_persons_usbkey_for_its_desk()
    {
        using var response = await PostAsync("/agent/login", new { userId = "cz_lr", pin = DeskNetwork.Pin, party = "finance", challenge = "Y2hhbGxlbmdl" }, Desk);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Desk, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var signature = Convert.FromBase64String((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signature").GetString()!);
        var certificate = new X509Certificate(net.Network.Finance.Users.CertificateDer("cz_lr"));
        Assert.True(Sm2.Verify(certificate.GetPublicKey(), LoginMessage.For(PartyId.Finance, "cz_lr", "Y2hhbGxlbmdl"), signature));
    }

    [Theory]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("https://evil.example")]
    [InlineData(null)]
    public async Task It_refuses_any_other_origin(string? origin)
    {
        using var response = await PostAsync("/agent/login", new { userId = "cz_lr", pin = DeskNetwork.Pin, party = "finance", challenge = "Y2hhbGxlbmdl" }, origin);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("OriginNotAllowed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_wrong_pin_is_refused_in_chinese_with_the_tries_left()
    {
        using var response = await PostAsync("/agent/login", new { userId = "cz_sh", pin = "00000000", party = "finance", challenge = "Y2hhbGxlbmdl" }, Desk);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("TokenRefused", problem.GetProperty("code").GetString());
        Assert.Contains("PIN 码错误", problem.GetProperty("title").GetString(), StringComparison.Ordinal);

        // The right PIN still works: one wrong try does not lock the key.
        using var again = await PostAsync("/agent/login", new { userId = "cz_sh", pin = DeskNetwork.Pin, party = "finance", challenge = "Y2hhbGxlbmdl" }, Desk);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task It_will_not_stamp_a_position_bound_to_another_voucher_than_the_bytes_it_shows()
    {
        var library = net.Network.Finance.Library;
        var voucher = library.Latest("own", ["8202"])[0];
        var other = library.Latest("own", ["5207"])[0];
        var stamp = library.Stamps(other.Id)[0];
        Assert.True(Trust.Seals.SealSignature.TryParse(stamp.Der, out var parsed, out _));
        using var response = await PostAsync("/agent/stamp", new
        {
            userId = "cz_lr",
            pin = DeskNetwork.Pin,
            voucher = Convert.ToBase64String(voucher.InnerXml),
            positions = new[] { new { position = stamp.Position, sealDer = Convert.ToBase64String(parsed!.Seal.Der), propertyInfo = parsed.PropertyInfo } },
        }, Desk);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NotThisVoucher", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task It_answers_the_browsers_preflight_for_its_desk_only()
    {
        using var http = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, Agent + "/agent/stamp");
        preflight.Headers.Add("Origin", Desk);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var response = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Desk, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object body, string? origin)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Agent + path) { Content = JsonContent.Create(body) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await http.SendAsync(request);
    }
}
