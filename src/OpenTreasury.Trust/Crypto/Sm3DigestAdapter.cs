using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Utilities;

namespace OpenTreasury.Trust.Crypto;

/// <summary>
/// Our SM3 (<see cref="Sm3Hasher"/>) behind BouncyCastle's <see cref="IDigest"/>, for the BouncyCastle APIs
/// that take a digest: HMAC-SM3 and PBKDF2 (the USBKey PIN), SM2 encryption's C3 and KDF, and the timestamp
/// authority's message imprint. It is also <see cref="IMemoable"/>, so HMAC and the SM2 KDF copy its state
/// instead of rehashing their fixed prefix.
/// </summary>
internal sealed class Sm3DigestAdapter : IDigest, IMemoable
{
    private Sm3Hasher _hasher = Sm3Hasher.Create();

    public string AlgorithmName => "SM3";

    public int GetDigestSize() => Sm3.HashBytes;

    public int GetByteLength() => Sm3Hasher.BlockBytes;

    public void Update(byte input) => _hasher.Append([input]);

    public void BlockUpdate(byte[] input, int inOff, int inLen) => _hasher.Append(input.AsSpan(inOff, inLen));

    public void BlockUpdate(ReadOnlySpan<byte> input) => _hasher.Append(input);

    /// <summary>Writes the hash at <paramref name="outOff"/> and starts over, as every <see cref="IDigest"/> does.</summary>
    public int DoFinal(byte[] output, int outOff) => DoFinal(output.AsSpan(outOff));

    public int DoFinal(Span<byte> output)
    {
        if (output.Length < Sm3.HashBytes)
        {
            throw new ArgumentException($"SM3 writes {Sm3.HashBytes} bytes; the output has room for {output.Length}.", nameof(output));
        }

        _hasher.Finish(output);
        Reset();
        return Sm3.HashBytes;
    }

    public void Reset() => _hasher = Sm3Hasher.Create();

    /// <summary>A digest in the same state: the hasher is a value type, so copying it copies everything.</summary>
    public IMemoable Copy() => new Sm3DigestAdapter { _hasher = _hasher };

    public void Reset(IMemoable other) =>
        _hasher = other is Sm3DigestAdapter sm3
            ? sm3._hasher
            : throw new ArgumentException("Expected the state of an SM3 digest.", nameof(other));
}
