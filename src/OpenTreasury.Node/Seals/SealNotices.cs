using System.Text.Json;
using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Trust.Signatures;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Seals;

/// <summary>
/// One announcement of the seal maker (制章): a seal filed (备案) with every node, with the posts its owner grants it to,
/// or a seal revoked. Numbered in the order the maker published them.
/// </summary>
public sealed record SealNotice(long Sequence, string Kind, RegisteredSeal Seal, IReadOnlyList<string> GrantedPosts, string? Reason, DateTimeOffset At)
{
    public const string File = "file";
    public const string Revocation = "revoke";
}

/// <summary>Why a published seal notice was not applied; stable codes.</summary>
public enum SealNoticeRejection
{
    None = 0,
    Malformed = 1,
    BadSignature = 2,       // not signed, or not by the published seal maker's certificate
    SealNotGenuine = 3,     // the filed SESeal is not the seal maker's, or does not match the notice
    OutOfOrder = 4,
}

/// <summary>
/// Seal filing and revocation as signed notices the seal maker publishes into the public folder
/// (<c>public/seal-notices/NNNNNN.json</c>, like a CRL) and every node takes in itself: the node checks the maker's
/// signature against the published seal-maker certificate and the seal's own signature before it registers or revokes
/// anything. No one writes into another node's registry.
/// </summary>
public static class SealNotices
{
    public const string Folder = "seal-notices";
    private const string Purpose = "seal-notice";

