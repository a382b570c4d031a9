using System.Globalization;

using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Seals;

/// <summary>
/// What an inspection may use. <paramref name="At"/> is the moment certificates are checked for a bare seal
/// (and, besides the signing time, for a signed seal) — usually now, passed in by the caller.
/// Without <paramref name="Certificates"/> no chain is checked; without <paramref name="Data"/> the data
/// hash is not checked.
/// </summary>
public sealed record SealInspectionContext(DateTimeOffset At, ICertificateValidator? Certificates = null, byte[]? Data = null, ITimestampVerifier? Timestamps = null);

/// <summary>One conclusion of an inspection: what was checked and what was found, in words.</summary>
public sealed record SealVerdict(string What, string Verdict);

/// <summary>
/// Everything read from a seal or signed seal, in order, and the verdict on each thing that could (or could
/// not) be checked, and the seal picture to show. <see cref="Error"/> is set when the bytes are neither.
/// </summary>
public sealed record SealInspection(string Kind, SealFormat? Format, IReadOnlyList<KeyValuePair<string, string>> Fields, IReadOnlyList<SealVerdict> Verdicts, SealPicture? Picture, string? Error);

/// <summary>
/// Reads any V1 or V4 SESeal or SES_Signature and says what it holds and what verifies, for a person
/// looking at a seal file. Unlike <see cref="SealVerifier"/> it does not stop at the first problem.
/// </summary>
public static class SealInspector
{
    public const string SignedSealKind = "SES_Signature";
    public const string SealKind = "SESeal";

    public static SealInspection Inspect(byte[] der, SealInspectionContext context)
    {
        ArgumentNullException.ThrowIfNull(der);
        ArgumentNullException.ThrowIfNull(context);
        var fields = new List<KeyValuePair<string, string>>();
        var verdicts = new List<SealVerdict>();
        if (SealSignature.TryParse(der, out var signature, out var signatureError))
        {
            InspectSignature(signature, context, fields, verdicts);
            return new SealInspection(SignedSealKind, signature.Format, fields, verdicts, signature.Seal.Info.Picture, null);
        }

        if (ElectronicSeal.TryParse(der, out var seal, out var sealError))
        {
            InspectSeal(seal, null, context, fields, verdicts);
            return new SealInspection(SealKind, seal.Format, fields, verdicts, seal.Info.Picture, null);
        }

        return new SealInspection("unknown", null, fields, verdicts, null, $"neither a signed seal ({signatureError}) nor a seal ({sealError})");
    }

    private static void InspectSignature(SealSignature signature, SealInspectionContext context, List<KeyValuePair<string, string>> fields, List<SealVerdict> verdicts)
    {
        var signer = SealVerifier.ReadCertificate(signature.SignerCertificate, out var signerKey);
        Add(fields, "signed seal format", FormatName(signature.Format));
        Add(fields, "TBS_Sign version", Number(signature.Version));
        Add(fields, "signing time (timeInfo)", Time(signature.TimeInfo));
        Add(fields, "data hash", Convert.ToHexString(signature.DataHash));
        Add(fields, "propertyInfo", signature.PropertyInfo);
        AddExtensions(fields, "TBS_Sign", signature.Extensions);
        Add(fields, "signature algorithm", Algorithm(signature.SignatureAlgorithmOid));
        Add(fields, "signature value", $"{signature.Signature.Length} bytes");
        AddCertificate(fields, "signer certificate", signer, signature.SignerCertificate);
        Add(fields, "timestamp", signature.TimeStamp is null ? "absent" : $"present, {signature.TimeStamp.Length} bytes");

        verdicts.Add(new SealVerdict("data hash", context.Data is null
            ? "not checked: no original data given"
            : Sm3.Hash(context.Data).AsSpan().SequenceEqual(signature.DataHash)
                ? "matches SM3 of the data given"
                : "DOES NOT MATCH SM3 of the data given: the data was altered or is not the original"));
        verdicts.Add(new SealVerdict("signer signature over TBS_Sign", SignatureVerdict(signature.SignatureAlgorithmOid, signerKey, signer, signature.ToSignDer, signature.Signature, "signer")));
        verdicts.Add(new SealVerdict("signer listed in the seal", SealVerifier.IsListed(signature.Seal.Info.Property, signature.SignerCertificate)
            ? "yes"
            : "NO: the signer certificate is not among the seal's signers"));
        if (signer is not null)
        {
            CertificateVerdicts(verdicts, "signer certificate", signer, signature.TimeInfo, "the signing time", context, CertificateUse.Person);
        }

        var property = signature.Seal.Info.Property;
        verdicts.Add(new SealVerdict("seal validity at the signing time", signature.TimeInfo >= property.ValidStart && signature.TimeInfo <= property.ValidEnd
            ? "the signing time lies within the seal's validity"
            : $"OUTSIDE: signed at {Time(signature.TimeInfo)}, the seal is valid {Time(property.ValidStart)} to {Time(property.ValidEnd)}"));
        verdicts.Add(new SealVerdict("timestamp", TimestampVerdict(signature, context)));
        InspectSeal(signature.Seal, signature.TimeInfo, context, fields, verdicts);
    }

