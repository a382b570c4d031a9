using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace OpenTreasury.Trust.Crypto;

/// <summary>The SM3 hash (GB/T 32905), 256 bits, without allocation beyond the returned array.</summary>
public static class Sm3
{
    public const int HashBytes = 32;

    /// <summary>OID of SM3 (1.2.156.10197.1.401).</summary>
    public const string AlgorithmOid = "1.2.156.10197.1.401";

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var hash = new byte[HashBytes];
        Hash(data, hash);
        return hash;
    }

    /// <summary>Writes SM3(<paramref name="data"/>) into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hasher = Sm3Hasher.Create();
        hasher.Append(data);
        hasher.Finish(destination);
    }
}

/// <summary>
/// Incremental SM3: <see cref="Append"/> any number of times, then <see cref="Finish"/> once. A value
/// type with its 64-byte block inline, so hashing allocates nothing.
/// </summary>
public struct Sm3Hasher
{
    /// <summary>SM3 compresses 512-bit blocks.</summary>
    public const int BlockBytes = 64;

    /// <summary>The padding ends with the message length in bits, 64 bits big-endian.</summary>
    private const int LengthBytes = 8;

    /// <summary>The message expansion makes W₀..W₆₇ of each block (W′ⱼ = Wⱼ ⊕ Wⱼ₊₄ is taken as needed).</summary>
    private const int ExpandedWords = 68;

    private State _state;
    private Block _pending;
    private int _pendingBytes;
    private ulong _totalBytes;

    public static Sm3Hasher Create()
    {
        var hasher = default(Sm3Hasher);
        hasher._state = State.Initial;
        return hasher;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _totalBytes += (ulong)data.Length;
        if (_pendingBytes > 0)
        {
            var take = Math.Min(BlockBytes - _pendingBytes, data.Length);
            data[..take].CopyTo(((Span<byte>)_pending)[_pendingBytes..]);
            _pendingBytes += take;
            data = data[take..];
            if (_pendingBytes < BlockBytes)
            {
                return;
            }

            Compress(ref _state, _pending);
            _pendingBytes = 0;
        }

        var whole = data.Length - (data.Length % BlockBytes);
        Compress(ref _state, data[..whole]);
        data = data[whole..];
        data.CopyTo(_pending);
        _pendingBytes = data.Length;
    }

