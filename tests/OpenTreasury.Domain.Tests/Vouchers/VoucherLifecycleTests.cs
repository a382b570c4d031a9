using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Domain.Tests.Vouchers;

/// <summary>The voucher lifecycle of the domain guide §2, tried for every (status, action) pair.</summary>
public sealed class VoucherLifecycleTests
{
    /// <summary>The legal moves of a voucher as its sender sees it (§2: 13 → 0 → 1|2 → 3|4|5 → 12).</summary>
    private static readonly Dictionary<(VoucherStatus, VoucherAction), VoucherStatus> s_voucherMoves = new()
    {
        [(VoucherStatus.NotSent, VoucherAction.Send)] = VoucherStatus.Sent,
        [(VoucherStatus.NotSent, VoucherAction.Void)] = VoucherStatus.Voided,
        [(VoucherStatus.Sent, VoucherAction.AcknowledgeReceipt)] = VoucherStatus.Received,
        [(VoucherStatus.Sent, VoucherAction.FailReceipt)] = VoucherStatus.ReceiveFailed,
        // A later notice may overtake the receipt notice.
        [(VoucherStatus.Sent, VoucherAction.SignFor)] = VoucherStatus.SignedFor,
        [(VoucherStatus.Sent, VoucherAction.RefuseSignFor)] = VoucherStatus.SignForFailed,
        [(VoucherStatus.Sent, VoucherAction.Return)] = VoucherStatus.Returned,
        [(VoucherStatus.Sent, VoucherAction.ArriveReply)] = VoucherStatus.ReplyArrived,
        [(VoucherStatus.Received, VoucherAction.SignFor)] = VoucherStatus.SignedFor,
        [(VoucherStatus.Received, VoucherAction.RefuseSignFor)] = VoucherStatus.SignForFailed,
        [(VoucherStatus.Received, VoucherAction.Return)] = VoucherStatus.Returned,
        [(VoucherStatus.Received, VoucherAction.ArriveReply)] = VoucherStatus.ReplyArrived,
        [(VoucherStatus.SignedFor, VoucherAction.ArriveReply)] = VoucherStatus.ReplyArrived,
        // A voucher that did not get through is voided and re-issued under a new number.
        [(VoucherStatus.ReceiveFailed, VoucherAction.Void)] = VoucherStatus.Voided,
        [(VoucherStatus.SignForFailed, VoucherAction.Void)] = VoucherStatus.Voided,
        [(VoucherStatus.Returned, VoucherAction.Void)] = VoucherStatus.Voided,
    };

    /// <summary>The legal moves of a 回单 one sends (§2: 14, then 6–11 mirroring 0–5).</summary>
    private static readonly Dictionary<(VoucherStatus, VoucherAction), VoucherStatus> s_replyMoves = new()
    {
        [(VoucherStatus.ReplyNotSent, VoucherAction.Send)] = VoucherStatus.ReplySent,
        [(VoucherStatus.ReplySent, VoucherAction.AcknowledgeReceipt)] = VoucherStatus.ReplyReceived,
        [(VoucherStatus.ReplySent, VoucherAction.FailReceipt)] = VoucherStatus.ReplyReceiveFailed,
        [(VoucherStatus.ReplySent, VoucherAction.SignFor)] = VoucherStatus.ReplySignedFor,
        [(VoucherStatus.ReplySent, VoucherAction.RefuseSignFor)] = VoucherStatus.ReplySignForFailed,
        [(VoucherStatus.ReplySent, VoucherAction.Return)] = VoucherStatus.ReplyReturned,
        [(VoucherStatus.ReplyReceived, VoucherAction.SignFor)] = VoucherStatus.ReplySignedFor,
        [(VoucherStatus.ReplyReceived, VoucherAction.RefuseSignFor)] = VoucherStatus.ReplySignForFailed,
        [(VoucherStatus.ReplyReceived, VoucherAction.Return)] = VoucherStatus.ReplyReturned,
    };

    private static readonly VoucherStatus[] s_replyStatuses =
    [
        VoucherStatus.ReplyNotSent, VoucherStatus.ReplySent, VoucherStatus.ReplyReceived, VoucherStatus.ReplyReceiveFailed,
        VoucherStatus.ReplySignedFor, VoucherStatus.ReplySignForFailed, VoucherStatus.ReplyReturned,
    ];

    public static TheoryData<VoucherStatus, VoucherAction> VoucherPairs { get; } = Pairs(s => !s_replyStatuses.Contains(s));

    public static TheoryData<VoucherStatus, VoucherAction> ReplyPairs { get; } = Pairs(s_replyStatuses.Contains);

    [Theory]
    [MemberData(nameof(VoucherPairs))]
    public void Exactly_the_listed_moves_of_a_voucher_are_legal_and_all_others_change_nothing(VoucherStatus from, VoucherAction action) =>
        AssertMove(s_voucherMoves, from, action);

