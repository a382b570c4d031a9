using System.Buffers.Binary;

using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Envelopes;

/// <summary>A network PKI with three institutions (finance, bank-102, bank-103) and a person, issued at <see cref="TestNetwork.Now"/>.</summary>
internal sealed class EnvelopeNetwork
{
    public EnvelopeNetwork(string name = "OpenTreasury Envelope Test")
    {
        Pki = NetworkPki.Create(name, Now, Rng);
        Finance = Institution(PartyId.Finance, "某市财政局");
        Icbc = Institution(Bank102, "中国工商银行");
        Abc = Institution(Bank103, "中国农业银行");
        var personKeys = Sm2.GenerateKeyPair(Rng);
        FinanceClerk = new NodeCredential(
            PartyId.Finance, Pki.IssuePerson(PartyId.Finance, "cz_lr", "李四", "录入岗", "某市财政局", personKeys.Public, Now, OneYear), personKeys.Private);
        Validator = PkiCertificateValidator.For(Pki);
    }

    /// <summary>Shared by tests that do not revoke.</summary>
    public static EnvelopeNetwork Shared { get; } = new();

    /// <summary>Another network with the same party names: its certificates mean nothing here.</summary>
    public static EnvelopeNetwork Foreign { get; } = new("Some Other Network");

    public NetworkPki Pki { get; }

    public NodeCredential Finance { get; }

    public NodeCredential Icbc { get; }

    public NodeCredential Abc { get; }

    /// <summary>A person's credential: a valid certificate of the network, but not an institution's.</summary>
    public NodeCredential FinanceClerk { get; }

    public PkiCertificateValidator Validator { get; }

    public NodeCredential Institution(PartyId party, string organisation)
    {
        var keys = Sm2.GenerateKeyPair(Rng);
        return new NodeCredential(party, Pki.IssueInstitution(party, organisation, keys.Public, Now, OneYear), keys.Private);
    }
}

/// <summary>
/// The fields of an envelope (version 2, or version 1 without the sequence), found by walking its length prefixes as the format describes: the tests
/// use it to alter one field and, where the test needs a sender who signs what it altered, to sign again.
/// </summary>
internal sealed class EnvelopeLayout
{
    private readonly Dictionary<string, (int Offset, int Length)> _fields = [];

    public EnvelopeLayout(byte[] envelope)
    {
        var position = 5; // "OTNE" and the version byte
        U8("from");
        U8("to");
        Take("messageId", BinaryPrimitives.ReadUInt16BigEndian(envelope.AsSpan(Skip(2), 2)));
        Take("kind", 2);
        if (envelope[4] == NodeEnvelope.FormatVersion)
        {
            Take("sequence", 8);
        }

        Take("sealedAt", 8);
        AssociatedDataLength = position;
        Take("senderCertificate", BinaryPrimitives.ReadUInt16BigEndian(envelope.AsSpan(Skip(2), 2)));
        U8("receiverSerial");
        U8("wrappedKey");
        Take("body", (int)BinaryPrimitives.ReadUInt32BigEndian(envelope.AsSpan(Skip(4), 4)));
        SignedLength = position;
        U8("signature");
        Assert.Equal(envelope.Length, position);

        int Skip(int count)
        {
            position += count;
            return position - count;
        }

        void U8(string name) => Take(name, envelope[Skip(1)]);

        void Take(string name, int length)
        {
            _fields[name] = (position, length);
            position += length;
        }
    }

    public int AssociatedDataLength { get; }

    public int SignedLength { get; }

    public (int Offset, int Length) this[string field] => _fields[field];

    /// <summary>The envelope with its signature replaced by <paramref name="signer"/>'s over the bytes before it.</summary>
    public byte[] SignAgain(byte[] envelope, NodeCredential signer)
    {
        var signature = Sm2.Sign(signer.PrivateKey, envelope.AsSpan(0, SignedLength), Rng);
        return [.. envelope.AsSpan(0, SignedLength), (byte)signature.Length, .. signature];
    }
}
