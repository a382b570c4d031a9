using System.Text;

using OpenTreasury.Domain;

using Org.BouncyCastle.Asn1;

namespace OpenTreasury.Trust.Seals;

/// <summary>
/// Reading and writing the GB/T 38540 (V4) and GM/T 0031 (V1) structures shared by seals and signed seals.
/// Readers throw <see cref="InvalidDataException"/> with a message naming the field, or
/// <see cref="NotSupportedException"/> for a version we do not read; <see cref="Parse{T}"/> turns both into
/// an error string, so nothing escapes to callers of the public <c>TryParse</c> methods.
/// </summary>
internal static class SealAsn1
{
    /// <summary>Bytes of a seal picture.</summary>
    public const int PictureBytesMax = 200 * 1024;

    /// <summary>Entries in a seal's list of signer certificates or digests.</summary>
    public const int CertificatesMax = 16;

    /// <summary>Extensions in a seal info or a TBS_Sign.</summary>
    public const int ExtensionsMax = 16;

    /// <summary>Characters in a header id, vendor id, esID, seal name, picture type or digest algorithm name.</summary>
    public const int TextLengthMax = 256;

    /// <summary>Characters in propertyInfo (an OFD path or a voucher id with a stamp position).</summary>
    public const int PropertyInfoLengthMax = 512;

    /// <summary>Nesting of constructed values; the deepest legal path (a digest entry in a signed seal) is 8.</summary>
    public const int DepthMax = 16;

    /// <summary>Bytes of a digest (a data hash or a certificate digest); SM3 and SHA-256 give 32, SHA-512 64.</summary>
    public const int DigestBytesMax = 64;

    /// <summary>
    /// Parses <paramref name="der"/> as exactly one strict DER value and reads it with <paramref name="read"/>.
    /// Strict DER means one encoding per value, so the DER of any part is the exact bytes that were signed.
    /// </summary>
    public static T? Parse<T>(ReadOnlySpan<byte> der, string what, Func<Asn1Object, T> read, out string error, out bool unsupportedVersion)
        where T : class
    {
        error = "";
        unsupportedVersion = false;
        if (der.IsEmpty)
        {
            error = $"the {what} is empty";
            return null;
        }

        if (der.Length > Limits.StampBytesMax)
        {
            error = $"the {what} has {der.Length} bytes, more than {Limits.StampBytesMax}";
            return null;
        }

        // BouncyCastle's reader recurses once per nesting level; checking lengths and depth first keeps
        // hostile nesting from exhausting the stack, which no catch could stop.
        if (!DerShape.IsSingleValue(der, DepthMax))
        {
            error = $"the {what} is not one definite-length DER value nested at most {DepthMax} deep";
            return null;
        }

        try
        {
            var input = der.ToArray();
            var value = Asn1Object.FromByteArray(input);
            if (!value.GetEncoded(Asn1Encodable.Der).AsSpan().SequenceEqual(input))
            {
                error = $"the {what} is not in DER (a value has more than one encoding)";
                return null;
            }

            return read(value);
        }
        catch (NotSupportedException e)
        {
            unsupportedVersion = true;
            error = e.Message;
        }
        catch (InvalidDataException e)
        {
            error = $"the {what} is malformed: {e.Message}";
        }
        catch (Exception)
        {
            // Hostile bytes can make a parser throw almost anything; all of it means "malformed".
            error = $"the {what} is not well-formed ASN.1";
        }

        return null;
    }

    public static InvalidDataException Bad(string message) => new(message);

    public static Asn1Sequence Sequence(Asn1Encodable value, string what, int countMin, int countMax) =>
        value is Asn1Sequence sequence && sequence.Count >= countMin && sequence.Count <= countMax
            ? sequence
            : throw Bad(countMin == countMax
                ? $"{what} is not a SEQUENCE of {countMin} elements"
                : $"{what} is not a SEQUENCE of {countMin} to {countMax} elements");

    public static int Integer(Asn1Encodable value, string what) =>
        value is DerInteger integer ? integer.IntValueExact : throw Bad($"{what} is not an INTEGER");

    public static string Ia5(Asn1Encodable value, string what, int lengthMax) =>
        value is DerIA5String text ? Bounded(text.GetString(), what, lengthMax) : throw Bad($"{what} is not an IA5String");