    private static void InspectSeal(ElectronicSeal seal, DateTimeOffset? signingTime, SealInspectionContext context, List<KeyValuePair<string, string>> fields, List<SealVerdict> verdicts)
    {
        var info = seal.Info;
        var property = info.Property;
        Add(fields, "seal format", FormatName(seal.Format));
        Add(fields, "header id", info.Header.Id);
        Add(fields, "header version", Number(info.Header.Version));
        Add(fields, "vendor id", info.Header.VendorId);
        Add(fields, "esID", info.EsId);
        Add(fields, "seal name", property.Name);
        Add(fields, "seal type", Number(property.Type));
        Add(fields, "certListType", property.CertListType == SealProperty.CertListCertificates ? "1 (certificates)" : "2 (certificate digests)");
        for (var i = 0; i < property.Certificates.Count; i++)
        {
            AddCertificate(fields, $"signer {i + 1} in the seal", SealVerifier.ReadCertificate(property.Certificates[i], out _), property.Certificates[i]);
        }

        for (var i = 0; i < property.CertDigests.Count; i++)
        {
            Add(fields, $"signer {i + 1} digest", $"{property.CertDigests[i].Algorithm} {Convert.ToHexString(property.CertDigests[i].Digest)}");
        }

        Add(fields, "created", Time(property.CreateDate));
        Add(fields, "valid from", Time(property.ValidStart));
        Add(fields, "valid to", Time(property.ValidEnd));
        Add(fields, "picture type", info.Picture.Type);
        Add(fields, "picture size", $"{info.Picture.WidthMm} × {info.Picture.HeightMm} mm");
        Add(fields, "picture bytes", Number(info.Picture.Data.Length));
        AddExtensions(fields, "seal info", info.Extensions);
        Add(fields, "maker signature algorithm", Algorithm(seal.SignatureAlgorithmOid));
        var maker = SealVerifier.ReadCertificate(seal.MakerCertificate, out var makerKey);
        AddCertificate(fields, "maker certificate", maker, seal.MakerCertificate);

        verdicts.Add(new SealVerdict("maker signature over the seal info", SignatureVerdict(seal.SignatureAlgorithmOid, makerKey, maker, seal.MakerSignedDer, seal.SignatureValue, "maker")));
        if (maker is not null)
        {
            CertificateVerdicts(verdicts, "maker certificate", maker, signingTime, "the signing time", context, CertificateUse.Institution);
        }

        for (var i = 0; i < property.Certificates.Count; i++)
        {
            var listed = SealVerifier.ReadCertificate(property.Certificates[i], out _);
            if (listed is not null)
            {
                verdicts.Add(new SealVerdict($"signer {i + 1} in the seal, validity at {Time(context.At)}", ValidityAt(listed, context.At)));
            }
        }
    }

    private static void CertificateVerdicts(List<SealVerdict> verdicts, string what, X509Certificate certificate, DateTimeOffset? signingTime, string signingLabel, SealInspectionContext context, CertificateUse use)
    {
        if (signingTime is { } time)
        {
            verdicts.Add(new SealVerdict($"{what}, validity at {signingLabel} ({Time(time)})", ValidityAt(certificate, time)));
        }

        verdicts.Add(new SealVerdict($"{what}, validity at {Time(context.At)}", ValidityAt(certificate, context.At)));
        var at = signingTime ?? context.At;
        if (context.Certificates is null)
        {
            verdicts.Add(new SealVerdict($"{what}, chain and revocation", "not checked: no trust anchor given"));
            return;
        }

        var validation = context.Certificates.Validate(certificate, at, use);
        if (!validation.IsValid && use == CertificateUse.Person)
        {
            var asInstitution = context.Certificates.Validate(certificate, at, CertificateUse.Institution);
            validation = asInstitution.IsValid ? asInstitution : validation;
        }

        verdicts.Add(new SealVerdict($"{what}, chain and revocation at {Time(at)}", validation.IsValid ? "valid" : $"NOT VALID: {validation.Failure} ({validation.Message})"));
    }

