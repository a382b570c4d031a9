using System.Net;
using Dapper;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Server.Tests;

/// <summary>The library management endpoints (seed 五.1): the search a page at a time, and the outbox's parked messages retried or discarded.</summary>
public sealed class LibraryManagementEndpointTests(AuthorizationMatrixNetwork net) : IClassFixture<AuthorizationMatrixNetwork>
{
    private const string Reason = """{"reason":"收方已线下处理"}""";

    [Fact]
    public async Task A_search_pages_with_the_total_filters_by_class_and_a_units_person_finds_only_their_unit()
    {
        var checker = Person(PartyId.Finance, "cz_sh");
        var library = net.Network.Nodes[PartyId.Finance].Library;
        var payments = library.List("8202").Count(v => v.Origin == "own");

        using var page = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Get, "/vouchers/search?vt=8202&origin=own&pageSize=3&page=2", null);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var body = await Json.ReadAsync(page);
        Assert.Equal(payments, body.GetProperty("total").GetInt64());
        Assert.Equal(Math.Min(3, Math.Max(0, payments - 3)), body.GetProperty("items").GetArrayLength());
        Assert.Equal((payments + 2) / 3, body.GetProperty("pages").GetInt64());

        using var allocation = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Get, "/vouchers/search?category=allocation", null);
        var allocations = await Json.ReadAsync(allocation);
        Assert.Equal(library.List().Count(v => v.VtCode is "5207" or "3208"), allocations.GetProperty("total").GetInt64());
        Assert.All(allocations.GetProperty("items").EnumerateArray(), i => Assert.Equal("allocation", i.GetProperty("category").GetString()));

        var unit = net.People.First(p => p.Party == PartyId.Finance && p.AgencyCode is not null);
        using var scoped = await net.SendAsync(PartyId.Finance, unit.Token, HttpMethod.Get, "/vouchers/search?agency=999999", null);
        var mine = await Json.ReadAsync(scoped);
        Assert.Equal(library.List().Count(v => v.AgencyCode == unit.AgencyCode), mine.GetProperty("total").GetInt64());
        Assert.All(mine.GetProperty("items").EnumerateArray(), i => Assert.Equal(unit.AgencyCode, i.GetProperty("agencyCode").GetString()));

        using var bad = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Get, "/vouchers/search?state=paid", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var admin = await net.SendAsync(PartyId.Finance, Person(PartyId.Finance, "cz_gly1").Token, HttpMethod.Get, "/vouchers/search", null);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal("PostMayNot", (await Json.ReadAsync(admin)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_checker_lists_a_parked_message_retries_it_into_delivery_and_discards_another_that_then_stays_undelivered()
    {
        var checker = Person(PartyId.Finance, "cz_sh");
        var (retried, discarded) = (Park(0), Park(1));

        using var list = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Get, "/messages", null);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var entries = (await Json.ReadAsync(list)).EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("id").GetInt64() == retried && e.GetProperty("state").GetString() == "parked" && e.GetProperty("reason").GetString() == "test: peer unreachable");

        using var retry = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Post, $"/messages/{retried}/retry", null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("delivered", (await Json.ReadAsync(retry)).GetProperty("state").GetString());

        using var discard = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Post, $"/messages/{discarded}/discard", Reason);
        Assert.Equal(HttpStatusCode.OK, discard.StatusCode);
        using var again = await net.SendAsync(PartyId.Finance, checker.Token, HttpMethod.Post, $"/messages/{discarded}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        net.Network.Nodes[PartyId.Finance].Worker.ReleaseParked("test");
        await net.Network.Nodes[PartyId.Finance].Worker.DeliverDueAsync(CancellationToken.None);
        using (var connection = net.Network.Nodes[PartyId.Finance].Library.Database.Connect())
        {
            Assert.Null(connection.ExecuteScalar<string?>("SELECT delivered_at FROM outbox WHERE id = @discarded", new { discarded }));
        }

        using var clerk = await net.SendAsync(PartyId.Finance, Person(PartyId.Finance, "cz_lr").Token, HttpMethod.Get, "/messages", null);
        Assert.Equal(HttpStatusCode.Forbidden, clerk.StatusCode);
        Assert.Equal("PostMayNot", (await Json.ReadAsync(clerk)).GetProperty("code").GetString());
    }

    private MatrixPerson Person(PartyId party, string userId) => net.People.Single(p => p.Party == party && p.UserId == userId);

    /// <summary>Leaves one of Finance's delivered voucher messages as the worker leaves one after its last attempt.</summary>
    private long Park(int which)
    {
        using var connection = net.Network.Nodes[PartyId.Finance].Library.Database.Connect();
        var id = connection.Query<long>("SELECT id FROM outbox WHERE kind = 'voucher' AND discarded_at IS NULL AND delivered_at IS NOT NULL ORDER BY id DESC").ElementAt(which);
        connection.Execute("UPDATE outbox SET delivered_at = NULL, parked = 1, attempts = 12, last_error = 'test: peer unreachable' WHERE id = @id", new { id });
        return id;
    }
}
