using System.Collections.Frozen;

namespace OpenTreasury.Domain.Vouchers;

/// <summary>
/// Status of a voucher per receiving party, with the standard library codes (domain guide §2).
/// The sender sees 13 → 0 → 1|2 → 3|4|5 → 12; a 回单 one sends goes 14 → 6 → 7|8 → 9|10|11.
/// </summary>
public enum VoucherStatus
{
    NotFound = -1,
    Sent = 0,               // 已发送,未接收
    Received = 1,           // 已接收
    ReceiveFailed = 2,      // 接收失败
    SignedFor = 3,          // 已签收
    SignForFailed = 4,      // 签收失败
    Returned = 5,           // 已退回
    ReplySent = 6,          // 回单已发送
    ReplyReceived = 7,      // 回单已接收
    ReplyReceiveFailed = 8, // 回单接收失败
    ReplySignedFor = 9,     // 回单已签收
    ReplySignForFailed = 10,// 回单签收失败
    ReplyReturned = 11,     // 回单已退回
    ReplyArrived = 12,      // 已收到回单
    NotSent = 13,           // 未发送
    ReplyNotSent = 14,      // 回单未发送
    Voided = 99,            // 已作废 (ours: the sender voided it; the standard only removes it from the lists)
}

/// <summary>What the library does to a voucher for one receiving party.</summary>
public enum VoucherAction
{
    Send = 1,
    AcknowledgeReceipt = 2,
    FailReceipt = 3,
    SignFor = 4,
    RefuseSignFor = 5,
    Return = 6,
    ArriveReply = 7,
    Void = 8,
}

/// <summary>Why a move of a voucher was refused; stable codes shown by CLI, API and audit alike.</summary>
public enum LifecycleRejection
{
    None = 0,
    IllegalTransition = 1,
}

/// <summary>
/// Every legal move of a voucher's status per receiving party, in one table. Anything not listed is
/// rejected with <see cref="LifecycleRejection.IllegalTransition"/>, never silently ignored.
/// </summary>
public static class VoucherLifecycle
{
    private static readonly FrozenDictionary<(VoucherStatus, VoucherAction), VoucherStatus> s_next =
        new Dictionary<(VoucherStatus, VoucherAction), VoucherStatus>
        {
            [(VoucherStatus.NotSent, VoucherAction.Send)] = VoucherStatus.Sent,
            [(VoucherStatus.NotSent, VoucherAction.Void)] = VoucherStatus.Voided,
            [(VoucherStatus.Sent, VoucherAction.AcknowledgeReceipt)] = VoucherStatus.Received,
            [(VoucherStatus.Sent, VoucherAction.FailReceipt)] = VoucherStatus.ReceiveFailed,
            // A status notice may overtake the receipt notice; the later status wins.
            [(VoucherStatus.Sent, VoucherAction.SignFor)] = VoucherStatus.SignedFor,
            [(VoucherStatus.Sent, VoucherAction.RefuseSignFor)] = VoucherStatus.SignForFailed,
            [(VoucherStatus.Sent, VoucherAction.Return)] = VoucherStatus.Returned,
            [(VoucherStatus.Sent, VoucherAction.ArriveReply)] = VoucherStatus.ReplyArrived,
            [(VoucherStatus.Received, VoucherAction.SignFor)] = VoucherStatus.SignedFor,
            [(VoucherStatus.Received, VoucherAction.RefuseSignFor)] = VoucherStatus.SignForFailed,
            [(VoucherStatus.Received, VoucherAction.Return)] = VoucherStatus.Returned,
            [(VoucherStatus.Received, VoucherAction.ArriveReply)] = VoucherStatus.ReplyArrived,
            [(VoucherStatus.SignedFor, VoucherAction.ArriveReply)] = VoucherStatus.ReplyArrived,
            [(VoucherStatus.ReceiveFailed, VoucherAction.Void)] = VoucherStatus.Voided,
            [(VoucherStatus.SignForFailed, VoucherAction.Void)] = VoucherStatus.Voided,
            [(VoucherStatus.Returned, VoucherAction.Void)] = VoucherStatus.Voided,

            // A 回单 mirrors the voucher's moves on its own codes; it is never voided.
            [(VoucherStatus.ReplyNotSent, VoucherAction.Send)] = VoucherStatus.ReplySent,
            [(VoucherStatus.ReplySent, VoucherAction.AcknowledgeReceipt)] = VoucherStatus.ReplyReceived,
            [(VoucherStatus.ReplySent, VoucherAction.FailReceipt)] = VoucherStatus.ReplyReceiveFailed,
            [(VoucherStatus.ReplySent, VoucherAction.SignFor)] = VoucherStatus.ReplySignedFor,
            [(VoucherStatus.ReplySent, VoucherAction.RefuseSignFor)] = VoucherStatus.ReplySignForFailed,
            [(VoucherStatus.ReplySent, VoucherAction.Return)] = VoucherStatus.ReplyReturned,
            [(VoucherStatus.ReplyReceived, VoucherAction.SignFor)] = VoucherStatus.ReplySignedFor,
            [(VoucherStatus.ReplyReceived, VoucherAction.RefuseSignFor)] = VoucherStatus.ReplySignForFailed,
            [(VoucherStatus.ReplyReceived, VoucherAction.Return)] = VoucherStatus.ReplyReturned,
        }.ToFrozenDictionary();

    public static IReadOnlyCollection<(VoucherStatus From, VoucherAction Action)> LegalMoves => s_next.Keys;

    public static LifecycleRejection TryMove(VoucherStatus from, VoucherAction action, out VoucherStatus next)
    {
        if (s_next.TryGetValue((from, action), out next))
        {
            return LifecycleRejection.None;
        }

        next = from;
        return LifecycleRejection.IllegalTransition;
    }

    /// <summary>
    /// Whether a voided voucher may be restored (恢复) to the status it was voided from: exactly the statuses the
    /// table lets <see cref="VoucherAction.Void"/> move to <see cref="VoucherStatus.Voided"/>, so a restore is
    /// the inverse of a listed void and nothing else (nothing moves a voided voucher forward).
    /// </summary>
    public static LifecycleRejection TryRestore(VoucherStatus voidedFrom) =>
        s_next.TryGetValue((voidedFrom, VoucherAction.Void), out var next) && next == VoucherStatus.Voided
            ? LifecycleRejection.None
            : LifecycleRejection.IllegalTransition;

    /// <summary>The status a receiver's notice moves the sender's copy to, as an action.</summary>
    public static VoucherAction ActionFor(ReceiverState state) => state switch
    {
        ReceiverState.Received => VoucherAction.AcknowledgeReceipt,
        ReceiverState.ReceiveFailed => VoucherAction.FailReceipt,
        ReceiverState.SignedFor => VoucherAction.SignFor,
        ReceiverState.SignForFailed => VoucherAction.RefuseSignFor,
        ReceiverState.Returned => VoucherAction.Return,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "No sender-side action for this receiver state."),
    };
}

/// <summary>Where a received voucher stands in the receiver's own library.</summary>
public enum ReceiverState
{
    Received = 1,
    ReceiveFailed = 2,
    SignedFor = 3,
    SignForFailed = 4,
    Returned = 5,
}

/// <summary>The receiver's own moves: a received voucher is signed for, refused or returned once.</summary>
public static class ReceiverLifecycle
{
    public static LifecycleRejection TryMove(ReceiverState from, ReceiverState to) =>
        from == ReceiverState.Received && to is ReceiverState.SignedFor or ReceiverState.SignForFailed or ReceiverState.Returned
            ? LifecycleRejection.None
            : LifecycleRejection.IllegalTransition;
}
