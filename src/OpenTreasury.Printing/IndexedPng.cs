using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

using SkiaSharp;

namespace OpenTreasury.Printing;

/// <summary>
/// A minimal encoder of indexed-colour PNGs (colour type 3: PLTE with a tRNS chunk for per-entry alpha), as
/// small seal pictures are stored by seal vendors. Rows are unfiltered (PNG's advice for palette images) and
/// compressed with zlib at its best level; the same pixels always give the same bytes.
/// </summary>
internal static class IndexedPng
{
    /// <summary>PNG allows 1, 2, 4 or 8 bits per palette index.</summary>
    private static readonly int[] BitDepths = [1, 2, 4, 8];

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const byte ColourTypeIndexed = 3;
    private const byte FilterNone = 0;

    /// <summary>Encodes <paramref name="indices"/> (one palette index per pixel, row by row) as a PNG.</summary>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="bitDepth">Bits per index: 1, 2, 4 or 8; the palette must fit.</param>
    /// <param name="indices">width × height palette indices.</param>
    /// <param name="palette">The colours, each with its alpha (written to tRNS).</param>
    public static byte[] Encode(int width, int height, int bitDepth, ReadOnlySpan<byte> indices, IReadOnlyList<SKColor> palette)
    {
        ArgumentNullException.ThrowIfNull(palette);
        if (Array.IndexOf(BitDepths, bitDepth) < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "A palette PNG has 1, 2, 4 or 8 bits per pixel.");
        }

        if (palette.Count == 0 || palette.Count > 1 << bitDepth)
        {
            throw new ArgumentException($"A {bitDepth}-bit palette has 1 to {1 << bitDepth} colours.", nameof(palette));
        }

        if (width <= 0 || height <= 0 || indices.Length != width * height)
        {
            throw new ArgumentException("Expected one index per pixel of a non-empty picture.", nameof(indices));
        }

        using var png = new MemoryStream();
        png.Write(Signature);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = ColourTypeIndexed;
        // Bytes 10..12 stay 0: deflate compression, adaptive filtering, no interlace.
        WriteChunk(png, "IHDR", header);

        var colours = new byte[3 * palette.Count];
        var alphas = new byte[palette.Count];
        for (var i = 0; i < palette.Count; i++)
        {
            colours[3 * i] = palette[i].Red;
            colours[(3 * i) + 1] = palette[i].Green;
            colours[(3 * i) + 2] = palette[i].Blue;
            alphas[i] = palette[i].Alpha;
        }

        WriteChunk(png, "PLTE", colours);
        WriteChunk(png, "tRNS", alphas);
        WriteChunk(png, "IDAT", Compress(Pack(width, height, bitDepth, indices, palette.Count)));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Each row as its filter byte (none) followed by the indices packed most significant bits first.</summary>
    private static byte[] Pack(int width, int height, int bitDepth, ReadOnlySpan<byte> indices, int paletteCount)
    {
        var rowBytes = ((width * bitDepth) + 7) / 8;
        var packed = new byte[(rowBytes + 1) * height];
        var perByte = 8 / bitDepth;
        for (var y = 0; y < height; y++)
        {
            var row = packed.AsSpan(y * (rowBytes + 1), rowBytes + 1);
            row[0] = FilterNone;
            for (var x = 0; x < width; x++)
            {
                var index = indices[(y * width) + x];
                if (index >= paletteCount)
                {
                    throw new ArgumentException($"Index {index} is outside the palette of {paletteCount}.", nameof(indices));
                }

                var shift = 8 - (bitDepth * ((x % perByte) + 1));
                row[1 + (x / perByte)] |= (byte)(index << shift);
            }
        }

        return packed;
    }

    private static byte[] Compress(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return compressed.ToArray();
    }

    /// <summary>Length, type, data and the CRC-32 of type and data.</summary>
    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        var crc = Crc32.Append(Crc32.Initial, typeBytes);
        crc = Crc32.Append(crc, data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Final(crc));
        png.Write(word);
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static class Crc32
    {
        public const uint Initial = 0xFFFFFFFF;

        private const uint Polynomial = 0xEDB88320;

        private static readonly uint[] Table = MakeTable();

        public static uint Append(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (var b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            return crc;
        }

        public static uint Final(uint crc) => ~crc;

        private static uint[] MakeTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }
    }
}
