using System.Text;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto.Digests;

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

    [Fact]
    public void Every_length_up_to_300_bytes_hashes_as_BouncyCastle_does()
    {
        var rng = new Random(32905);
        var data = new byte[300];
        rng.NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(Reference(data.AsSpan(0, length)), Convert.ToHexString(Sm3.Hash(data.AsSpan(0, length))));
        }
    }

    [Fact]
    public void Random_inputs_in_random_pieces_hash_as_one_piece_and_as_BouncyCastle()
    {
        var rng = new Random(20261201);
        var hash = new byte[Sm3.HashBytes];
        for (var i = 0; i < 300; i++)
        {
            var data = new byte[rng.Next(i < 10 ? 5_000 : 700)];
            rng.NextBytes(data);
            var hasher = Sm3Hasher.Create();
            var rest = data.AsSpan();
            while (!rest.IsEmpty)
            {
                var piece = Math.Min(rest.Length, rng.Next(0, 130));
                hasher.Append(rest[..piece]);
                rest = rest[piece..];
            }

            hasher.Finish(hash);
            var expected = Reference(data);
            Assert.Equal(expected, Convert.ToHexString(hash));
            Assert.Equal(expected, Convert.ToHexString(Sm3.Hash(data)));
        }
    }

    [Theory]
    [InlineData(55)] // the length still fits in the last block
    [InlineData(56)] // the length needs one more block
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(128)]
    public void Padding_at_block_boundaries_matches_BouncyCastle(int length)
    {
        var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7 % 256)).ToArray();

        Assert.Equal(Reference(data), Convert.ToHexString(Sm3.Hash(data)));
    }

    private static string Reference(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data);
        var hash = new byte[32];
        digest.DoFinal(hash);
        return Convert.ToHexString(hash);
    }
}
