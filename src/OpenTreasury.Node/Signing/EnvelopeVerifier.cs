using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Signatures;
using OpenTreasury.Wire;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Signing;

/// <summary>The verdict on one stamp of an exported voucher.</summary>
public sealed record StampVerdict(string Voucher, string Position, string Signer, string SigningTime, SignatureFailure Failure, string Reason)
{
    public bool Valid => Failure == SignatureFailure.None;
}

/// <summary>The verdict on a whole exported file: each stamp, and any problem with the content.</summary>
public sealed record EnvelopeVerdict(IReadOnlyList<StampVerdict> Stamps, IReadOnlyList<string> Problems)
{
    public bool Valid => Problems.Count == 0 && Stamps.Count > 0 && Stamps.All(s => s.Valid);
}

/// <summary>
/// Verifies an exported MOF file offline against the network's CA: every stamp over the exact inner
/// voucher bytes, at a position its signer's party may stamp, and the content against the catalogue.
/// </summary>
public static class EnvelopeVerifier
{
    public static EnvelopeVerdict Verify(byte[] file, SignatureVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        var read = MofFormat.Read(file);
        if (!read.IsSuccess)
        {
            return new EnvelopeVerdict([], [.. read.Errors.Select(e => e.ToString())]);
        }

        var stamps = new List<StampVerdict>();
        var problems = new List<string>();
        foreach (var body in read.Value.Bodies)
        {
            var subject = $"{body.Key}/v{body.Version}";
            var opened = MofFormat.OpenBody(body);
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
            var expected = type.StampPositions.Where(p => p.OnReply == isReply).ToList();
            foreach (var missing in expected.Where(p => body.Stamps.All(s => s.Position != p.Name)))
            {
                problems.Add($"{subject}: position {missing.Name} ({missing.ChineseName}) is not stamped");
            }

            foreach (var stamp in body.Stamps)
            {
                var position = expected.FirstOrDefault(p => p.Name == stamp.Position);
                if (position is null)
                {
                    stamps.Add(new StampVerdict(subject, stamp.Position, "?", "?", SignatureFailure.WrongProperty,
                        $"position {stamp.Position} does not exist on a {(isReply ? "回单 of " : string.Empty)}{type.VtCode}"));
                    continue;
                }

                var signer = ExpectedSigner(position.Party, opened.IsSuccess ? opened.Value : null, stamp.Der);
                var check = verifier.Verify(body.InnerVoucher, stamp.Der, NodeSigning.PropertyInfo(body.Key, body.Version, stamp.Position), signer);
                stamps.Add(new StampVerdict(subject, stamp.Position, check.Signer?.ToString() ?? "?", check.SigningTime?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "?",
                    check.Failure, check.Failure == SignatureFailure.None ? "valid" : check.Message));
            }
        }

        return new EnvelopeVerdict(stamps, problems);
    }

    /// <summary>Finance and PBOC are one party each; a bank stamp must come from the bank the voucher names.</summary>
    private static PartyId ExpectedSigner(PartyKind kind, Voucher? content, byte[] der) => kind switch
    {
        PartyKind.Finance => PartyId.Finance,
        PartyKind.Pboc => PartyId.Pboc,
        _ when content?["PayBankCode"] is { } code && BankCode.TryParse(code, out var bank) => PartyId.ForBank(bank),
        _ when VoucherSignature.TryParse(der, out var signature) && NodeCertificate.TryGetParty(new X509Certificate(signature.CertificateDer), out var party) && party.Kind == PartyKind.Bank => party,
        _ => PartyId.ForBank(BankCode.Parse("000")),
    };
}
