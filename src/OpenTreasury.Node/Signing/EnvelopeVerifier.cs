using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Seals;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Signing;

/// <summary>The verdict on one stamp of an exported voucher.</summary>
public sealed record StampVerdict(string Voucher, string Position, string PositionName, string SealName, string Signer, string SigningTime, StampFailure Failure, string Reason)
{
    public bool Valid => Failure == StampFailure.None;
}

/// <summary>The verdict on a whole exported file: each stamp, and any problem with the content or the template.</summary>
public sealed record EnvelopeVerdict(IReadOnlyList<StampVerdict> Stamps, IReadOnlyList<string> Problems)
{
    public bool Valid => Problems.Count == 0 && Stamps.Count > 0 && Stamps.All(s => s.Valid);
}

/// <summary>
/// Verifies an exported MOF file offline: every stamp of the template is present, each verifies as a
/// GB/T 38540 signature over the exact inner voucher bytes (seal, maker, chain and revocation at the
/// signing time, timestamp), the seal has the right to its position, and the content obeys the catalogue.
/// </summary>
public static class EnvelopeVerifier
{
    /// <summary>Verifies <paramref name="file"/> against the stamp template versions of <paramref name="templates"/> (the network's master data).</summary>
    public static EnvelopeVerdict Verify(byte[] file, SealVerifier verifier, Func<string, RegisteredSeal?> registry, StampTemplates templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(registry);
        var read = MofFormat.Read(file);
        if (!read.IsSuccess)
        {
            return new EnvelopeVerdict([], [.. read.Errors.Select(e => e.ToString())]);
        }

        var verdicts = new List<StampVerdict>();
        var problems = new List<string>();
        foreach (var body in read.Value.Bodies)
        {
            var subject = $"{body.Key}/v{body.Version}";
            var opened = MofFormat.OpenBody(body);
            var content = opened.IsSuccess ? opened.Value : null;
            if (!opened.IsSuccess)
            {
                problems.AddRange(opened.Errors.Select(e => $"{subject}: {e}"));
            }

            if (!VoucherCatalogue.TryGet(body.Key.VtCode, out var type))
            {
                problems.Add($"{subject}: VtCode {body.Key.VtCode} is not in the catalogue");
                continue;
            }

            var isReply = body.Flag == VoucherFlag.Reply;
            var templateVersion = SignatureServer.TemplateVersionOf(body.Stamps);
            var template = templateVersion is { } v ? templates.Find(body.Key.AdmDivCode, body.Key.VtCode, v) : null;
            if (template is null)
            {
                problems.Add($"{subject}: the stamps name stamp template version {templateVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, which the master data does not configure");
                continue;
            }

            var positions = template.For(isReply).ToList();
            foreach (var missing in positions.Where(p => body.Stamps.All(s => s.Position != p.Name)))
            {
                problems.Add($"{subject}: position {missing.Name} ({missing.ChineseName}) is not stamped");
            }

            var from = Sender(isReply ? type.Receivers[0] : type.Sender, content, body.Stamps);
            var stampers = new Dictionary<StampRole, string?>();
            foreach (var stamp in body.Stamps)
            {
                var position = positions.FirstOrDefault(p => p.Name == stamp.Position);
                if (position is null)
                {
                    verdicts.Add(new StampVerdict(subject, stamp.Position, "?", "?", "?", "?", StampFailure.PositionNotAllowed,
                        $"position {stamp.Position} does not exist on a {(isReply ? "回单 of " : string.Empty)}{type.VtCode}"));
                    continue;
                }

                var check = verifier.Verify(body.InnerVoucher, stamp.Der, SignatureServer.PropertyInfo(body.Key, body.Version, stamp.Position, template.Version),
                    s => StampRights.Check(registry(s.Seal.Info.EsId), position, from, content, s));
                if (check.IsValid && position.IsPersonal)
                {
                    stampers[position.Role] = StampRights.StamperOf(check.Signature!);
                }

                verdicts.Add(new StampVerdict(subject, stamp.Position, position.ChineseName, check.SealName ?? "?", check.SignerSubject ?? "?",
                    check.SigningTime?.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "?",
                    check.Failure, check.IsValid ? "valid" : check.Message));
            }

            if (stampers.TryGetValue(StampRole.Maker, out var maker) && stampers.TryGetValue(StampRole.Checker, out var checker) && maker == checker)
            {
                problems.Add($"{subject}: {maker} stamped both as maker and as checker: no one may move money alone (OnePersonAlone)");
            }
        }

        return new EnvelopeVerdict(verdicts, problems);
    }

    /// <summary>Finance and PBOC are one party each; a bank is the one the voucher names, else the one whose certificate signed.</summary>
    private static PartyId Sender(PartyKind kind, Voucher? content, IReadOnlyList<WireStamp> stamps)
    {
        if (kind != PartyKind.Bank)
        {
            return kind == PartyKind.Finance ? PartyId.Finance : PartyId.Pboc;
        }

        if (content?["PayBankCode"] is { } code && BankCode.TryParse(code, out var bank))
        {
            return PartyId.ForBank(bank);
        }

        foreach (var stamp in stamps)
        {
            if (SealSignature.TryParse(stamp.Der, out var signature, out _)
                && ReadCertificate(signature.SignerCertificate) is { } certificate
                && CertificateIdentities.TryRead(certificate, out var identity)
                && identity.Party.Kind == PartyKind.Bank)
            {
                return identity.Party;
            }
        }

        return PartyId.ForBank(BankCode.Parse("000"));
    }

    /// <summary>The certificate, or null when the bytes are not one: this stamp is not verified yet, and its verdict will say so.</summary>
    private static X509Certificate? ReadCertificate(byte[] der)
    {
        try
        {
            return new X509Certificate(der);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Hostile certificate bytes make BouncyCastle throw almost anything; all of it means "not a certificate".
            return null;
        }
    }
}
