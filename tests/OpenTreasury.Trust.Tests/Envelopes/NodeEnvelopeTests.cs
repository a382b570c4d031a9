using System.Text;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Envelopes;

/// <summary>A node envelope opens only at its receiver, only as its sender sealed it, and refuses everything else with a code.</summary>
public sealed class NodeEnvelopeTests
{
    private const string MessageId = "finance>bank-102:voucher:8202/533103/2026/ZF-0001/v1";
    private const ushort VoucherKind = 1;
    private static readonly byte[] s_payload = Encoding.UTF8.GetBytes("<MOF><VoucherCount>1</VoucherCount>…授权支付凭证…</MOF>");
    private static readonly EnvelopeNetwork s_net = EnvelopeNetwork.Shared;

    private static byte[] Seal(NodeCredential from, NodeCredential to, byte[]? payload = null, DateTimeOffset? at = null) =>
        NodeEnvelope.Seal(from, to.Certificate, MessageId, VoucherKind, payload ?? s_payload, at ?? Now, Rng);

    private static EnvelopeOpening Open(byte[] envelope, NodeCredential? at = null, DateTimeOffset? now = null, ICertificateValidator? validator = null) =>
        NodeEnvelope.Open(envelope, at ?? s_net.Icbc, validator ?? s_net.Validator, now ?? Now);

