using Dapper;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Library;

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Stamps one position of an own voucher (签章): the maker's personal seal while it is a draft; the
    /// checker's personal seal and the institution's public seals once approved, on the checker's
    /// authority. The seal must be valid, unrevoked and (for a public seal) granted to the signer's post.
    /// When every position is stamped the voucher is ready to send; its bytes never change again.
    /// </summary>
    public LibraryResult Stamp(LibrarySession session, long id, string positionName, Signer signer)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(signer);
        return Find(session, id) is { } voucher ? Stamp(session, voucher, positionName, signer) : LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
    }

    /// <summary>Stamps one position of <paramref name="voucher"/> as read in this transaction (its bytes are read once for all its stamps).</summary>
    private LibraryResult Stamp(LibrarySession session, StoredVoucher voucher, string positionName, Signer signer)
    {
        var id = voucher.Id;
        if (voucher.Origin != "own")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        var subject = $"{voucher.Key} {positionName}";
        var position = PositionsToStamp(voucher).FirstOrDefault(p => p.Name == positionName);
        if (position is null)
        {
            return Refuse(session, signer, subject, LibraryRejection.NoSuchPosition, $"{voucher.VtCode} has no position {positionName} for {Party} to stamp");
        }

        if (Stamps(session, id).Any(s => s.Position == positionName))
        {
            return LibraryResult.Refused(LibraryRejection.AlreadyStamped, $"{subject} is already stamped", id);
        }

        if (session.Connection.ExecuteScalar<long?>("SELECT locked FROM users WHERE id = @id", new { id = signer.UserId }, session.Transaction) is not 0)
        {
            return Refuse(session, signer, subject, LibraryRejection.UserLocked, $"{signer.UserId} is locked by an administrator");
        }

        // The header is all a stamp needs to know (the unit): a payroll's ten thousand lines are not parsed per stamp.
        var content = voucher.HeaderOnly;
        var refusal = MayStamp(voucher, position, signer, content["AgencyCode"]);
        if (refusal is not null)
        {
            return Refuse(session, signer, subject, LibraryRejection.NotAuthorizedToStamp, refusal);
        }

        var registered = position.IsPersonal
            ? SealRegistry.PersonalSealOf(session, Party, signer.UserId, session.Now)
            : SealRegistry.PublicSealFor(session, Party, StampRights.IsUnitPosition(position) ? content["AgencyCode"] : null, position.SealType, signer.Post, voucher.AdmDivCode, session.Now);
        if (registered is null || !ElectronicSeal.TryParse(registered.Der, out var seal, out _))
        {
            return Refuse(session, signer, subject, LibraryRejection.NoUsableSeal, position.IsPersonal
                ? $"{signer.UserId} has no valid, unrevoked personal seal"
                : $"no valid, unrevoked {SealAdministration.KindText(position.SealType)} is granted to the post {signer.Post}");
        }

        var propertyInfo = SignatureServer.PropertyInfo(voucher.Key, (int)voucher.Version, position.Name, (int)voucher.TemplateVersion);
        SealSignature stamp;
        if (ActiveReplay is { } replay && replay.HeldStamps.TryGetValue(ReplayPlan.HeldKey(voucher.Key, voucher.Version, voucher.IsReply), out var held))
        {
            stamp = HeldStamp(voucher, subject, position.Name, seal, propertyInfo, held);
        }
        else if (position.IsPersonal)
        {
            if (signer.Token is { } token)
            {
                var made = signing.StampWithToken(seal, token, voucher.InnerXml, propertyInfo, session.Now);
                if (!made.Succeeded)
                {
                    return Refuse(session, signer, subject, LibraryRejection.TokenRefused, $"the USBKey of {signer.UserId} refused: {made.Error}: {made.Message}");
                }

                stamp = made.Value!;
            }
            else
            {
                // Made on the person's own machine by their support control; the node only timestamps and checks it.
                var (accepted, why) = signer.Presented(position.Name) is { } presented
                    ? signing.AcceptPresented(seal, presented, voucher.InnerXml, propertyInfo, session.Now)
                    : (null, $"{signer.UserId} presented no stamp for {position.Name}");
                if (accepted is null)
                {
                    return Refuse(session, signer, subject, LibraryRejection.PresentedStampInvalid, why);
                }

                stamp = accepted;
            }
        }
        else
        {
            stamp = signing.StampAsInstitution(seal, voucher.InnerXml, propertyInfo, session.Now);
        }

        session.Connection.Execute(
            "INSERT INTO stamps (voucher_id, position, der, signer, es_id, signed_at) VALUES (@id, @position, @der, @signer, @esId, @now)",
            new { id, position = position.Name, der = stamp.Der, signer = signer.UserId, esId = registered.EsId, now = session.NowText },
            session.Transaction);
        session.Audit(signer.UserId, "stamp", subject, $"{registered.Name} ({registered.EsId}); SM3 {voucher.Digest}");
        if (voucher.State == "approved" && Unstamped(session, voucher).Count == 0)
        {
            UpdateState(session, id, "signed");
        }

        return LibraryResult.Done(id);
    }

    /// <summary>
    /// Re-making a voucher after a restore (ADR 0016): the stamp its peer holds at <paramref name="positionName"/>, taken
    /// only when it is made with the very seal the position takes now (the person's own, or the one granted to the post)
    /// and verifies over this voucher's bytes; no new stamp is made, no person is asked.
    /// </summary>
    private SealSignature HeldStamp(StoredVoucher voucher, string subject, string positionName, ElectronicSeal seal, string propertyInfo, IReadOnlyList<Wire.WireStamp> held)
    {
        if (held.FirstOrDefault(s => s.Position == positionName) is not { } wire)
        {
            throw new ReplayDivergedException($"re-making {subject}: the copy its peer holds has no stamp there");
        }

        if (!SealSignature.TryParse(wire.Der, out var made, out var error) || !made.Seal.Der.AsSpan().SequenceEqual(seal.Der))
        {
            throw new ReplayDivergedException($"re-making {subject}: the stamp its peer holds is not made with the seal {seal.Info.EsId} {error}".TrimEnd());
        }

        var check = signing.VerifyStamp(voucher.InnerXml, wire.Der, propertyInfo, _ => null);
        return check.IsValid ? check.Signature! : throw new ReplayDivergedException($"re-making {subject}: the stamp its peer holds does not verify: {check.Failure}: {check.Message}");
    }

    /// <summary>Takes a stamp off a voucher that has not been sent (撤销签章): by the person who stamped it or the approver.</summary>
    public LibraryResult CancelStamp(LibrarySession session, long id, string positionName, Signer signer)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(signer);
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        var subject = $"{voucher.Key} {positionName}";
        var stamp = Stamps(session, id).FirstOrDefault(s => s.Position == positionName);
        if (stamp is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotStamped, $"{subject} is not stamped", id);
        }

        if (voucher.State is not ("draft" or "approved" or "signed"))
        {
            return Refuse(session, signer, subject, LibraryRejection.IllegalTransition, $"{voucher.Key} is {voucher.State}; a stamp can be cancelled only before sending");
        }

        if (signer.UserId != stamp.Signer && signer.UserId != voucher.ApprovedBy)
        {
            return Refuse(session, signer, subject, LibraryRejection.NotAuthorizedToStamp, $"only {stamp.Signer} or the approver may cancel this stamp");
        }

        var position = PositionsToStamp(voucher).First(p => p.Name == positionName);
        if (position.Role == StampRole.Maker && voucher.State != "draft")
        {
            return Refuse(session, signer, subject, LibraryRejection.IllegalTransition, "the maker's seal of an approved voucher stays; void the voucher instead");
        }

        session.Connection.Execute("DELETE FROM stamps WHERE voucher_id = @id AND position = @positionName", new { id, positionName }, session.Transaction);
        if (voucher.State == "signed")
        {
            UpdateState(session, id, "approved");
        }

        session.Audit(signer.UserId, "stamp-cancel", subject, stamp.EsId ?? string.Empty);
        return LibraryResult.Done(id);
    }

    /// <summary>Stamps every position the signer's role fills and that is still empty.</summary>
    public LibraryResult StampAll(LibrarySession session, long id, StampRole role, Signer signer)
    {
        ArgumentNullException.ThrowIfNull(session);
        var voucher = Find(session, id);
        if (voucher is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no voucher {id} at {Party}");
        }

        // Within one role's stamps the voucher's bytes and state stay as read: the last stamp alone moves it to signed.
        foreach (var position in Unstamped(session, voucher).Where(p => p.Role == role))
        {
            var stamped = Stamp(session, voucher, position.Name, signer);
            if (!stamped.Ok)
            {
                return stamped;
            }
        }

        return LibraryResult.Done(id);
    }

    /// <summary>
    /// What a person's support control (支撑控件) needs to make their stamps on their own machine: for each empty
    /// personal position of <paramref name="role"/>, the person's registered personal seal and the position's
    /// propertyInfo; the data signed is the voucher's <see cref="StoredVoucher.InnerXml"/>. Empty when the person
    /// has no usable personal seal or nothing is left to stamp; the rights are checked when the stamps come back.
    /// </summary>
    public IReadOnlyList<StampRequest> StampRequests(long id, StampRole role, string userId)
    {
        using var session = Begin();
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own"
            || SealRegistry.PersonalSealOf(session, Party, userId, session.Now) is not { } seal)
        {
            return [];
        }

        return [.. Unstamped(session, voucher).Where(p => p.Role == role && p.IsPersonal)
            .Select(p => new StampRequest(p.Name, p.ChineseName, seal.Der, SignatureServer.PropertyInfo(voucher.Key, (int)voucher.Version, p.Name, (int)voucher.TemplateVersion)))];
    }

    /// <summary>The positions of this voucher's side (voucher or 回单) that this party stamps, in the template version it was made under.</summary>
    public IReadOnlyList<TemplatePosition> PositionsToStamp(StoredVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return [.. TemplateOf(voucher).For(voucher.IsReply).Where(p => p.Party == Party.Kind)];
    }

    private List<TemplatePosition> Unstamped(LibrarySession session, StoredVoucher voucher)
    {
        var stamped = Stamps(session, voucher.Id).Select(s => s.Position).ToHashSet(StringComparer.Ordinal);
        return [.. PositionsToStamp(voucher).Where(p => !stamped.Contains(p.Name))];
    }

    private static string? MayStamp(StoredVoucher voucher, TemplatePosition position, Signer signer, string? agencyCode)
    {
        if (StampRights.IsUnitPosition(position) && signer.AgencyCode != agencyCode)
        {
            return $"{signer.UserId} does not work for unit {agencyCode}";
        }

        // A person of one division (a county's 国库股 at the prefecture's node) stamps that division's vouchers only.
        if (signer.AdmDivCode is { } division && division != voucher.AdmDivCode)
        {
            return $"{signer.UserId} works for division {division}, not for {voucher.Key}'s {voucher.AdmDivCode}";
        }

        return position.Role switch
        {
            StampRole.Maker when voucher.State != "draft" => "the maker stamps while the voucher is a draft",
            StampRole.Maker when signer.UserId != voucher.EnteredBy => $"position {position.Name} is for {voucher.EnteredBy}, who entered the voucher",
            StampRole.Checker or StampRole.Institution when voucher.State != "approved" => "the checker's and the public seals go on after approval",
            StampRole.Checker or StampRole.Institution when signer.UserId != voucher.ApprovedBy => $"position {position.Name} is for {voucher.ApprovedBy}, who approved the voucher",
            _ => null,
        };
    }

    private static LibraryResult Refuse(LibrarySession session, Signer signer, string subject, LibraryRejection rejection, string message)
    {
        session.AuditRefusal(signer.UserId, "stamp-refused", subject, $"{rejection}: {message}");
        return LibraryResult.Refused(rejection, message);
    }
}

/// <summary>One stamp a person makes on their own machine: the position, their personal seal (DER) and the propertyInfo binding it.</summary>
public sealed record StampRequest(string Position, string ChineseName, byte[] SealDer, string PropertyInfo);
