namespace OpenTreasury.Business.Pboc;

/// <summary>What one pass over PBOC's received vouchers did.</summary>
/// <remarks><see cref="Cleared"/> and <see cref="Returned"/> count 2301s of both pay types (12 授权支付, 11 直接支付).</remarks>
public sealed record PbocPass(int ClearingQuotaNotices, int Cleared, int Returned, int Refused)
{
    /// <summary>直接支付: 5108 direct-payment clearing quota notices booked and answered.</summary>
    public int DirectClearingQuotaNotices { get; init; }

    /// <summary>退款: 2302s credited back to the treasury and answered with the 回单 (a returned one counts in <see cref="Returned"/>).</summary>
    public int Refunds { get; init; }

    /// <summary>清算信息对账: 5507/2507 answers to a 3507 recorded and signed for (Received/RecordClearingAnswer.cs).</summary>
    public int ClearingAnswers { get; init; }

    public int Handled => ClearingQuotaNotices + Cleared + Returned + Refused + DirectClearingQuotaNotices + Refunds + ClearingAnswers;
}