    /// <summary>Pads (0x80, zeros, the length in bits as 64 bits big-endian) and writes the 32-byte hash.</summary>
    public void Finish(Span<byte> destination)
    {
        Span<byte> block = _pending;
        block[_pendingBytes..].Clear();
        block[_pendingBytes] = 0x80;
        if (_pendingBytes + 1 > BlockBytes - LengthBytes)
        {
            // The 0x80 byte took the room of the length: the length goes in one more block.
            Compress(ref _state, block);
            block.Clear();
        }

        BinaryPrimitives.WriteUInt64BigEndian(block[(BlockBytes - LengthBytes)..], checked(_totalBytes * 8));
        Compress(ref _state, block);
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(4 * i)..], _state[i]);
        }
    }

    /// <summary>T_j rotated left by j mod 32, for j = 0..63.</summary>
    private static ReadOnlySpan<uint> RotatedT =>
    [
        0x79CC4519, 0xF3988A32, 0xE7311465, 0xCE6228CB, 0x9CC45197, 0x3988A32F, 0x7311465E, 0xE6228CBC,
        0xCC451979, 0x988A32F3, 0x311465E7, 0x6228CBCE, 0xC451979C, 0x88A32F39, 0x11465E73, 0x228CBCE6,
        0x9D8A7A87, 0x3B14F50F, 0x7629EA1E, 0xEC53D43C, 0xD8A7A879, 0xB14F50F3, 0x629EA1E7, 0xC53D43CE,
        0x8A7A879D, 0x14F50F3B, 0x29EA1E76, 0x53D43CEC, 0xA7A879D8, 0x4F50F3B1, 0x9EA1E762, 0x3D43CEC5,
        0x7A879D8A, 0xF50F3B14, 0xEA1E7629, 0xD43CEC53, 0xA879D8A7, 0x50F3B14F, 0xA1E7629E, 0x43CEC53D,
        0x879D8A7A, 0x0F3B14F5, 0x1E7629EA, 0x3CEC53D4, 0x79D8A7A8, 0xF3B14F50, 0xE7629EA1, 0xCEC53D43,
        0x9D8A7A87, 0x3B14F50F, 0x7629EA1E, 0xEC53D43C, 0xD8A7A879, 0xB14F50F3, 0x629EA1E7, 0xC53D43CE,
        0x8A7A879D, 0x14F50F3B, 0x29EA1E76, 0x53D43CEC, 0xA7A879D8, 0x4F50F3B1, 0x9EA1E762, 0x3D43CEC5,
    ];

    /// <summary>
    /// Every whole 64-byte block of <paramref name="blocks"/> into the state (a tail shorter than a block is
    /// left alone): per block the message expansion (W₀..W₆₇, on the stack) then 64 rounds. The rounds go
    /// four at a time: a round changes only B, D, F and H (B ⋘ 9, TT1, F ⋘ 19, P0(TT2)), and the next round
    /// takes the eight words in rotated order (TT1, A, B ⋘ 9, C, P0(TT2), E, F ⋘ 19, G), so no word is moved.
    /// </summary>
    private static void Compress(ref State state, ReadOnlySpan<byte> blocks)
    {
        unchecked
        {
            Span<uint> w = stackalloc uint[ExpandedWords];
            var t = RotatedT;
            for (; blocks.Length >= BlockBytes; blocks = blocks[BlockBytes..])
            {
                for (var j = 0; j < 16; j++)
                {
                    w[j] = BinaryPrimitives.ReadUInt32BigEndian(blocks[(4 * j)..]);
                }

                for (var j = 0; j < ExpandedWords - 16; j++)
                {
                    w[j + 16] = P1(w[j] ^ w[j + 7] ^ BitOperations.RotateLeft(w[j + 13], 15))
                        ^ BitOperations.RotateLeft(w[j + 3], 7) ^ w[j + 10];
                }

                uint a = state[0], b = state[1], c = state[2], d = state[3];
                uint e = state[4], f = state[5], g = state[6], h = state[7];
                uint a12, ss1;

                // Rounds 0..15: FF and GG are both XOR.
                for (var j = 0; j < 16; j += 4)
                {
                    a12 = BitOperations.RotateLeft(a, 12);
                    ss1 = BitOperations.RotateLeft(a12 + e + t[j], 7);
                    d += (a ^ b ^ c) + (ss1 ^ a12) + (w[j] ^ w[j + 4]);
                    h = P0((e ^ f ^ g) + h + ss1 + w[j]);
                    b = BitOperations.RotateLeft(b, 9);
                    f = BitOperations.RotateLeft(f, 19);

                    a12 = BitOperations.RotateLeft(d, 12);
                    ss1 = BitOperations.RotateLeft(a12 + h + t[j + 1], 7);
                    c += (d ^ a ^ b) + (ss1 ^ a12) + (w[j + 1] ^ w[j + 5]);
                    g = P0((h ^ e ^ f) + g + ss1 + w[j + 1]);
                    a = BitOperations.RotateLeft(a, 9);
                    e = BitOperations.RotateLeft(e, 19);

                    a12 = BitOperations.RotateLeft(c, 12);
                    ss1 = BitOperations.RotateLeft(a12 + g + t[j + 2], 7);
                    b += (c ^ d ^ a) + (ss1 ^ a12) + (w[j + 2] ^ w[j + 6]);
                    f = P0((g ^ h ^ e) + f + ss1 + w[j + 2]);
                    d = BitOperations.RotateLeft(d, 9);
                    h = BitOperations.RotateLeft(h, 19);

                    a12 = BitOperations.RotateLeft(b, 12);
                    ss1 = BitOperations.RotateLeft(a12 + f + t[j + 3], 7);
                    a += (b ^ c ^ d) + (ss1 ^ a12) + (w[j + 3] ^ w[j + 7]);
                    e = P0((f ^ g ^ h) + e + ss1 + w[j + 3]);
                    c = BitOperations.RotateLeft(c, 9);
                    g = BitOperations.RotateLeft(g, 19);
                }

                // Rounds 16..63: FF is majority, GG is choice.
                for (var j = 16; j < 64; j += 4)
                {
                    a12 = BitOperations.RotateLeft(a, 12);
                    ss1 = BitOperations.RotateLeft(a12 + e + t[j], 7);
                    d += ((a & b) | (c & (a | b))) + (ss1 ^ a12) + (w[j] ^ w[j + 4]);
                    h = P0((((f ^ g) & e) ^ g) + h + ss1 + w[j]);
                    b = BitOperations.RotateLeft(b, 9);
                    f = BitOperations.RotateLeft(f, 19);

                    a12 = BitOperations.RotateLeft(d, 12);
                    ss1 = BitOperations.RotateLeft(a12 + h + t[j + 1], 7);
                    c += ((d & a) | (b & (d | a))) + (ss1 ^ a12) + (w[j + 1] ^ w[j + 5]);
                    g = P0((((e ^ f) & h) ^ f) + g + ss1 + w[j + 1]);
                    a = BitOperations.RotateLeft(a, 9);
                    e = BitOperations.RotateLeft(e, 19);

                    a12 = BitOperations.RotateLeft(c, 12);
                    ss1 = BitOperations.RotateLeft(a12 + g + t[j + 2], 7);
                    b += ((c & d) | (a & (c | d))) + (ss1 ^ a12) + (w[j + 2] ^ w[j + 6]);
                    f = P0((((h ^ e) & g) ^ e) + f + ss1 + w[j + 2]);
                    d = BitOperations.RotateLeft(d, 9);
                    h = BitOperations.RotateLeft(h, 19);

                    a12 = BitOperations.RotateLeft(b, 12);
                    ss1 = BitOperations.RotateLeft(a12 + f + t[j + 3], 7);
                    a += ((b & c) | (d & (b | c))) + (ss1 ^ a12) + (w[j + 3] ^ w[j + 7]);
                    e = P0((((g ^ h) & f) ^ h) + e + ss1 + w[j + 3]);
                    c = BitOperations.RotateLeft(c, 9);
                    g = BitOperations.RotateLeft(g, 19);
                }

                state[0] ^= a;
                state[1] ^= b;
                state[2] ^= c;
                state[3] ^= d;
                state[4] ^= e;
                state[5] ^= f;
                state[6] ^= g;
                state[7] ^= h;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint P0(uint x) => x ^ BitOperations.RotateLeft(x, 9) ^ BitOperations.RotateLeft(x, 17);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint P1(uint x) => x ^ BitOperations.RotateLeft(x, 15) ^ BitOperations.RotateLeft(x, 23);

    [InlineArray(8)]
    private struct State
    {
        private uint _word;

        public static State Initial
        {
            get
            {
                var s = default(State);
                s[0] = 0x7380166F;
                s[1] = 0x4914B2B9;
                s[2] = 0x172442D7;
                s[3] = 0xDA8A0600;
                s[4] = 0xA96F30BC;
                s[5] = 0x163138AA;
                s[6] = 0xE38DEE4D;
                s[7] = 0xB0FB0E4E;
                return s;
            }
        }
    }

    [InlineArray(BlockBytes)]
    private struct Block
    {
        private byte _byte;
    }
}
