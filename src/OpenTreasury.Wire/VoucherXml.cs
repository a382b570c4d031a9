using System.Text;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire;

/// <summary>
/// The inner voucher (凭证报文) as GBK XML: <c>&lt;Voucher&gt;</c>, the header fields as child elements in
/// order, then <c>&lt;DetailList&gt;&lt;Detail&gt;…&lt;/Detail&gt;&lt;/DetailList&gt;</c>. Signatures are made
/// over exactly these bytes, so writing is deterministic and reading then writing gives the same bytes back.
/// </summary>
public static class VoucherXml
{
    /// <summary>Characters in a field name; the catalogue's longest is far shorter.</summary>
    internal const int FieldNameLengthMax = 64;

    private const string DetailList = "DetailList";
    private const string Detail = "Detail";
    private const string Root = "Voucher";

    /// <summary>
    /// Writes the voucher as compact GBK XML. It does not judge content (that is <see cref="VoucherRules"/>),
    /// only whether it can be carried: a field name that is not a plain ASCII name, a character XML cannot hold
    /// or GBK cannot encode throws <see cref="ArgumentException"/> naming the field.
    /// </summary>
    public static byte[] Write(Voucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var text = new StringBuilder(Gbk.Declaration, 256 + (64 * (voucher.Header.Count + (8 * voucher.Details.Count))));
        _ = text.Append('<').Append(Root).Append('>');
        AppendFields(text, voucher.Header, null, nameof(voucher));
        _ = text.Append('<').Append(DetailList).Append('>');
        for (var i = 0; i < voucher.Details.Count; i++)
        {
            _ = text.Append('<').Append(Detail).Append('>');
            AppendFields(text, voucher.Details[i].Fields, i + 1, nameof(voucher));
            _ = text.Append("</").Append(Detail).Append('>');
        }

        _ = text.Append("</").Append(DetailList).Append("></").Append(Root).Append('>');
        return Gbk.Strict.GetBytes(text.ToString());
    }

    /// <summary>
    /// Reads a voucher strictly (GBK, no DTD, the shape above, every limit enforced while reading), then
    /// checks it against <see cref="VoucherRules"/>; each rule problem becomes a <see cref="WireErrorCode.Content"/> error.
    /// Never throws.
    /// </summary>
    public static WireResult<Voucher> Read(ReadOnlySpan<byte> gbkBytes)
    {
        var parsed = Parse(gbkBytes);
        if (!parsed.IsSuccess)
        {
            return parsed;
        }

        var problems = Check(parsed.Value);
        return problems.Count == 0 ? parsed : WireResult.Failure<Voucher>(problems);
    }

    /// <summary>
    /// Reads only the header fields, stopping at the <c>DetailList</c>: for lists that show a stored voucher's payee or
    /// class, where a 10,000-line payroll would otherwise be read in full for one field. The header is read as strictly
    /// as by <see cref="Read"/>, but nothing after it is looked at and the content rules are not applied. Never throws.
    /// </summary>
    public static WireResult<IReadOnlyList<VoucherField>> ReadHeader(ReadOnlySpan<byte> gbkBytes) => StrictXml.Run(gbkBytes, ReadHeaderFields);

    /// <summary>Reads the structure only, without the content rules.</summary>
    internal static WireResult<Voucher> Parse(ReadOnlySpan<byte> gbkBytes) => StrictXml.Run(gbkBytes, ReadVoucher);

    /// <summary>The content rules as wire errors.</summary>
    internal static List<WireError> Check(Voucher voucher)
    {
        var label = Label(voucher.Header);
        var problems = VoucherRules.Check(voucher);
        return [.. problems.Select(p => new WireError(WireErrorCode.Content, label, p.Field, p.DetailLine, p.Message, p.Code))];
    }

    /// <summary>"VtCode/AdmDivCode/StYear/VoucherNo" from whatever of them the header has, '?' for a missing one.</summary>
    internal static string? Label(IReadOnlyList<VoucherField> header)
    {
        string? vt = null, adm = null, year = null, no = null;
        foreach (var field in header)
        {
            switch (field.Name)
            {
                case "VtCode": vt ??= field.Value; break;
                case "AdmDivCode": adm ??= field.Value; break;
                case "StYear": year ??= field.Value; break;
                case "VoucherNo": no ??= field.Value; break;
                default: break;
            }
        }

        return vt is null && adm is null && year is null && no is null
            ? null
            : $"{Part(vt)}/{Part(adm)}/{Part(year)}/{Part(no)}";

        static string Part(string? value) => value is null ? "?" : Gbk.Shorten(value);
    }

