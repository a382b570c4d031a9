using OpenTreasury.Trust.Crypto;

namespace OpenTreasury.Trust.Seals;

/// <summary>
/// GB/T 38540's dataHash: the SM3 digest of the data a stamp covers. A voucher carries up to sixteen stamps over the
/// same bytes (a payroll 8202 of ten thousand lines is about 3.4 MB of them), so it is computed once and every stamp
/// is checked against it.
/// </summary>
public sealed class DataHash
{
    private readonly byte[] _sm3;

    private DataHash(byte[] sm3) => _sm3 = sm3;

    /// <summary>SM3 of <paramref name="data"/>.</summary>
    public static DataHash Of(ReadOnlySpan<byte> data) => new(Sm3.Hash(data));

    /// <summary>The 32 digest bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _sm3;

    /// <summary>The digest as lower-case hex, as the library keeps it beside the bytes.</summary>
    public string ToHex() => Convert.ToHexStringLower(_sm3);
}
