using System.Collections.Frozen;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Node.People;

/// <summary>What a person may ask their node's library to do.</summary>
public enum NodeAction
{
    ReadVouchers = 1,   // list and show vouchers, their stamps and their status per receiver
    ExportVoucher = 2,  // the MOF envelope, byte for byte
    PrintVoucher = 3,   // the PDF (打印), its first print; every print is counted
    SignFor = 4,        // 签收 a received voucher
    Refuse = 5,         // 签收失败 a received voucher, with a reason
    Return = 6,         // 退回 a received voucher to its sender, with a reason
    Void = 7,           // 作废 an own voucher nobody accepted
    Administer = 8,     // users, USBKeys, seals and their grants
    ReprintVoucher = 9, // 重打: every print after a version's first (可控打印), the checking posts only
    ManageMessages = 10, // the outbox's parked messages: retry or discard one (the checking posts)
    EnterVoucher = 11,  // 录入: make a draft of an own voucher and stamp it as its maker (经办)
    ApproveVoucher = 12, // 审核: approve another person's draft and stamp it as its checker (the approving posts)
}

/// <summary>Why a person was refused; stable codes shown by API, desk, CLI and audit alike.</summary>
public enum AuthorizationRejection
{
    None = 0,
    NotLoggedIn = 1,     // no session, or an unknown token
    SessionExpired = 2,  // idle too long, or past the session's absolute lifetime
    PostMayNot = 3,      // the person's post (岗位) may not do this at this kind of party
    OtherUnit = 4,       // a unit's person, and the voucher is another unit's (or no unit's)
    OtherParty = 5,      // the person belongs to another party than the library asked
    ReprintNotAllowed = 6, // the voucher was printed before, and the person's post may not reprint (ReprintVoucher)
    OtherDivision = 7,   // the person works for one division (区划), and the voucher is another division's
}

/// <summary>
/// Who is asking: a person of a party, with their post, for a unit's people their unit, and for a person who works
/// for one administrative division (a county's 国库股 at the prefecture's Finance node) that division; null
/// <paramref name="AdmDivCode"/> is a person of the whole node (every division it serves).
/// </summary>
public sealed record Actor(PartyId Party, string UserId, string Post, string? AgencyCode, string? AdmDivCode = null);

/// <summary>The one voucher an action concerns, as authorization sees it: its unit (if any) and its division.</summary>
public sealed record VoucherScope(string? AgencyCode, string AdmDivCode);

/// <summary>
/// The one authorization table of a node: which post (岗位) at which kind of party may do which action,
/// and the scope — a unit's people (单位经办人, 单位财务负责人: users with an AgencyCode) see and act only on
/// their own unit's vouchers; a person of one division (区划) only on that division's; nobody acts on another
/// party's library. Anything not listed is refused.
/// Administration is a post of its own (不相容岗位): an administrator reads no vouchers, an operator
/// administers nothing. A voucher's first print needs PrintVoucher, every later one (重打) ReprintVoucher as well,
/// which only the checking posts (国库股审核, 复核员, 复核) hold.
/// </summary>
public static class Authorization
{
    public const string Administrator = "系统管理员";

    /// <summary>The post of a unit's people on a bank's self-service counter (自助柜面).</summary>
    public const string SelfServicePost = "单位自助柜面";

    private static readonly NodeAction[] s_read = [NodeAction.ReadVouchers, NodeAction.ExportVoucher, NodeAction.PrintVoucher];
    private static readonly NodeAction[] s_answer = [.. s_read, NodeAction.SignFor, NodeAction.Refuse, NodeAction.Return];
    private static readonly NodeAction[] s_check = [.. s_answer, NodeAction.Void, NodeAction.ReprintVoucher, NodeAction.ManageMessages];