    private static void AssertRefused(EnvelopeRejection expected, EnvelopeOpening opening)
    {
        Assert.Equal(expected, opening.Rejection);
        Assert.False(opening.IsOpen);
        Assert.Null(opening.Envelope);
        Assert.False(string.IsNullOrWhiteSpace(opening.Reason));
        Assert.DoesNotContain('\n', opening.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public void A_sealed_message_opens_at_its_receiver_with_its_header_and_exact_bytes(int length)
    {
        var payload = new byte[length];
        Rng.NextBytes(payload);

        var opening = Open(Seal(s_net.Finance, s_net.Icbc, payload));

        Assert.True(opening.IsOpen, opening.Reason);
        var envelope = opening.Envelope!;
        Assert.Equal(new EnvelopeHeader(PartyId.Finance, Bank102, MessageId, VoucherKind, Now), envelope.Header);
        Assert.Equal(payload, envelope.Payload);
        Assert.Equal(s_net.Finance.Certificate, envelope.SenderCertificate);
    }

    [Fact]
    public void The_body_is_encrypted_and_two_seals_of_one_message_differ()
    {
        var first = Seal(s_net.Finance, s_net.Icbc);
        var second = Seal(s_net.Finance, s_net.Icbc);

        Assert.NotEqual(first, second); // a fresh key and nonce each time
        var body = new EnvelopeLayout(first)["body"];
        Assert.Equal(s_payload.Length + Sm4.OverheadBytes, body.Length);
        Assert.Equal(-1, first.AsSpan().IndexOf(s_payload.AsSpan(0, 16)));
        Assert.True(first.AsSpan().IndexOf("ZF-0001/v1"u8) > 0); // the id is in clear, by design: carriers may route and log by it
    }

    [Theory]
    [InlineData("from")]
    [InlineData("to")]
    [InlineData("messageId")]
    [InlineData("kind")]
    [InlineData("sequence")]
    [InlineData("sealedAt")]
    [InlineData("receiverSerial")]
    [InlineData("wrappedKey")]
    [InlineData("body")]
    public void Any_byte_changed_under_the_signature_is_a_bad_signature(string field)
    {
        // From bank 103 to bank 102, so that a changed party name (the last digit) is still a party of the network.
        var envelope = Seal(s_net.Abc, s_net.Icbc);
        var (offset, length) = new EnvelopeLayout(envelope)[field];
        var altered = (byte[])envelope.Clone();
        altered[offset + length - 1] = field switch
        {
            "from" => (byte)'2',
            "to" => (byte)'3',
            _ => (byte)(altered[offset + length - 1] ^ 0x01),
        };

        AssertRefused(EnvelopeRejection.BadSignature, Open(altered));
    }

    [Fact]
    public void A_changed_signature_or_one_made_with_another_key_is_a_bad_signature()
    {
        var envelope = Seal(s_net.Finance, s_net.Icbc);
        var layout = new EnvelopeLayout(envelope);
        var (offset, length) = layout["signature"];

        var altered = (byte[])envelope.Clone();
        altered[offset + length - 1] ^= 0x01;
        AssertRefused(EnvelopeRejection.BadSignature, Open(altered));

        // Signed by bank-103 while carrying Finance's certificate.
        AssertRefused(EnvelopeRejection.BadSignature, Open(layout.SignAgain(envelope, s_net.Abc)));
    }

    [Theory]
    [InlineData("body")]
    [InlineData("wrappedKey")]
    [InlineData("messageId")]
    [InlineData("kind")]
    [InlineData("sequence")]
    [InlineData("sealedAt")]
    public void A_sender_that_signs_altered_bytes_still_cannot_make_them_decrypt(string field)
    {
        // The header is GCM's associated data: even a sender signing a changed id, kind or time cannot reuse a body.
        var envelope = Seal(s_net.Finance, s_net.Icbc);
        var layout = new EnvelopeLayout(envelope);
        var (offset, length) = layout[field];
        var altered = (byte[])envelope.Clone();
        altered[offset + length - 1] ^= 0x01; // the last byte: for the time, one millisecond

        AssertRefused(EnvelopeRejection.CannotDecrypt, Open(layout.SignAgain(altered, s_net.Finance)));
    }

    [Fact]
    public void An_envelope_for_another_node_or_another_certificate_of_this_node_is_not_for_this_node()
    {
        AssertRefused(EnvelopeRejection.NotForThisNode, Open(Seal(s_net.Finance, s_net.Abc), at: s_net.Icbc));

        // Bank 102 re-keyed: an envelope for its old certificate is refused by code, before any decryption is tried.
        var rekeyed = s_net.Institution(Bank102, "中国工商银行");
        AssertRefused(EnvelopeRejection.NotForThisNode, Open(Seal(s_net.Finance, s_net.Icbc), at: rekeyed));
        Assert.True(Open(Seal(s_net.Finance, rekeyed), at: rekeyed).IsOpen);
    }

    [Fact]
    public void A_sender_with_a_certificate_of_another_network_is_untrusted()
    {
        var foreign = EnvelopeNetwork.Foreign;

        var opening = Open(Seal(foreign.Finance, s_net.Icbc));

        AssertRefused(EnvelopeRejection.UntrustedSender, opening);
        Assert.Contains(nameof(CertificateFailure.UntrustedChain), opening.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_sender_or_a_person_certificate_is_untrusted()
    {
        var net = new EnvelopeNetwork();
        net.Pki.Revoke(net.Abc.Certificate.SerialNumber, Now - TimeSpan.FromMinutes(1), RevocationReason.KeyCompromise);
        net.Pki.CurrentCrl(Now, Now + TimeSpan.FromDays(7));

        var revoked = NodeEnvelope.Open(Seal(net.Abc, net.Icbc), net.Icbc, net.Validator, Now);
        var person = NodeEnvelope.Open(Seal(net.FinanceClerk, net.Icbc), net.Icbc, net.Validator, Now);

        AssertRefused(EnvelopeRejection.UntrustedSender, revoked);
        Assert.Contains(nameof(CertificateFailure.Revoked), revoked.Reason, StringComparison.Ordinal);
        AssertRefused(EnvelopeRejection.UntrustedSender, person);
        Assert.True(NodeEnvelope.Open(Seal(net.Finance, net.Icbc), net.Icbc, net.Validator, Now).IsOpen);
    }

    [Fact]
    public void A_sender_whose_certificate_names_another_party_is_a_sender_mismatch()
    {
        // Bank 103's own, valid certificate and key, on an envelope that says it comes from Finance.
        var impostor = new NodeCredential(PartyId.Finance, s_net.Abc.Certificate, s_net.Abc.PrivateKey);

        var opening = Open(Seal(impostor, s_net.Icbc));

        AssertRefused(EnvelopeRejection.SenderMismatch, opening);
        Assert.Contains("bank-103", opening.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_envelope_sealed_too_long_ago_or_too_far_ahead_is_stale()
    {
        var sealedAt = Now + TimeSpan.FromHours(1); // inside the certificates' validity either way
        var envelope = Seal(s_net.Finance, s_net.Icbc, at: sealedAt);
        var window = TimeSpan.FromSeconds(Limits.NodeEnvelopeAgeSecondsMax);

        Assert.True(Open(envelope, now: sealedAt + window).IsOpen);
        Assert.True(Open(envelope, now: sealedAt - window).IsOpen);
        AssertRefused(EnvelopeRejection.Stale, Open(envelope, now: sealedAt + window + TimeSpan.FromSeconds(1)));
        AssertRefused(EnvelopeRejection.Stale, Open(envelope, now: sealedAt - window - TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Sizes_are_bounded_before_anything_is_parsed_or_allocated()
    {
        AssertRefused(EnvelopeRejection.TooLarge, Open(new byte[Limits.NodeEnvelopeBytesMax + 1]));

        // A body length above the limit is refused from the length alone, even when the bytes are not there.
        var envelope = Seal(s_net.Finance, s_net.Icbc);
        var (offset, _) = new EnvelopeLayout(envelope)["body"];
        var claimed = (byte[])envelope.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(claimed.AsSpan(offset - 4), Limits.MessageBytesMax + Sm4.OverheadBytes + 1);
        AssertRefused(EnvelopeRejection.TooLarge, Open(claimed));

        Assert.Throws<ArgumentException>(() => Seal(s_net.Finance, s_net.Icbc, new byte[Limits.MessageBytesMax + 1]));
        Assert.True(Open(Seal(s_net.Finance, s_net.Icbc, new byte[Limits.MessageBytesMax])).IsOpen);
    }

    [Fact]
    public void The_senders_sequence_travels_signed_in_the_header()
    {
        var opening = Open(NodeEnvelope.Seal(s_net.Finance, s_net.Icbc.Certificate, MessageId, VoucherKind, 41_235, s_payload, Now, Rng));

        Assert.True(opening.IsOpen, opening.Reason);
        Assert.Equal(41_235, opening.Envelope!.Header.Sequence);
        Assert.Equal(0, Open(Seal(s_net.Finance, s_net.Icbc)).Envelope!.Header.Sequence); // outside the sequence
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeEnvelope.Seal(s_net.Finance, s_net.Icbc.Certificate, MessageId, VoucherKind, -1, s_payload, Now, Rng));
    }

    [Fact]
    public void A_version_1_envelope_is_read_with_no_sequence_in_its_bound_header()
    {
        // Version 1 is version 2 without the sequence's 8 bytes; a sender of the build before signs it so.
        var envelope = Seal(s_net.Finance, s_net.Icbc);
        var layout = new EnvelopeLayout(envelope);
        var (offset, length) = layout["sequence"];
        byte[] version1 = [.. envelope.AsSpan(0, offset), .. envelope.AsSpan(offset + length, layout.SignedLength - offset - length)];
        version1[4] = NodeEnvelope.FormatVersionWithoutSequence;
        var signature = Sm2.Sign(s_net.Finance.PrivateKey, version1, Rng);
        byte[] resigned = [.. version1, (byte)signature.Length, .. signature];

        // The sequence is GCM associated data: the body sealed under a version-2 header does not decrypt under version 1's.
        AssertRefused(EnvelopeRejection.CannotDecrypt, Open(resigned));
    }

    [Fact]
    public void Another_format_version_is_refused_as_unsupported()
    {
        var envelope = Seal(s_net.Finance, s_net.Icbc);
        envelope[4] = 3;

        AssertRefused(EnvelopeRejection.UnsupportedVersion, Open(envelope));
    }

    [Fact]
    public void Every_truncation_and_any_trailing_byte_is_malformed()
    {
        var envelope = Seal(s_net.Finance, s_net.Icbc, new byte[40]);
        for (var length = 0; length < envelope.Length; length++)
        {
            AssertRefused(EnvelopeRejection.Malformed, Open(envelope[..length]));
        }

        AssertRefused(EnvelopeRejection.Malformed, Open([.. envelope, 0]));
    }

    [Fact]
    public void Random_mutations_and_garbage_never_throw_and_never_open()
    {
        var envelope = Seal(s_net.Finance, s_net.Icbc, new byte[64]);
        var random = new Random(20260302);
        for (var round = 0; round < 1_500; round++)
        {
            var mutated = new List<byte>(envelope);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(mutated.Count);
                switch (random.Next(4))
                {
                    case 0: mutated[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: mutated[at] = (byte)random.Next(256); break;
                    case 2: mutated.RemoveAt(at); break;
                    default: mutated.Insert(at, (byte)random.Next(256)); break;
                }
            }

            var bytes = mutated.ToArray();
            var opening = Open(bytes);
            Assert.True(!opening.IsOpen || bytes.AsSpan().SequenceEqual(envelope), $"round {round} opened altered bytes");
        }

        for (var round = 0; round < 300; round++)
        {
            var garbage = new byte[random.Next(0, 2_000)];
            random.NextBytes(garbage);
            if (round % 2 == 0 && garbage.Length >= 5)
            {
                "OTNE"u8.CopyTo(garbage);
                garbage[4] = NodeEnvelope.FormatVersion; // past the magic, into the fields
            }

            Assert.False(Open(garbage).IsOpen);
        }
    }

    [Fact]
    public void Sealing_refuses_what_is_not_a_message_for_an_institution()
    {
        Assert.Throws<ArgumentException>(() => NodeEnvelope.Seal(s_net.Finance, s_net.FinanceClerk.Certificate, MessageId, VoucherKind, s_payload, Now, Rng));
        Assert.Throws<ArgumentException>(() => NodeEnvelope.Seal(s_net.Finance, s_net.Icbc.Certificate, "", VoucherKind, s_payload, Now, Rng));
        Assert.Throws<ArgumentException>(() => NodeEnvelope.Seal(s_net.Finance, s_net.Icbc.Certificate, new string('x', NodeEnvelope.MessageIdBytesMax + 1), VoucherKind, s_payload, Now, Rng));
    }
}