    /// <summary>Signs and publishes a notice as the next one in <paramref name="publicDirectory"/>; returns its sequence.</summary>
    public static long Publish(string publicDirectory, string kind, RegisteredSeal seal, IReadOnlyList<string> grantedPosts, string? reason, NodeCredential maker, DateTimeOffset now, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(maker);
        var folder = Path.Combine(publicDirectory, Folder);
        Directory.CreateDirectory(folder);
        var sequence = Directory.EnumerateFiles(folder, "*.json").Count() + 1L;
        var notice = JsonSerializer.SerializeToUtf8Bytes(new SealNotice(sequence, kind, seal, grantedPosts, reason, now));
        var signature = VoucherSigner.Sign(maker, notice, $"{Purpose}:{sequence}", now, random);
        var path = Path.Combine(folder, $"{sequence:D6}.json");
        System.IO.File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(new Signed(notice, signature)));
        System.IO.File.Move(path + ".tmp", path);
        return sequence;
    }

    /// <summary>Takes in the notices published in the public folder this node's trust was read from.</summary>
    public static (int Applied, SealNoticeRejection Rejection, string Message) Import(VoucherLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        return library.Signing.Trust.PublicDirectory is { } folder ? Import(library, folder) : (0, SealNoticeRejection.None, string.Empty);
    }

    /// <summary>
    /// Takes in every notice published after the last one this node applied, in order, each checked first; stops at
    /// the first that fails (returning its code), so a forged or damaged notice is never skipped over silently.
    /// </summary>
    public static (int Applied, SealNoticeRejection Rejection, string Message) Import(VoucherLibrary library, string publicDirectory)
    {
        ArgumentNullException.ThrowIfNull(library);
        var folder = Path.Combine(publicDirectory, Folder);
        if (!Directory.Exists(folder))
        {
            return (0, SealNoticeRejection.None, string.Empty);
        }

        long last;
        using (var connection = library.Database.Connect())
        {
            last = connection.ExecuteScalar<long>("SELECT COALESCE(MAX(sequence), 0) FROM seal_notices");
        }

        var applied = 0;
        for (var sequence = last + 1; ; sequence++)
        {
            var path = Path.Combine(folder, $"{sequence:D6}.json");
            if (!System.IO.File.Exists(path))
            {
                return (applied, SealNoticeRejection.None, string.Empty);
            }

            var (notice, rejection, message) = Open(System.IO.File.ReadAllBytes(path), sequence, library.Signing.Trust);
            if (notice is null)
            {
                library.Run(session =>
                {
                    session.Audit("system", "seal-notice-refused", $"{sequence:D6}", $"{rejection} ({(int)rejection}): {message}");
                    return LibraryResult.Done(0);
                });
                return (applied, rejection, message);
            }

            library.Run(session => Apply(session, library.Party, notice));
            applied++;
        }
    }

    /// <summary>Reads and checks one published notice: the maker's signature, then (for a filing) the seal itself.</summary>
    public static (SealNotice? Notice, SealNoticeRejection Rejection, string Message) Open(byte[] bytes, long expectedSequence, NetworkTrust trust)
    {
        ArgumentNullException.ThrowIfNull(trust);
        Signed? signed;
        SealNotice? notice;
        try
        {
            signed = JsonSerializer.Deserialize<Signed>(bytes);
            notice = signed?.Notice is null ? null : JsonSerializer.Deserialize<SealNotice>(signed.Notice);
        }
        catch (JsonException ex)
        {
            return (null, SealNoticeRejection.Malformed, $"印章公告格式错误: {ex.Message}");
        }

        if (signed?.Signature is null || notice?.Seal is null || notice.Kind is not (SealNotice.File or SealNotice.Revocation))
        {
            return (null, SealNoticeRejection.Malformed, "印章公告不完整");
        }

        if (notice.Sequence != expectedSequence)
        {
            return (null, SealNoticeRejection.OutOfOrder, $"印章公告序号 {notice.Sequence} 与文件序号 {expectedSequence} 不符");
        }

        var check = new SignatureVerifier(trust.Issuing).Verify(signed.Notice, signed.Signature, $"{Purpose}:{notice.Sequence}", PartyId.Finance);
        if (!check.IsValid || !VoucherSignature.TryParse(signed.Signature, out var signature) || !trust.IsSealMaker(new X509Certificate(signature.CertificateDer))
            || !trust.Validator.Validate(new X509Certificate(signature.CertificateDer), signature.SigningTime, CertificateUse.Institution).IsValid)
        {
            return (null, SealNoticeRejection.BadSignature, $"印章公告不是制章机构签发的: {check.Message}");
        }

        if (notice.Kind == SealNotice.File)
        {
            if (!ElectronicSeal.TryParse(notice.Seal.Der, out var seal, out var error) || seal.Info.EsId != notice.Seal.EsId
                || !trust.IsSealMaker(new X509Certificate(seal.MakerCertificate))
                || !Trust.Crypto.Sm2.Verify(trust.SealMakerCertificate.GetPublicKey(), seal.MakerSignedDer, seal.SignatureValue))
            {
                return (null, SealNoticeRejection.SealNotGenuine, $"备案的印章 {notice.Seal.EsId} 不是制章机构制作的, 或与公告不符 {error}");
            }
        }

        return (notice, SealNoticeRejection.None, string.Empty);
    }

    private static LibraryResult Apply(LibrarySession session, PartyId party, SealNotice notice)
    {
        var seal = notice.Seal;
        if (notice.Kind == SealNotice.File)
        {
            SealRegistry.Register(session, seal);
            var owner = seal.OwnerParty == party.ToString();
            if (owner)
            {
                foreach (var post in notice.GrantedPosts)
                {
                    SealRegistry.Grant(session, seal.EsId, post, "seal-maker");
                    session.Audit("admin", "seal-grant", seal.EsId, $"{seal.Name} to post {post}");
                }
            }

            session.Audit("admin", owner ? "seal-register" : "seal-file", seal.EsId, $"{seal.Name}, type {seal.Type}, owner {seal.OwnerParty}{(seal.AgencyCode is null ? string.Empty : "/" + seal.AgencyCode)}{(seal.AdmDivCode is null ? string.Empty : ", division " + seal.AdmDivCode)}; notice {notice.Sequence}");
        }
        else
        {
            SealRegistry.Revoke(session, seal.EsId, notice.Reason ?? string.Empty, notice.At);
            session.Audit("admin", "seal-revoke", seal.EsId, $"{notice.Reason}; notice {notice.Sequence}");
        }

        session.Connection.Execute(
            "INSERT INTO seal_notices (sequence, kind, es_id, applied_at) VALUES (@sequence, @kind, @esId, @now)",
            new { sequence = notice.Sequence, kind = notice.Kind, esId = seal.EsId, now = session.NowText }, session.Transaction);
        return LibraryResult.Done(0);
    }

    private sealed record Signed(byte[] Notice, byte[] Signature);
}