    public static string Utf8(Asn1Encodable value, string what, int lengthMax) =>
        value is DerUtf8String text ? Bounded(text.GetString(), what, lengthMax) : throw Bad($"{what} is not a UTF8String");

    public static byte[] Octets(Asn1Encodable value, string what) =>
        value is Asn1OctetString octets ? octets.GetOctets() : throw Bad($"{what} is not an OCTET STRING");

    public static byte[] Bits(Asn1Encodable value, string what) =>
        value is DerBitString { PadBits: 0 } bits ? bits.GetOctets() : throw Bad($"{what} is not a BIT STRING of whole octets");

    public static string Oid(Asn1Encodable value, string what) =>
        value is DerObjectIdentifier oid ? oid.Id : throw Bad($"{what} is not an OBJECT IDENTIFIER");

    public static DateTimeOffset Time(Asn1Encodable value, string what, bool utcTimeAllowed) => value switch
    {
        Asn1GeneralizedTime time => new DateTimeOffset(time.ToDateTime().ToUniversalTime(), TimeSpan.Zero),
        Asn1UtcTime time when utcTimeAllowed => new DateTimeOffset(time.ToDateTime().ToUniversalTime(), TimeSpan.Zero),
        _ => throw Bad(utcTimeAllowed ? $"{what} is not a UTCTime or GeneralizedTime" : $"{what} is not a GeneralizedTime"),
    };

    /// <summary>The value inside <c>[0] EXPLICIT</c>, or the value itself when it is not tagged.</summary>
    public static Asn1Encodable Untag(Asn1Encodable value, string what)
    {
        if (value is not Asn1TaggedObject tagged)
        {
            return value;
        }

        return tagged.TagClass == Asn1Tags.ContextSpecific && tagged.TagNo == 0 && tagged.IsExplicit()
            ? tagged.GetExplicitBaseObject()
            : throw Bad($"{what} carries a tag other than [0] EXPLICIT");
    }

    public static DerGeneralizedTime GeneralizedTime(DateTimeOffset time) => new(WholeSeconds(time).UtcDateTime);

    public static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    public static DerIA5String Ia5For(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text, what);
        foreach (var c in text)
        {
            if (c > 0x7F)
            {
                throw new ArgumentException($"{what} must be ASCII (an IA5String): '{text}'.", what);
            }
        }

