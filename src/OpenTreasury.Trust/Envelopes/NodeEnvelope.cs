using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Envelopes;

/// <summary>
/// One message from one node to another, end to end: the body is SM4-GCM encrypted under a fresh 128-bit key,
/// the key is SM2-encrypted (C1C3C2) to the receiver's institution certificate, and everything is signed by the
/// sender's institution key (SM3withSM2). Whoever carries the bytes (HTTP, a proxy, a queue) can neither read
/// nor change them, nor pass them off as another party's.
/// </summary>
/// <remarks>
/// <para>Format, version 2, all integers big-endian, every length a prefix of the field it counts:</para>
/// <code>
///   "OTNE" (4)  version = 2 (1)
///   from      u8 length + ASCII party name         (e.g. "finance")
///   to        u8 length + ASCII party name         (e.g. "bank-102")
///   messageId u16 length + UTF-8                   (1 to MessageIdBytesMax)
///   kind      u16                                  (the carrier's message kind)
///   sequence  i64                                  (the sender's gapless number of its messages to this receiver, 1, 2, …;
///                                                   0 for a message outside that sequence; not in version 1, read as 0)
///   sealedAt  i64 Unix milliseconds (UTC)
///   ── the bytes so far are the GCM associated data: they bind sender, receiver, id, kind, sequence and time ──
///   senderCertificate u16 length + DER             (1 to CertificateBytesMax)
///   receiverSerial    u8 length + unsigned serial of the certificate the key is wrapped for
///   wrappedKey        u8 length + SM2 C1‖C3‖C2 of the SM4 key (exactly 113 bytes)
///   body              u32 length + SM4-GCM nonce‖ciphertext‖tag
///   ── the bytes so far are what the signature covers ──
///   signature         u8 length + DER SEQUENCE{r,s}, SM3withSM2 with the default user ID
///   (nothing after it)
/// </code>
/// <para>Why length-prefixed binary and not DER: every field has exactly one encoding and one place, so the
/// signed bytes are the parsed bytes; a reader of a dozen fixed fields is short enough to be total (it refuses,
/// never throws) and bounds every length before it allocates; and no general-purpose parser (BER leniency,
/// indefinite lengths, nesting) sees hostile bytes before the signature is checked. The certificate inside is
/// DER, parsed only after the envelope's shape is known to be sound. A later format bumps the version byte.</para>
/// <para>Opening checks, in this order, and the first failure is the answer: size, shape and version, the
/// signature (with the key of the certificate carried), the certificate against the network PKI (institution use,
/// now), that it names the claimed sender, that the envelope is for this node and this certificate, its age,
/// then unwrapping and decrypting. A replay inside the age window is not refused here: the receiver's inbox
/// dedupes by message id and business key, so it is harmless.</para>
/// </remarks>
public static class NodeEnvelope
{
    public const byte FormatVersion = 2;

    /// <summary>The format before the sender's sequence (ADR 0016); still read, as sequence 0.</summary>
    public const byte FormatVersionWithoutSequence = 1;

    /// <summary>Bytes of a message id (UTF-8); ids are short stable strings such as <c>finance>bank-102:…</c>.</summary>
    public const int MessageIdBytesMax = 256;

    /// <summary>Bytes of the sender's certificate (DER); the network's institution certificates are under 1 KB.</summary>
    public const int CertificateBytesMax = 8 * 1024;

    private const int PartyNameBytesMax = 32;
    private const int SerialBytesMax = 32;
    private const int SignatureBytesMax = 80;
    private const int WrappedKeyBytes = Sm2.CiphertextOverheadBytes + Sm4.KeyBytes;
    private const int BodyBytesMax = Limits.MessageBytesMax + Sm4.OverheadBytes;
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "OTNE"u8;

    /// <summary>
    /// Seals <paramref name="payload"/> from <paramref name="sender"/> to the party named by <paramref name="receiver"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is above <see cref="Limits.MessageBytesMax"/>, the id is empty or too long,
    /// or the receiver's certificate does not name an institution: programming or configuration errors, not hostile input.</exception>
    public static byte[] Seal(
        NodeCredential sender, X509Certificate receiver, string messageId, ushort kind, ReadOnlySpan<byte> payload, DateTimeOffset now, SecureRandom random) =>
        Seal(sender, receiver, messageId, kind, 0, payload, now, random);