    private static readonly FrozenDictionary<(PartyKind Kind, string Post), FrozenSet<NodeAction>> s_table = new Dictionary<(PartyKind, string), NodeAction[]>
    {
        [(PartyKind.Finance, "国库股录入")] = [.. s_answer, NodeAction.EnterVoucher],
        [(PartyKind.Finance, "国库股审核")] = [.. s_check, NodeAction.ApproveVoucher],
        [(PartyKind.Finance, "单位经办人")] = [.. s_read, NodeAction.EnterVoucher],
        [(PartyKind.Finance, "单位财务负责人")] = [.. s_read, NodeAction.Void, NodeAction.EnterVoucher, NodeAction.ApproveVoucher],
        [(PartyKind.Finance, Administrator)] = [NodeAction.Administer],
        [(PartyKind.Pboc, "记账员")] = [.. s_answer, NodeAction.EnterVoucher],
        [(PartyKind.Pboc, "复核员")] = [.. s_check, NodeAction.ApproveVoucher],
        [(PartyKind.Pboc, Administrator)] = [NodeAction.Administer],
        [(PartyKind.Bank, "经办")] = [.. s_answer, NodeAction.EnterVoucher],
        [(PartyKind.Bank, "复核")] = [.. s_check, NodeAction.ApproveVoucher],
        [(PartyKind.Bank, Administrator)] = [NodeAction.Administer],
        // 自助柜面: a unit's people at the bank, with the bank-issued USBKey (seed 十三.五), read their own unit's vouchers.
        [(PartyKind.Bank, SelfServicePost)] = s_read,
    }.ToFrozenDictionary(e => e.Key, e => e.Value.ToFrozenSet());

    /// <summary>Every (party kind, post) the table knows, with the actions it allows.</summary>
    public static IEnumerable<(PartyKind Kind, string Post, IReadOnlySet<NodeAction> Actions)> Rows =>
        s_table.Select(e => (e.Key.Kind, e.Key.Post, (IReadOnlySet<NodeAction>)e.Value));

    /// <summary>True when the post at that kind of party may do the action (scope aside).</summary>
    public static bool Allows(PartyKind kind, string post, NodeAction action) =>
        s_table.TryGetValue((kind, post), out var actions) && actions.Contains(action);

    /// <summary>
    /// Decides whether <paramref name="actor"/> may print a voucher version already printed
    /// <paramref name="printedBefore"/> times: the first print needs PrintVoucher, a reprint (重打) ReprintVoucher too.
    /// </summary>
    public static AuthorizationRejection CheckPrint(Actor actor, PartyId library, VoucherScope voucher, int printedBefore)
    {
        var rejection = Check(actor, NodeAction.PrintVoucher, library, voucher);
        return rejection == AuthorizationRejection.None && printedBefore > 0 && !Allows(library.Kind, actor.Post, NodeAction.ReprintVoucher)
            ? AuthorizationRejection.ReprintNotAllowed
            : rejection;
    }

    /// <summary>
    /// Decides whether <paramref name="actor"/> may do <paramref name="action"/> over every division the library serves
    /// at once (<paramref name="divisionsServed"/> of them: closing a bank's day sends every division's clearing and
    /// report): the post must allow it, and on a node of several divisions a person of one division may not.
    /// </summary>
    public static AuthorizationRejection CheckEveryDivision(Actor actor, NodeAction action, PartyId library, int divisionsServed)
    {
        var rejection = Check(actor, action, library, null);
        return rejection == AuthorizationRejection.None && actor.AdmDivCode is not null && divisionsServed > 1
            ? AuthorizationRejection.OtherDivision
            : rejection;
    }

    /// <summary>
    /// Decides whether <paramref name="actor"/> may do <paramref name="action"/> in the library of
    /// <paramref name="library"/>, on <paramref name="voucher"/> (null: no one voucher — a list, which the caller
    /// then narrows to the actor's unit and division).
    /// </summary>
    public static AuthorizationRejection Check(Actor actor, NodeAction action, PartyId library, VoucherScope? voucher)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Party != library)
        {
            return AuthorizationRejection.OtherParty;
        }

        if (!Allows(library.Kind, actor.Post, action))
        {
            return AuthorizationRejection.PostMayNot;
        }

        if (voucher is not null && actor.AgencyCode is { } unit && !string.Equals(unit, voucher.AgencyCode, StringComparison.Ordinal))
        {
            return AuthorizationRejection.OtherUnit;
        }

        if (voucher is not null && actor.AdmDivCode is { } division && !string.Equals(division, voucher.AdmDivCode, StringComparison.Ordinal))
        {
            return AuthorizationRejection.OtherDivision;
        }

        return AuthorizationRejection.None;
    }
}