        return new DerIA5String(text);
    }

    // ---- Seal info ----

    public static Asn1Sequence EncodeSealInfo(SealInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var header = info.Header;
        var property = info.Property;
        var picture = info.Picture;
        Asn1Encodable certList = property.CertListType switch
        {
            SealProperty.CertListCertificates => new DerSequence(property.Certificates.Select(c => (Asn1Encodable)new DerOctetString(c)).ToArray()),
            SealProperty.CertListDigests => new DerSequence(property.CertDigests.Select(d => (Asn1Encodable)new DerSequence(new DerPrintableString(d.Algorithm), new DerOctetString(d.Digest))).ToArray()),
            _ => throw new ArgumentException($"certListType must be 1 or 2, not {property.CertListType}.", nameof(info)),
        };
        var elements = new List<Asn1Encodable>
        {
            new DerSequence(Ia5For(header.Id, "header id"), DerInteger.ValueOf(header.Version), Ia5For(header.VendorId, "vendor id")),
            Ia5For(info.EsId, "esID"),
            new DerSequence(
                DerInteger.ValueOf(property.Type),
                new DerUtf8String(property.Name),
                DerInteger.ValueOf(property.CertListType),
                certList,
                GeneralizedTime(property.CreateDate),
                GeneralizedTime(property.ValidStart),
                GeneralizedTime(property.ValidEnd)),
            new DerSequence(Ia5For(picture.Type, "picture type"), new DerOctetString(picture.Data), DerInteger.ValueOf(picture.WidthMm), DerInteger.ValueOf(picture.HeightMm)),
        };
        if (info.Extensions.Count > 0)
        {
            // Untagged, as in ofdrw and in the real V4 sample.
            elements.Add(EncodeExtensions(info.Extensions));
        }

        return new DerSequence(elements.ToArray());
    }

    public static DerSequence EncodeExtensions(IReadOnlyList<SealExtension> extensions) =>
        new(extensions.Select(e => (Asn1Encodable)(e.Critical
            ? new DerSequence(new DerObjectIdentifier(e.Oid), DerBoolean.True, new DerOctetString(e.Value))
            : new DerSequence(new DerObjectIdentifier(e.Oid), new DerOctetString(e.Value)))).ToArray()); // DEFAULT FALSE is omitted in DER

    public static SealInfo ReadSealInfo(Asn1Encodable value, SealFormat format)
    {
        var info = Sequence(value, "SES_SealInfo", 4, 5);
        var header = ReadHeader(info[0]);
        var esId = Ia5(info[1], "esID", TextLengthMax);
        var property = format == SealFormat.V4 ? ReadPropertyV4(info[2]) : ReadPropertyV1(info[2]);
        var picture = ReadPicture(info[3]);
        var extensions = info.Count == 5 ? ReadExtensions(Untag(info[4], "the seal info's extDatas"), "the seal info's extDatas") : [];
        return new SealInfo(header, esId, property, picture, extensions);
    }

    /// <summary>The header version of a SESeal's seal info, for version detection; throws when absent.</summary>
    public static int HeaderVersionOf(Asn1Sequence seal)
    {
        var info = Sequence(seal[0], "SES_SealInfo", 4, 5);
        var header = Sequence(info[0], "SES_Header", 3, 3);
        return Integer(header[1], "the header version");
    }

    public static IReadOnlyList<SealExtension> ReadExtensions(Asn1Encodable value, string what)
    {
        var list = Sequence(value, what, 0, ExtensionsMax);
        var extensions = new List<SealExtension>(list.Count);
        foreach (var element in list)
        {
            var ext = Sequence(element, "an ExtData", 2, 3);
            var oid = Oid(ext[0], "an extension id");
            var critical = false;
            if (ext.Count == 3)
            {
                critical = ext[1] is DerBoolean flag ? flag.IsTrue : throw Bad("an extension's critical flag is not a BOOLEAN");
            }

            extensions.Add(new SealExtension(oid, critical, Octets(ext[ext.Count - 1], "an extension value")));
        }

        return extensions;
    }

    private static SealHeader ReadHeader(Asn1Encodable value)
    {
        var header = Sequence(value, "SES_Header", 3, 3);
        return new SealHeader(
            Ia5(header[0], "the header id", TextLengthMax),
            Integer(header[1], "the header version"),
            Ia5(header[2], "the vendor id", TextLengthMax));
    }

    private static SealProperty ReadPropertyV4(Asn1Encodable value)
    {
        var property = Sequence(value, "SES_ESPropertyInfo", 7, 7);
        var type = Integer(property[0], "the seal type");
        var name = Utf8(property[1], "the seal name", TextLengthMax);
        var certListType = Integer(property[2], "certListType");
        var list = Sequence(property[3], "certList", 1, CertificatesMax);
        var certificates = new List<byte[]>();
        var digests = new List<SealCertDigest>();
        switch (certListType)
        {
            case SealProperty.CertListCertificates:
                foreach (var element in list)
                {
                    certificates.Add(Octets(element, "a certList entry"));
                }

                break;
            case SealProperty.CertListDigests:
                foreach (var element in list)
                {
                    var digest = Sequence(element, "a CertDigestObj", 2, 2);
                    var algorithm = digest[0] is DerStringBase text ? Bounded(text.GetString(), "a digest algorithm", TextLengthMax) : throw Bad("a digest algorithm is not a string");
                    var bytes = Octets(digest[1], "a certificate digest");
                    digests.Add(bytes.Length is > 0 and <= DigestBytesMax ? new SealCertDigest(algorithm, bytes) : throw Bad("a certificate digest has a wrong length"));
                }

                break;
            default:
                throw Bad($"certListType is {certListType}, neither 1 (certificates) nor 2 (digests)");
        }

        return new SealProperty(
            type,
            name,
            certListType,
            certificates,
            digests,
            Time(property[4], "createDate", utcTimeAllowed: false),
            Time(property[5], "validStart", utcTimeAllowed: false),
            Time(property[6], "validEnd", utcTimeAllowed: false));
    }

    private static SealProperty ReadPropertyV1(Asn1Encodable value)
    {
        // GM/T 0031-2014 has no certListType: the list holds certificates, as OCTET STRINGs (or, in some
        // writers, the certificate SEQUENCE itself). Dates are UTCTime; some writers use GeneralizedTime.
        var property = Sequence(value, "SES_ESPropertyInfo (V1)", 6, 6);
        var list = Sequence(property[2], "certList", 1, CertificatesMax);
        var certificates = new List<byte[]>();
        foreach (var element in list)
        {
            certificates.Add(element is Asn1Sequence certificate ? certificate.GetEncoded(Asn1Encodable.Der) : Octets(element, "a certList entry"));
        }

        return new SealProperty(
            Integer(property[0], "the seal type"),
            Utf8(property[1], "the seal name", TextLengthMax),
            SealProperty.CertListCertificates,
            certificates,
            [],
            Time(property[3], "createDate", utcTimeAllowed: true),
            Time(property[4], "validStart", utcTimeAllowed: true),
            Time(property[5], "validEnd", utcTimeAllowed: true));
    }

    private static SealPicture ReadPicture(Asn1Encodable value)
    {
        var picture = Sequence(value, "SES_ESPictrueInfo", 4, 4);
        var data = Octets(picture[1], "the picture data");
        if (data.Length > PictureBytesMax)
        {
            throw Bad($"the picture has {data.Length} bytes, more than {PictureBytesMax}");
        }

        return new SealPicture(
            Ia5(picture[0], "the picture type", TextLengthMax),
            data,
            Integer(picture[2], "the picture width"),
            Integer(picture[3], "the picture height"));
    }

    private static string Bounded(string text, string what, int lengthMax) =>
        text.Length <= lengthMax ? text : throw Bad($"{what} has {text.Length} characters, more than {lengthMax}");

    /// <summary>The text a V1 timeInfo BIT STRING carries: a DER time, or the time's ASCII characters.</summary>
    public static DateTimeOffset TimeV1(Asn1Encodable value)
    {
        var content = value switch
        {
            Asn1GeneralizedTime or Asn1UtcTime => null,
            DerBitString { PadBits: 0 } bits => bits.GetOctets(),
            Asn1OctetString octets => octets.GetOctets(),
            _ => throw Bad("timeInfo is not a time, BIT STRING or OCTET STRING"),
        };
        if (content is null)
        {
            return Time(value, "timeInfo", utcTimeAllowed: true);
        }

        if (content.Length > 0 && (content[0] == 0x17 || content[0] == 0x18) && DerShape.IsSingleValue(content, 1))
        {
            return Time(Asn1Object.FromByteArray(content), "timeInfo", utcTimeAllowed: true);
        }

        var text = Encoding.ASCII.GetString(content);
        return text.Length switch
        {
            13 => Time(new DerUtcTime(text), "timeInfo", utcTimeAllowed: true),
            15 => Time(new DerGeneralizedTime(text), "timeInfo", utcTimeAllowed: true),
            _ => throw Bad("timeInfo does not hold a UTCTime or GeneralizedTime"),
        };
    }
}