    /// <summary>
    /// Seals <paramref name="payload"/>, the <paramref name="sequence"/>th message of the sender to this receiver (0: outside
    /// the sequence), from <paramref name="sender"/> to the party named by <paramref name="receiver"/>.
    /// </summary>
    public static byte[] Seal(
        NodeCredential sender, X509Certificate receiver, string messageId, ushort kind, long sequence, ReadOnlySpan<byte> payload, DateTimeOffset now, SecureRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(random);
        if (payload.Length > Limits.MessageBytesMax)
        {
            throw new ArgumentException($"A message is at most {Limits.MessageBytesMax} bytes, not {payload.Length}.", nameof(payload));
        }

        if (!CertificateIdentities.TryRead(receiver, out var identity) || identity.UserId is not null)
        {
            throw new ArgumentException($"'{receiver.SubjectDN}' is not an institution certificate of the network.", nameof(receiver));
        }

        var id = Encoding.UTF8.GetBytes(messageId);
        if (id.Length is 0 or > MessageIdBytesMax)
        {
            throw new ArgumentException($"A message id is 1 to {MessageIdBytesMax} UTF-8 bytes, not {id.Length}.", nameof(messageId));
        }

        var senderDer = sender.Certificate.GetEncoded();
        var serial = receiver.SerialNumber.ToByteArrayUnsigned();
        if (senderDer.Length > CertificateBytesMax || serial.Length is 0 or > SerialBytesMax)
        {
            throw new ArgumentException("The sender's certificate or the receiver's serial number is larger than an envelope carries.", nameof(sender));
        }

        var writer = new ArrayBufferWriter<byte>(checked(payload.Length + senderDer.Length + 1024));
        writer.Write(Magic);
        writer.Write([FormatVersion]);
        WriteU8Prefixed(writer, Encoding.ASCII.GetBytes(sender.Party.ToString()));
        WriteU8Prefixed(writer, Encoding.ASCII.GetBytes(identity.Party.ToString()));
        WriteU16(writer, checked((ushort)id.Length));
        writer.Write(id);
        WriteU16(writer, kind);
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), sequence);
        writer.Advance(8);
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), now.ToUnixTimeMilliseconds());
        writer.Advance(8);
        var associatedData = writer.WrittenSpan.ToArray();

        var key = Sm4.GenerateKey(random);
        try
        {
            var wrapped = Sm2.Encrypt(receiver.GetPublicKey(), key, random);
            var body = Sm4.Encrypt(key, payload, random, associatedData);
            WriteU16(writer, checked((ushort)senderDer.Length));
            writer.Write(senderDer);
            WriteU8Prefixed(writer, serial);
            WriteU8Prefixed(writer, wrapped);
            BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), checked((uint)body.Length));
            writer.Advance(4);
            writer.Write(body);
            WriteU8Prefixed(writer, Sm2.Sign(sender.PrivateKey, writer.WrittenSpan, random));
            return writer.WrittenSpan.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Opens an envelope sealed to <paramref name="receiver"/>; never throws on hostile bytes.</summary>
    public static EnvelopeOpening Open(ReadOnlySpan<byte> envelope, NodeCredential receiver, ICertificateValidator validator, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(validator);
        if (envelope.Length > Limits.NodeEnvelopeBytesMax)
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.TooLarge, $"the envelope is {envelope.Length} bytes, above {Limits.NodeEnvelopeBytesMax}");
        }

        try
        {
            return OpenChecked(envelope, receiver, validator, now);
        }
        catch (Exception e)
        {
            // Whatever a crafted certificate or point made BouncyCastle throw, hostile bytes get a refusal, not a crash.
            return EnvelopeOpening.Refuse(EnvelopeRejection.Malformed, $"the envelope cannot be read: {e.GetType().Name}: {e.Message}");
        }
    }

    private static EnvelopeOpening OpenChecked(ReadOnlySpan<byte> envelope, NodeCredential receiver, ICertificateValidator validator, DateTimeOffset now)
    {
        var (rejection, reason) = TryParse(envelope, out var parts);
        if (rejection != EnvelopeRejection.None)
        {
            return EnvelopeOpening.Refuse(rejection, reason);
        }

        X509Certificate sender;
        AsymmetricKeyParameter senderKey;
        try
        {
            sender = new X509Certificate(envelope[parts.Certificate].ToArray());
            senderKey = sender.GetPublicKey();
        }
        catch (Exception e)
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.Malformed, $"the sender's certificate cannot be read: {e.GetType().Name}");
        }

        if (senderKey.IsPrivate || !Sm2.IsSm2Key(senderKey))
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.Malformed, "the sender's certificate does not hold an SM2 public key");
        }

        if (!Sm2.Verify(senderKey, envelope[..parts.SignedLength], envelope[parts.Signature]))
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.BadSignature, "the signature does not verify with the sender's certificate");
        }

        var validation = validator.Validate(sender, now, CertificateUse.Institution);
        if (validation.Failure == CertificateFailure.WrongEnvironment)
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.WrongEnvironment, validation.Message);
        }

        if (!validation.IsValid)
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.UntrustedSender, $"the sender's certificate is not trusted: {validation.Failure}: {validation.Message}");
        }

        if (!CertificateIdentities.TryRead(sender, out var identity) || identity.UserId is not null || identity.Party != parts.From)
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.SenderMismatch, $"the envelope claims to be from {parts.From} but its certificate is '{sender.SubjectDN}'");
        }

        if (parts.To != receiver.Party || !envelope[parts.ReceiverSerial].SequenceEqual(receiver.Certificate.SerialNumber.ToByteArrayUnsigned()))
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.NotForThisNode, $"the envelope is for {parts.To} (certificate serial {Convert.ToHexString(envelope[parts.ReceiverSerial])}), this node is {receiver.Party} (serial {receiver.Certificate.SerialNumber.ToString(16).ToUpperInvariant()})");
        }

        var age = now - parts.SealedAt;
        if (age.Duration() > TimeSpan.FromSeconds(Limits.NodeEnvelopeAgeSecondsMax))
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.Stale, $"the envelope was sealed at {parts.SealedAt:u}, {age.TotalSeconds:F0} s from now, beyond {Limits.NodeEnvelopeAgeSecondsMax} s");
        }

        if (!Sm2.TryDecrypt(receiver.PrivateKey, envelope[parts.WrappedKey], out var key) || key.Length != Sm4.KeyBytes)
        {
            return EnvelopeOpening.Refuse(EnvelopeRejection.CannotDecrypt, "the wrapped key does not open with this node's key");
        }

        try
        {
            if (!Sm4.TryDecrypt(key, envelope[parts.Body], out var payload, envelope[..parts.AssociatedDataLength]))
            {
                return EnvelopeOpening.Refuse(EnvelopeRejection.CannotDecrypt, "the body does not authenticate under the wrapped key and the header");
            }

            var header = new EnvelopeHeader(parts.From, parts.To, parts.MessageId, parts.Kind, parts.SealedAt) { Sequence = parts.Sequence };
            return new EnvelopeOpening(EnvelopeRejection.None, string.Empty, new OpenedEnvelope(header, sender, payload));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Reads the shape of an envelope: every field present, within its bounds, and nothing after the signature.</summary>
    private static (EnvelopeRejection Rejection, string Reason) TryParse(ReadOnlySpan<byte> envelope, out Parts parts)
    {
        parts = default;
        var reader = new Reader(envelope);
        if (!reader.TryTake(Magic.Length, out var magic) || !envelope[magic].SequenceEqual(Magic) || !reader.TryU8(out var version))
        {
            return (EnvelopeRejection.Malformed, "not a node envelope (no OTNE header)");
        }

        if (version is not (FormatVersion or FormatVersionWithoutSequence))
        {
            return (EnvelopeRejection.UnsupportedVersion, $"envelope format version {version}; this node reads version {FormatVersion}");
        }

        if (!reader.TryU8Prefixed(PartyNameBytesMax, out var fromRange) || !TryParty(envelope[fromRange], out var from)
            || !reader.TryU8Prefixed(PartyNameBytesMax, out var toRange) || !TryParty(envelope[toRange], out var to))
        {
            return (EnvelopeRejection.Malformed, "the sender or receiver is not a party of the network");
        }

        if (!reader.TryU16(out var idLength) || idLength is 0 or > MessageIdBytesMax || !reader.TryTake(idLength, out var idRange)
            || !TryUtf8(envelope[idRange], out var messageId))
        {
            return (EnvelopeRejection.Malformed, $"the message id is missing, above {MessageIdBytesMax} bytes or not UTF-8");
        }

        long sequence = 0;
        if (!reader.TryU16(out var kind) || (version == FormatVersion && (!reader.TryI64(out sequence) || sequence < 0)) || !reader.TryI64(out var sealedAtMs)
            || sealedAtMs < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || sealedAtMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return (EnvelopeRejection.Malformed, "the kind, sequence or sealing time is missing or out of range");
        }

        var associatedDataLength = reader.Position;
        if (!reader.TryU16(out var certificateLength) || certificateLength is 0 or > CertificateBytesMax || !reader.TryTake(certificateLength, out var certificate)
            || !reader.TryU8Prefixed(SerialBytesMax, out var serial) || serial.GetOffsetAndLength(envelope.Length).Length == 0
            || !reader.TryU8Prefixed(WrappedKeyBytes, out var wrapped) || wrapped.GetOffsetAndLength(envelope.Length).Length != WrappedKeyBytes
            || !reader.TryU32(out var bodyLength))
        {
            return (EnvelopeRejection.Malformed, "the sender's certificate, the receiver's serial or the wrapped key is missing or out of bounds");
        }

        if (bodyLength > BodyBytesMax)
        {
            return (EnvelopeRejection.TooLarge, $"the body is {bodyLength} bytes, above {BodyBytesMax}");
        }

        if (bodyLength < Sm4.OverheadBytes || !reader.TryTake((int)bodyLength, out var body))
        {
            return (EnvelopeRejection.Malformed, "the body is shorter than SM4-GCM's nonce and tag, or truncated");
        }

        var signedLength = reader.Position;
        if (!reader.TryU8Prefixed(SignatureBytesMax, out var signature) || signature.GetOffsetAndLength(envelope.Length).Length == 0 || !reader.AtEnd)
        {
            return (EnvelopeRejection.Malformed, "the signature is missing or out of bounds, or bytes follow it");
        }

        parts = new Parts(from, to, messageId, kind, sequence, DateTimeOffset.FromUnixTimeMilliseconds(sealedAtMs), associatedDataLength,
            certificate, serial, wrapped, body, signedLength, signature);
        return (EnvelopeRejection.None, string.Empty);
    }

    private static bool TryParty(ReadOnlySpan<byte> ascii, out PartyId party)
    {
        party = default;
        foreach (var b in ascii)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }

        return PartyId.TryParse(Encoding.ASCII.GetString(ascii), out party);
    }

    private static bool TryUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = s_strictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static void WriteU8Prefixed(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write([checked((byte)bytes.Length)]);
        writer.Write(bytes);
    }

    private static void WriteU16(ArrayBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private readonly record struct Parts(
        PartyId From, PartyId To, string MessageId, ushort Kind, long Sequence, DateTimeOffset SealedAt, int AssociatedDataLength,
        Range Certificate, Range ReceiverSerial, Range WrappedKey, Range Body, int SignedLength, Range Signature);

    /// <summary>A cursor that hands out ranges; every read checks the bytes are there, none throws.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; }

        public readonly bool AtEnd => Position == _bytes.Length;

        public bool TryTake(int count, out Range range)
        {
            range = default;
            if (count < 0 || count > _bytes.Length - Position)
            {
                return false;
            }

            range = new Range(Position, Position + count);
            Position += count;
            return true;
        }

        public bool TryU8(out byte value)
        {
            value = 0;
            if (!TryTake(1, out var range))
            {
                return false;
            }

            value = _bytes[range][0];
            return true;
        }

        public bool TryU16(out ushort value)
        {
            value = 0;
            if (!TryTake(2, out var range))
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_bytes[range]);
            return true;
        }

        public bool TryU32(out uint value)
        {
            value = 0;
            if (!TryTake(4, out var range))
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt32BigEndian(_bytes[range]);
            return true;
        }

        public bool TryI64(out long value)
        {
            value = 0;
            if (!TryTake(8, out var range))
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt64BigEndian(_bytes[range]);
            return true;
        }

        public bool TryU8Prefixed(int lengthMax, out Range range)
        {
            range = default;
            return TryU8(out var length) && length <= lengthMax && TryTake(length, out range);
        }
    }
}