    private static string ValidityAt(X509Certificate certificate, DateTimeOffset at)
    {
        var notBefore = new DateTimeOffset(DateTime.SpecifyKind(certificate.NotBefore, DateTimeKind.Utc));
        var notAfter = new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc));
        return at < notBefore ? $"NOT YET VALID at {Time(at)}: valid from {Time(notBefore)}"
            : at > notAfter ? $"EXPIRED at {Time(at)}: valid until {Time(notAfter)}"
            : $"within its validity ({Time(notBefore)} to {Time(notAfter)})";
    }

    private static string SignatureVerdict(string algorithmOid, Org.BouncyCastle.Crypto.AsymmetricKeyParameter? key, X509Certificate? certificate, byte[] signed, byte[] signature, string who)
    {
        if (!ElectronicSeal.IsSm3WithSm2(algorithmOid))
        {
            return $"not checked: the algorithm {algorithmOid} is not SM3withSM2";
        }

        if (certificate is null)
        {
            return $"not checked: the {who} certificate is not a well-formed X.509 certificate";
        }

        if (key is null)
        {
            return $"not checked: the {who} certificate does not carry an SM2 key";
        }

        return Sm2.Verify(key, signed, signature)
            ? $"mathematically valid (SM3withSM2, user ID {Sm2.DefaultUserId}, with the embedded {who} certificate's key)"
            : $"INVALID: does not verify with the embedded {who} certificate's key";
    }

    private static string TimestampVerdict(SealSignature signature, SealInspectionContext context)
    {
        if (signature.TimeStamp is null)
        {
            return "absent: the signing time is the signer's own claim";
        }

        if (context.Timestamps is null)
        {
            return "present, not checked: no timestamp verifier given";
        }

        var check = context.Timestamps.Verify(signature.TimeStamp, signature.Signature);
        return check.IsValid && check.Time is { } time
            ? $"valid, time {Time(time)} ({(time - signature.TimeInfo).TotalSeconds:0} s from timeInfo)"
            : $"NOT VALID: {check.Failure} ({check.Message})";
    }

    private static void AddCertificate(List<KeyValuePair<string, string>> fields, string label, X509Certificate? certificate, byte[] der)
    {
        if (certificate is null)
        {
            Add(fields, label, $"not a well-formed X.509 certificate ({der.Length} bytes)");
            return;
        }

        Add(fields, $"{label} subject", certificate.SubjectDN.ToString());
        Add(fields, $"{label} issuer", certificate.IssuerDN.ToString());
        Add(fields, $"{label} serial", certificate.SerialNumber.ToString(16).ToUpperInvariant());
        Add(fields, $"{label} validity", $"{Time(new DateTimeOffset(DateTime.SpecifyKind(certificate.NotBefore, DateTimeKind.Utc)))} to {Time(new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc)))}");
    }

    private static void AddExtensions(List<KeyValuePair<string, string>> fields, string owner, IReadOnlyList<SealExtension> extensions)
    {
        foreach (var extension in extensions)
        {
            Add(fields, $"{owner} extension {extension.Oid}", $"{(extension.Critical ? "critical, " : "")}{extension.Value.Length} bytes: {Convert.ToHexString(extension.Value.AsSpan(0, Math.Min(extension.Value.Length, 32)))}");
        }
    }

    private static void Add(List<KeyValuePair<string, string>> fields, string label, string value) => fields.Add(new(label, value));

    private static string FormatName(SealFormat format) => format == SealFormat.V4 ? "V4 (GB/T 38540-2020)" : "V1 (GM/T 0031-2014)";

    private static string Algorithm(string oid) => ElectronicSeal.IsSm3WithSm2(oid) ? $"SM3withSM2 ({oid})" : oid;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
