using System.Buffers;

namespace OpenTreasury.Wire;

/// <summary>
/// Strict base64 decoded as its text is read, chunk by chunk, so a 5 MB <c>&lt;Voucher&gt;</c> never becomes a
/// string: only the alphabet (A–Z a–z 0–9 + /), '=' padding at the very end, no whitespace, a length that is a
/// multiple of four, and canonical (the padding's unused bits are zero, so the bytes write back to the same text).
/// The last quartet is held back until <see cref="Finish"/>, because only the last one may carry padding. The bytes
/// grow in pooled buffers; the one array allocated is the result, of its exact size.
/// </summary>
internal sealed class StrictBase64
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private static readonly SearchValues<char> s_alphabet = SearchValues.Create(Alphabet);

    private readonly char[] _last = new char[4];
    private int _lastCount;
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(256);
    private int _written;
    private bool _invalid;

    public void Append(ReadOnlySpan<char> chars)
    {
        if (_invalid)
        {
            return;
        }

        while (_lastCount < 4 && !chars.IsEmpty)
        {
            _last[_lastCount++] = chars[0];
            chars = chars[1..];
        }

        if (chars.IsEmpty)
        {
            return;
        }

        // More text follows, so the held quartet is not the last; keep the new text's last 1–4 characters back.
        DecodeWhole(_last);
        var keep = chars.Length % 4 == 0 ? 4 : chars.Length % 4;
        DecodeWhole(chars[..^keep]);
        chars[^keep..].CopyTo(_last);
        _lastCount = keep;
    }

    /// <summary>The bytes; <see cref="Outcome.Empty"/> or <see cref="Outcome.NotStrict"/> with null otherwise.</summary>
    public (byte[]? Bytes, Outcome Outcome) Finish()
    {
        ObjectDisposedException.ThrowIf(_bytes.Length == 0, this); // once only
        var outcome = Decode();
        var bytes = outcome == Outcome.Decoded ? _bytes[.._written] : null;
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = [];
        return (bytes, outcome);
    }

    private Outcome Decode()
    {
        if (!_invalid && _lastCount == 0 && _written == 0)
        {
            return Outcome.Empty;
        }

        if (_invalid || _lastCount != 4)
        {
            return Outcome.NotStrict;
        }

        var padding = _last[3] != '=' ? 0 : _last[2] != '=' ? 1 : 2;
        var data = _last.AsSpan(0, 4 - padding);
        if (data.IndexOfAnyExcept(s_alphabet) >= 0 || !PaddingBitsAreZero(data, padding))
        {
            return Outcome.NotStrict;
        }

        Reserve(3);
        _ = Convert.TryFromBase64Chars(_last, _bytes.AsSpan(_written), out var tail);
        _written += tail;
        return Outcome.Decoded;
    }

    public enum Outcome
    {
        Decoded,
        Empty,
        NotStrict,
    }

    /// <summary>One '=' leaves the last character's low 2 bits unused, two leave 4: they must be zero to be canonical.</summary>
    private static bool PaddingBitsAreZero(ReadOnlySpan<char> data, int padding) => padding switch
    {
        1 => (Alphabet.IndexOf(data[^1], StringComparison.Ordinal) & 0b11) == 0,
        2 => (Alphabet.IndexOf(data[^1], StringComparison.Ordinal) & 0b1111) == 0,
        _ => true,
    };

    /// <summary>Whole quartets without padding: the alphabet only, so the decoding itself cannot fail.</summary>
    private void DecodeWhole(ReadOnlySpan<char> quartets)
    {
        if (quartets.IndexOfAnyExcept(s_alphabet) >= 0)
        {
            _invalid = true;
            return;
        }

        Reserve(quartets.Length / 4 * 3);
        _ = Convert.TryFromBase64Chars(quartets, _bytes.AsSpan(_written), out var written);
        _written += written;
    }

    private void Reserve(int bytes)
    {
        if (_bytes.Length - _written < bytes)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(checked(_written + bytes), checked(_bytes.Length * 2)));
            _bytes.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }
    }
}
