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

    /// <summary>How many random inputs are cross-checked against BouncyCastle.</summary>
    private const int RandomCases = 10_000;

    /// <summary>Random inputs are 0 to this many bytes long: many blocks, and every tail length.</summary>
    private const int RandomLengthMax = 5_000;

    [Fact]
    public void Ten_thousand_random_inputs_hash_as_BouncyCastle_in_one_piece_and_in_random_pieces()
    {
        var rng = new Random(20261201);
        var buffer = new byte[RandomLengthMax];
        var hash = new byte[Sm3.HashBytes];
        var reference = new SM3Digest();
        var expected = new byte[Sm3.HashBytes];
        for (var i = 0; i < RandomCases; i++)
        {
            var data = buffer.AsSpan(0, rng.Next(RandomLengthMax + 1));
            rng.NextBytes(data);
            reference.BlockUpdate(data);
            reference.DoFinal(expected);

            Sm3.Hash(data, hash);
            Assert.True(expected.AsSpan().SequenceEqual(hash), $"case {i}: {data.Length} bytes in one piece");

            // The same bytes split at random points, sometimes into empty or single-byte pieces.
            var hasher = Sm3Hasher.Create();
            var rest = data;
            while (!rest.IsEmpty)
            {
                var piece = Math.Min(rest.Length, rng.Next(4) == 0 ? rng.Next(3) : rng.Next(1, 2 * Sm3Hasher.BlockBytes + 2));
                hasher.Append(rest[..piece]);
                rest = rest[piece..];
            }

            hasher.Finish(hash);
            Assert.True(expected.AsSpan().SequenceEqual(hash), $"case {i}: {data.Length} bytes in pieces");
        }
    }

    [Fact]
    public void A_megabyte_in_one_piece_and_in_odd_pieces_hashes_as_BouncyCastle()
    {
        var data = new byte[(1024 * 1024) + 13];
        new Random(1024).NextBytes(data);
        var hasher = Sm3Hasher.Create();
        for (var at = 0; at < data.Length; at += 1000)
        {
            hasher.Append(data.AsSpan(at, Math.Min(1000, data.Length - at)));
        }

        var pieces = new byte[Sm3.HashBytes];
        hasher.Finish(pieces);

        Assert.Equal(Reference(data), Convert.ToHexString(Sm3.Hash(data)));
        Assert.Equal(Reference(data), Convert.ToHexString(pieces));
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
