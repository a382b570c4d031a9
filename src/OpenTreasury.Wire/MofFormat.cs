using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire;

/// <summary>
/// The MOF envelope between voucher libraries (domain guide §3):
/// <code>
/// &lt;?xml version="1.0" encoding="GBK"?&gt;
/// &lt;MOF&gt;&lt;VoucherCount&gt;1&lt;/VoucherCount&gt;&lt;VoucherBody AdmDivCode=".." StYear=".." VtCode=".." VoucherNo=".." Version="1"&gt;
/// &lt;VoucherFlag&gt;0&lt;/VoucherFlag&gt;&lt;Attach&gt;..&lt;/Attach&gt;&lt;Voucher&gt;base64&lt;/Voucher&gt;
/// &lt;Stamps&gt;&lt;Stamp Position="cz_qm"&gt;base64 DER&lt;/Stamp&gt;&lt;/Stamps&gt;&lt;/VoucherBody&gt;&lt;/MOF&gt;
/// </code>
/// [ours] <c>Version</c> and <c>Stamps</c> extend the standard envelope: a missing Version reads as 1, a missing
/// Stamps as none; Stamps is written only when there are stamps, so a stampless envelope is standard.
/// </summary>
public static partial class MofFormat
{
    private const string Root = "MOF";
    private const string Body = "VoucherBody";
    private const int CountLengthMax = 9;

    // The order of a body's children; Attach and Stamps may be absent.
    private static readonly string[] s_bodyChildren = ["VoucherFlag", "Attach", "Voucher", "Stamps"];

    /// <summary>
    /// Writes the envelope as compact GBK XML, deterministically. Throws <see cref="ArgumentException"/> for an
    /// envelope <see cref="Read"/> would reject (no or too many bodies, an invalid key, note or stamp), so what we
    /// send is always what we would accept.
    /// </summary>
    public static byte[] Write(MofEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(envelope.Bodies, nameof(envelope));
        if (envelope.Bodies.Count is 0 or > Limits.EnvelopeVouchersMax)
        {
            throw new ArgumentException($"An envelope carries 1 to {Limits.EnvelopeVouchersMax} vouchers, not {envelope.Bodies.Count}.", nameof(envelope));
        }

        var text = new StringBuilder(Gbk.Declaration);
        _ = text.Append("<MOF><VoucherCount>").Append(envelope.Bodies.Count.ToString(CultureInfo.InvariantCulture)).Append("</VoucherCount>");
        for (var i = 0; i < envelope.Bodies.Count; i++)
        {
            AppendBody(text, envelope.Bodies[i], i + 1);
        }

        _ = text.Append("</MOF>");
        var bytes = Gbk.Strict.GetBytes(text.ToString());
        return bytes.Length <= Limits.MessageBytesMax
            ? bytes
            : throw new ArgumentException($"The envelope is {bytes.Length} bytes, above the limit of {Limits.MessageBytesMax}.", nameof(envelope));
    }

    /// <summary>Reads an envelope strictly; the inner vouchers stay bytes until <see cref="OpenBody"/>. Never throws.</summary>
    public static WireResult<MofEnvelope> Read(ReadOnlySpan<byte> gbkBytes) => StrictXml.Run(gbkBytes, ReadEnvelope);