    [Theory]
    [MemberData(nameof(ReplyPairs))]
    public void Exactly_the_listed_moves_of_a_reply_are_legal_and_all_others_change_nothing(VoucherStatus from, VoucherAction action) =>
        AssertMove(s_replyMoves, from, action);

    [Fact]
    public void The_library_lists_exactly_the_legal_moves_of_a_voucher() =>
        Assert.Equal(
            s_voucherMoves.Keys.OrderBy(k => k),
            VoucherLifecycle.LegalMoves.Where(k => !s_replyStatuses.Contains(k.From)).OrderBy(k => k));

    [Fact]
    public void Nothing_moves_a_voided_or_unknown_voucher()
    {
        foreach (var action in Enum.GetValues<VoucherAction>())
        {
            Assert.Equal(LifecycleRejection.IllegalTransition, VoucherLifecycle.TryMove(VoucherStatus.Voided, action, out _));
            Assert.Equal(LifecycleRejection.IllegalTransition, VoucherLifecycle.TryMove(VoucherStatus.NotFound, action, out _));
        }
    }

    /// <summary>A restore (恢复) is the inverse of a listed void: from exactly the statuses a void leaves, to nothing else.</summary>
    [Theory]
    [MemberData(nameof(Statuses))]
    public void A_voided_voucher_is_restored_to_exactly_the_statuses_a_void_is_listed_from(VoucherStatus voidedFrom) =>
        Assert.Equal(
            s_voucherMoves.TryGetValue((voidedFrom, VoucherAction.Void), out var next) && next == VoucherStatus.Voided ? LifecycleRejection.None : LifecycleRejection.IllegalTransition,
            VoucherLifecycle.TryRestore(voidedFrom));

    public static TheoryData<VoucherStatus> Statuses { get; } = [.. Enum.GetValues<VoucherStatus>()];

    [Theory]
    [InlineData(ReceiverState.Received, VoucherAction.AcknowledgeReceipt)]
    [InlineData(ReceiverState.ReceiveFailed, VoucherAction.FailReceipt)]
    [InlineData(ReceiverState.SignedFor, VoucherAction.SignFor)]
    [InlineData(ReceiverState.SignForFailed, VoucherAction.RefuseSignFor)]
    [InlineData(ReceiverState.Returned, VoucherAction.Return)]
    public void A_receivers_notice_maps_to_the_senders_action(ReceiverState state, VoucherAction action) =>
        Assert.Equal(action, VoucherLifecycle.ActionFor(state));

    public static TheoryData<ReceiverState, ReceiverState> ReceiverPairs { get; } = AllPairs<ReceiverState, ReceiverState>();

    /// <summary>A received voucher is signed for (签收), refused (签收失败) or returned (退回), once.</summary>
    private static readonly HashSet<(ReceiverState, ReceiverState)> s_receiverMoves =
    [
        (ReceiverState.Received, ReceiverState.SignedFor),
        (ReceiverState.Received, ReceiverState.SignForFailed),
        (ReceiverState.Received, ReceiverState.Returned),
    ];

    [Theory]
    [MemberData(nameof(ReceiverPairs))]
    public void Exactly_the_listed_moves_of_a_received_voucher_are_legal(ReceiverState from, ReceiverState to) =>
        Assert.Equal(
            s_receiverMoves.Contains((from, to)) ? LifecycleRejection.None : LifecycleRejection.IllegalTransition,
            ReceiverLifecycle.TryMove(from, to));

    private static void AssertMove(
        Dictionary<(VoucherStatus, VoucherAction), VoucherStatus> legal, VoucherStatus from, VoucherAction action)
    {
        var rejection = VoucherLifecycle.TryMove(from, action, out var next);
        if (legal.TryGetValue((from, action), out var expected))
        {
            Assert.Equal(LifecycleRejection.None, rejection);
            Assert.Equal(expected, next);
        }
        else
        {
            Assert.Equal(LifecycleRejection.IllegalTransition, rejection);
            Assert.Equal(from, next);
        }
    }

    private static TheoryData<VoucherStatus, VoucherAction> Pairs(Func<VoucherStatus, bool> include)
    {
        var pairs = AllPairs<VoucherStatus, VoucherAction>();
        var included = new TheoryData<VoucherStatus, VoucherAction>();
        foreach (var row in pairs)
        {
            if (include((VoucherStatus)row[0]))
            {
                included.Add((VoucherStatus)row[0], (VoucherAction)row[1]);
            }
        }

        return included;
    }

    private static TheoryData<TFirst, TSecond> AllPairs<TFirst, TSecond>()
        where TFirst : struct, Enum
        where TSecond : struct, Enum
    {
        var pairs = new TheoryData<TFirst, TSecond>();
        foreach (var first in Enum.GetValues<TFirst>())
        {
            foreach (var second in Enum.GetValues<TSecond>())
            {
                pairs.Add(first, second);
            }
        }

        return pairs;
    }
}
