using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Transport.Http.Tests;

public sealed class PeerTableTests
{
    [Fact]
    public void A_peer_table_reads_parties_and_base_urls_and_keeps_a_base_path()
    {
        var table = PeerTable.Parse("""{ "finance": "http://127.0.0.1:5101", "bank-102": "https://bank102.example/treasury" }""");

        Assert.Equal(new Uri("http://127.0.0.1:5101/"), table.AddressOf(PartyId.Finance));
        Assert.Equal(new Uri("https://bank102.example/treasury/node/inbox"), new Uri(table.AddressOf(PartyId.Parse("bank-102")), NodeHttp.InboxPath));
        Assert.False(table.TryGetAddress(PartyId.Pboc, out _));
    }

    [Theory]
    [InlineData("""[ "finance" ]""")]
    [InlineData("""{ "treasury": "http://127.0.0.1:5101" }""")]
    [InlineData("""{ "finance": "ftp://127.0.0.1" }""")]
    [InlineData("""{ "finance": "127.0.0.1:5101" }""")]
    [InlineData("""{ "finance": "http://127.0.0.1:5101/?x=1" }""")]
    [InlineData("""{ "finance": 5101 }""")]
    [InlineData("""{ "finance": "http://a", "finance": "http://b" }""")]
    [InlineData("""{ "finance": { "url": "http://a" } }""")]
    [InlineData("""{ "finance": """)]
    public void A_peer_table_that_is_not_parties_to_http_urls_is_refused_with_the_reason(string json)
    {
        var refused = Assert.Throws<FormatException>(() => PeerTable.Parse(json));

        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
    }
}