/// <summary>A bounded walk over DER tag-length-value headers, before any recursive parser sees the bytes.</summary>
internal static class DerShape
{
    /// <summary>
    /// True when <paramref name="der"/> is exactly one value with low tag numbers, definite lengths that fit,
    /// and constructed values nested at most <paramref name="depthMax"/> deep.
    /// </summary>
    public static bool IsSingleValue(ReadOnlySpan<byte> der, int depthMax) =>
        TryWalk(der, depthMax, out var used) && used == der.Length;

    private static bool TryWalk(ReadOnlySpan<byte> der, int depthLeft, out int used)
    {
        used = 0;
        if (depthLeft < 0 || der.Length < 2 || (der[0] & 0x1F) == 0x1F)
        {
            return false;
        }

        var position = 1;
        var length = (int)der[position++];
        if (length >= 0x80)
        {
            var lengthBytes = length & 0x7F;
            if (lengthBytes is 0 or > 3 || der.Length < position + lengthBytes)
            {
                return false; // indefinite length, or longer than anything we accept
            }

            length = 0;
            for (var i = 0; i < lengthBytes; i++)
            {
                length = (length << 8) | der[position++];
            }
        }

        if (length > der.Length - position)
        {
            return false;
        }

        if ((der[0] & 0x20) != 0)
        {
            var content = der.Slice(position, length);
            while (!content.IsEmpty)
            {
                if (!TryWalk(content, depthLeft - 1, out var childUsed))
                {
                    return false;
                }

                content = content[childUsed..];
            }
        }

        used = position + length;
        return true;
    }
}