    internal static bool IsFieldName(string name)
    {
        if (name.Length is 0 or > FieldNameLengthMax || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendFields(StringBuilder text, IReadOnlyList<VoucherField> fields, int? line, string paramName)
    {
        foreach (var field in fields)
        {
            if (field?.Name is null || field.Value is null)
            {
                throw new ArgumentException($"{(line is { } n ? $"Detail {n}" : "The header")} has a null field, name or value.", paramName);
            }

            var what = line is { } l ? $"Detail {l} field {field.Name}" : $"Field {field.Name}";
            if (!IsFieldName(field.Name) || (line is null && field.Name == DetailList))
            {
                throw new ArgumentException(
                    $"{what} is not a field name the wire can carry (ASCII letter, then letters, digits or '_', at most {FieldNameLengthMax}).",
                    paramName);
            }

            _ = text.Append('<').Append(field.Name).Append('>');
            XmlText.AppendEscaped(text, field.Value, attribute: false, what, paramName);
            _ = text.Append("</").Append(field.Name).Append('>');
        }
    }

    private static WireResult<Voucher> ReadVoucher(StrictXml xml)
    {
        xml.ReadRoot(Root);
        var header = new List<VoucherField>();
        var details = new List<VoucherDetail>();
        var sawDetailList = false;
        if (!xml.IsEmptyElement)
        {
            while (xml.NextChild(Root))
            {
                if (xml.Name == DetailList)
                {
                    if (sawDetailList)
                    {
                        throw xml.Abort(WireErrorCode.UnexpectedElement, DetailList, "a voucher has one DetailList");
                    }

                    sawDetailList = true;
                    xml.RejectAttributes(DetailList);
                    ReadDetails(xml, details);
                    continue;
                }

                if (sawDetailList)
                {
                    throw xml.Abort(WireErrorCode.UnexpectedElement, xml.Name, "header fields must come before the DetailList");
                }

                header.Add(ReadField(xml, header.Count, null));
                if (header[^1].Name is "VtCode" or "AdmDivCode" or "StYear" or "VoucherNo")
                {
                    xml.Voucher = Label(header);
                }
            }
        }

        xml.ReadEnd();
        return WireResult.Success(new Voucher(header, details));
    }

    private static WireResult<IReadOnlyList<VoucherField>> ReadHeaderFields(StrictXml xml)
    {
        xml.ReadRoot(Root);
        var header = new List<VoucherField>();
        if (!xml.IsEmptyElement)
        {
            while (xml.NextChild(Root) && xml.Name != DetailList)
            {
                header.Add(ReadField(xml, header.Count, null));
            }
        }

        return WireResult.Success<IReadOnlyList<VoucherField>>(header);
    }

    private static void ReadDetails(StrictXml xml, List<VoucherDetail> details)
    {
        if (xml.IsEmptyElement)
        {
            return;
        }

        while (xml.NextChild(DetailList))
        {
            var line = details.Count + 1;
            xml.RequireName(Detail, DetailList);
            if (details.Count == Limits.VoucherDetailsMax)
            {
                throw xml.Abort(WireErrorCode.TooMany, DetailList, $"more than {Limits.VoucherDetailsMax} details");
            }

            xml.RejectAttributes(Detail, line);
            var fields = new List<VoucherField>();
            if (!xml.IsEmptyElement)
            {
                while (xml.NextChild(Detail))
                {
                    fields.Add(ReadField(xml, fields.Count, line));
                }
            }

            details.Add(new VoucherDetail(fields));
        }
    }

    private static VoucherField ReadField(StrictXml xml, int countSoFar, int? line)
    {
        var name = xml.Name;
        if (!IsFieldName(name))
        {
            throw xml.Abort(WireErrorCode.UnexpectedElement, StrictXml.Shorten(name),
                $"'{StrictXml.Shorten(name)}' is not a field name (ASCII letter, then letters, digits or '_', at most {FieldNameLengthMax})", line);
        }

        if (countSoFar == Limits.VoucherFieldsMax)
        {
            throw xml.Abort(WireErrorCode.TooMany, name, $"more than {Limits.VoucherFieldsMax} fields", line);
        }

        xml.RejectAttributes(name, line);
        return new VoucherField(name, xml.ReadLeaf(name, line, Limits.FieldValueLengthMax));
    }
}
