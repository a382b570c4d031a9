using System.Text;

using OpenTreasury.Trust.Crypto;

namespace OpenTreasury.Trust.Tests.Crypto;

public class Sm3Tests
{
    [Fact]
    public void Hash_of_abc_is_the_GB_T_32905_example() =>
        Assert.Equal(
            "66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0",
            Convert.ToHexString(Sm3.Hash(Encoding.ASCII.GetBytes("abc"))));

    [Fact]
    public void Hash_of_the_64_byte_example_matches_the_standard() =>
        Assert.Equal(
            "DEBE9FF92275B8A138604889C18E5A4D6FDB70E5387E5765293DCBA39C0C5732",
            Convert.ToHexString(Sm3.Hash(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcd", 16))))));
}