    /// <summary>
    /// Reads the body's inner voucher (<see cref="VoucherXml.Read"/>) and checks that its key equals the body's
    /// attributes, so a forwarded voucher cannot travel under another voucher's name. Never throws.
    /// </summary>
    public static WireResult<Voucher> OpenBody(VoucherBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(body.InnerVoucher, nameof(body));
        var parsed = VoucherXml.Parse(body.InnerVoucher);
        if (!parsed.IsSuccess)
        {
            return parsed;
        }

        var voucher = parsed.Value;
        var label = body.Key.ToString();
        var errors = new List<WireError>();
        Compare("AdmDivCode", body.Key.AdmDivCode.Value);
        Compare("StYear", body.Key.StYear.ToString());
        Compare("VtCode", body.Key.VtCode.Value);
        Compare("VoucherNo", body.Key.VoucherNo.Value);
        errors.AddRange(VoucherXml.Check(voucher));
        return errors.Count == 0 ? parsed : WireResult.Failure<Voucher>(errors);

        void Compare(string field, string? expected)
        {
            var actual = voucher[field];
            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                var shown = actual is null ? "has none" : $"says '{Gbk.Shorten(actual)}'";
                errors.Add(new WireError(WireErrorCode.BodyMismatch, label, field, null,
                    $"the VoucherBody says '{expected}' but the inner voucher {shown}"));
            }
        }
    }

    /// <summary>Is this a stamp position name of the form <c>cz_qm</c>, <c>yh_hd_qm</c>, <c>rh_ywzyz</c>?</summary>
    public static bool IsStampPosition(string? position) => position is not null && StampPositionPattern().IsMatch(position);

    private static void AppendBody(StringBuilder text, VoucherBody body, int index)
    {
        var what = $"Body {index}";
        ArgumentNullException.ThrowIfNull(body, nameof(MofEnvelope.Bodies));
        var key = body.Key;
        if (!AdmDivCode.TryParse(key.AdmDivCode.Value, out _) || !StYear.TryParse(key.StYear.ToString(), out _)
            || !VtCode.TryParse(key.VtCode.Value, out _) || !VoucherNo.TryParse(key.VoucherNo.Value, out _))
        {
            throw new ArgumentException($"{what} has an invalid key '{key}'.", nameof(body));
        }

        if (body.Version < 1)
        {
            throw new ArgumentException($"{what} has version {body.Version}; versions start at 1.", nameof(body));
        }

        if (!Enum.IsDefined(body.Flag))
        {
            throw new ArgumentException($"{what} has the flag {(int)body.Flag}; only 0 (voucher) and 1 (回单) exist.", nameof(body));
        }

        ArgumentNullException.ThrowIfNull(body.Attach, nameof(body));
        if (body.Attach.Length > Limits.ReasonLengthMax)
        {
            throw new ArgumentException($"{what} has an Attach of {body.Attach.Length} characters, above {Limits.ReasonLengthMax}.", nameof(body));
        }

        if (body.InnerVoucher is null or { Length: 0 })
        {
            throw new ArgumentException($"{what} has no inner voucher.", nameof(body));
        }

        ArgumentNullException.ThrowIfNull(body.Stamps, nameof(body));
        if (body.Stamps.Count > Limits.VoucherStampsMax)
        {
            throw new ArgumentException($"{what} has {body.Stamps.Count} stamps, above {Limits.VoucherStampsMax}.", nameof(body));
        }

        _ = text.Append("<VoucherBody AdmDivCode=\"").Append(key.AdmDivCode.Value)
            .Append("\" StYear=\"").Append(key.StYear.ToString())
            .Append("\" VtCode=\"").Append(key.VtCode.Value)
            .Append("\" VoucherNo=\"").Append(key.VoucherNo.Value)
            .Append("\" Version=\"").Append(body.Version.ToString(CultureInfo.InvariantCulture))
            .Append("\"><VoucherFlag>").Append(((int)body.Flag).ToString(CultureInfo.InvariantCulture))
            .Append("</VoucherFlag><Attach>");
        XmlText.AppendEscaped(text, body.Attach, attribute: false, $"{what} Attach", nameof(body));
        _ = text.Append("</Attach><Voucher>").Append(Convert.ToBase64String(body.InnerVoucher)).Append("</Voucher>");
        if (body.Stamps.Count > 0)
        {
            var positions = new HashSet<string>(StringComparer.Ordinal);
            _ = text.Append("<Stamps>");
            foreach (var stamp in body.Stamps)
            {
                if (stamp is null || !IsStampPosition(stamp.Position) || !positions.Add(stamp.Position))
                {
                    throw new ArgumentException($"{what} has a missing, invalid or repeated stamp position '{stamp?.Position}'.", nameof(body));
                }

                if (stamp.Der is null or { Length: 0 } || stamp.Der.Length > Limits.StampBytesMax)
                {
                    throw new ArgumentException($"{what} stamp {stamp.Position} must have 1 to {Limits.StampBytesMax} bytes.", nameof(body));
                }

                _ = text.Append("<Stamp Position=\"").Append(stamp.Position).Append("\">")
                    .Append(Convert.ToBase64String(stamp.Der)).Append("</Stamp>");
            }

            _ = text.Append("</Stamps>");
        }

        _ = text.Append("</VoucherBody>");
    }

    private static WireResult<MofEnvelope> ReadEnvelope(StrictXml xml)
    {
        xml.ReadRoot(Root);
        if (xml.IsEmptyElement || !xml.NextChild(Root))
        {
            throw xml.Abort(WireErrorCode.Malformed, "VoucherCount", "the envelope has no VoucherCount");
        }

        xml.RequireName("VoucherCount", Root);
        xml.RejectAttributes("VoucherCount");
        var countText = xml.ReadLeaf("VoucherCount", null, CountLengthMax, WireErrorCode.Malformed);
        if (!TryParseCanonical(countText, out var count))
        {
            throw xml.Abort(WireErrorCode.Malformed, "VoucherCount", $"'{countText}' is not a count");
        }

        if (count > Limits.EnvelopeVouchersMax)
        {
            throw xml.Abort(WireErrorCode.TooMany, "VoucherCount", $"{count} vouchers exceed the limit of {Limits.EnvelopeVouchersMax}");
        }

        var errors = new List<WireError>();
        var bodies = new List<VoucherBody>();
        while (xml.NextChild(Root))
        {
            xml.RequireName(Body, Root);
            if (bodies.Count == Limits.EnvelopeVouchersMax)
            {
                throw xml.Abort(WireErrorCode.TooMany, Body, $"more than {Limits.EnvelopeVouchersMax} vouchers in one envelope");
            }

            bodies.Add(ReadBody(xml, bodies.Count + 1, errors));
            xml.Voucher = null;
        }

        xml.ReadEnd();
        if (count != bodies.Count)
        {
            errors.Add(new WireError(WireErrorCode.CountMismatch, null, "VoucherCount", null,
                $"VoucherCount says {count} but the envelope has {bodies.Count} VoucherBody elements"));
        }
        else if (bodies.Count == 0)
        {
            errors.Add(new WireError(WireErrorCode.Malformed, null, Body, null, "the envelope carries no voucher"));
        }

        // One voucher once: a repeat in the same envelope would be verified, counted and shown again.
        foreach (var repeat in bodies.GroupBy(b => (b.Key, b.Version, b.Flag)).Where(g => g.Count() > 1))
        {
            errors.Add(new WireError(WireErrorCode.DuplicateBody, null, Body, null,
                $"{repeat.Key.Key}/v{repeat.Key.Version}{(repeat.Key.Flag == VoucherFlag.Reply ? " 回单" : string.Empty)} is in the envelope {repeat.Count()} times"));
        }

        return errors.Count == 0 ? WireResult.Success(new MofEnvelope(bodies)) : WireResult.Failure<MofEnvelope>(errors);
    }

    private static VoucherBody ReadBody(StrictXml xml, int index, List<WireError> errors)
    {
        xml.Voucher = $"body {index}";
        var key = ReadKey(xml, out var version, errors);

        var flag = VoucherFlag.Voucher;
        var attach = string.Empty;
        byte[]? inner = null;
        var stamps = new List<WireStamp>();
        var last = -1;
        var seen = new List<int>(s_bodyChildren.Length);
        if (!xml.IsEmptyElement)
        {
            while (xml.NextChild(Body))
            {
                var name = xml.Name;
                var at = Array.IndexOf(s_bodyChildren, name);
                if (at <= last)
                {
                    throw xml.Abort(WireErrorCode.UnexpectedElement, name, at < 0
                        ? $"<{StrictXml.Shorten(name)}> is not part of a VoucherBody"
                        : $"<{name}> is repeated or out of order (VoucherFlag, Attach, Voucher, Stamps)");
                }

                last = at;
                seen.Add(at);
                if (name == "Stamps")
                {
                    xml.RejectAttributes(name);
                    ReadStamps(xml, stamps, errors);
                    continue;
                }

                xml.RejectAttributes(name);
                switch (name)
                {
                    case "VoucherFlag":
                        var flagText = xml.ReadLeaf(name, null, 1, WireErrorCode.Malformed);
                        if (flagText is "0" or "1")
                        {
                            flag = (VoucherFlag)(flagText[0] - '0');
                        }
                        else
                        {
                            errors.Add(Error(xml, WireErrorCode.Malformed, name, $"'{flagText}' is not 0 (voucher) or 1 (回单)"));
                        }

                        break;
                    case "Attach":
                        attach = xml.ReadLeaf(name, null, Limits.ReasonLengthMax);
                        break;
                    default:
                        inner = ReadBase64(xml, name, Limits.MessageBytesMax, errors);
                        break;
                }
            }
        }

        // Attach and Stamps may be absent; VoucherFlag and Voucher may not.
        foreach (var required in (ReadOnlySpan<int>)[0, 2])
        {
            if (!seen.Contains(required))
            {
                var missing = s_bodyChildren[required];
                errors.Add(Error(xml, WireErrorCode.Malformed, missing, $"the VoucherBody has no {missing}"));
            }
        }

        return new VoucherBody(key ?? default, version, flag, attach, inner ?? [], stamps);
    }

    /// <summary>Reads the body's attributes; once the key is known, errors name the voucher by it instead of "body N".</summary>
    private static VoucherKey? ReadKey(StrictXml xml, out int version, List<WireError> errors)
    {
        version = 1;
        string? adm = null, year = null, vt = null, no = null, versionText = null;
        var unknown = new List<string>();
        foreach (var (name, ns, value) in xml.Attributes())
        {
            switch (ns.Length == 0 ? name : string.Empty)
            {
                case "AdmDivCode": adm = value; break;
                case "StYear": year = value; break;
                case "VtCode": vt = value; break;
                case "VoucherNo": no = value; break;
                case "Version": versionText = value; break;
                default: unknown.Add(name); break;
            }
        }

        var valid = Check("AdmDivCode", adm, AdmDivCode.TryParse(adm, out var admDivCode), "six digits");
        valid &= Check("StYear", year, StYear.TryParse(year, out var stYear), "a year from 2000 to 2099");
        valid &= Check("VtCode", vt, VtCode.TryParse(vt, out var vtCode), "four digits");
        valid &= Check("VoucherNo", no, VoucherNo.TryParse(no, out var voucherNo), "1–42 letters, digits, '-', '_' or '.'");
        VoucherKey? key = valid ? new VoucherKey(admDivCode, stYear, vtCode, voucherNo) : null;
        if (key is { } k)
        {
            xml.Voucher = k.ToString();
        }

        if (versionText is not null && !(TryParseCanonical(versionText, out version) && version >= 1))
        {
            version = 1;
            errors.Add(Error(xml, WireErrorCode.InvalidAttribute, "Version", $"'{StrictXml.Shorten(versionText)}' is not a version (1, 2, …)"));
        }

        foreach (var name in unknown)
        {
            errors.Add(Error(xml, WireErrorCode.InvalidAttribute, StrictXml.Shorten(name), "a VoucherBody has no such attribute"));
        }

        return key;

        bool Check(string attribute, string? value, bool ok, string expected)
        {
            if (!ok)
            {
                errors.Add(Error(xml, WireErrorCode.InvalidAttribute, attribute, value is null
                    ? "the attribute is missing"
                    : $"'{StrictXml.Shorten(value)}' is not valid: expected {expected}"));
            }

            return ok;
        }
    }

    private static void ReadStamps(StrictXml xml, List<WireStamp> stamps, List<WireError> errors)
    {
        if (xml.IsEmptyElement)
        {
            return;
        }

        var positions = new HashSet<string>(StringComparer.Ordinal);
        while (xml.NextChild("Stamps"))
        {
            xml.RequireName("Stamp", "Stamps");
            if (stamps.Count == Limits.VoucherStampsMax)
            {
                throw xml.Abort(WireErrorCode.TooMany, "Stamps", $"more than {Limits.VoucherStampsMax} stamps on one voucher");
            }

            string? position = null;
            foreach (var (name, ns, value) in xml.Attributes())
            {
                if (ns.Length == 0 && name == "Position")
                {
                    position = value;
                }
                else
                {
                    errors.Add(Error(xml, WireErrorCode.InvalidAttribute, StrictXml.Shorten(name), "a Stamp has only a Position attribute"));
                }
            }

            var field = position is null ? "Stamp" : $"Stamp {StrictXml.Shorten(position)}";
            var der = ReadBase64(xml, field, Base64Length(Limits.StampBytesMax), errors);
            if (position is null)
            {
                errors.Add(Error(xml, WireErrorCode.InvalidStampPosition, "Stamp", "the Stamp has no Position"));
            }
            else if (!IsStampPosition(position))
            {
                errors.Add(Error(xml, WireErrorCode.InvalidStampPosition, field, $"'{StrictXml.Shorten(position)}' is not a stamp position (e.g. cz_qm, yh_hd_qm)"));
            }
            else if (!positions.Add(position))
            {
                errors.Add(Error(xml, WireErrorCode.DuplicateStamp, field, "the voucher has two stamps at this position"));
            }
            else if (der is not null)
            {
                stamps.Add(new WireStamp(position, der));
            }
        }
    }

    /// <summary>The leaf's text as strict base64 (<see cref="StrictBase64"/>), decoded as it is read; null with an error when it is not.</summary>
    private static byte[]? ReadBase64(StrictXml xml, string field, int lengthMax, List<WireError> errors)
    {
        var base64 = new StrictBase64();
        xml.ReadLeafInto(base64, field, lengthMax);
        var (bytes, outcome) = base64.Finish();
        switch (outcome)
        {
            case StrictBase64.Outcome.Empty:
                errors.Add(Error(xml, WireErrorCode.InvalidBase64, field, "the content is empty"));
                break;
            case StrictBase64.Outcome.NotStrict:
                errors.Add(Error(xml, WireErrorCode.InvalidBase64, field, "the content is not strict base64 (alphabet A–Z a–z 0–9 + /, '=' padding, no whitespace)"));
                break;
            default:
                break;
        }

        return bytes;
    }

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    /// <summary>Non-negative decimal without sign, spaces or leading zeros, so it writes back the same.</summary>
    private static bool TryParseCanonical(string text, out int value)
    {
        value = 0;
        return text.Length is > 0 and <= CountLengthMax
            && text.All(char.IsAsciiDigit)
            && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static WireError Error(StrictXml xml, WireErrorCode code, string field, string message) =>
        new(code, xml.Voucher, field, null, message);

    [GeneratedRegex("^[a-z]{2,8}(_[a-z]{1,12}){1,3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex StampPositionPattern();
}
