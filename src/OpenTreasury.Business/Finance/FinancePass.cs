namespace OpenTreasury.Business.Finance;

/// <summary>What one pass over Finance's received vouchers did.</summary>
/// <remarks><see cref="Other"/> counts what was refused, a 3208 booked, and anything else.</remarks>
public sealed record FinancePass(int ArrivalNotices, int ClearingReceipts, int DailyReports, int Other)
{
    /// <summary>直接支付: the banks' 5201 回单 signed for.</summary>
    public int DirectPaymentReceipts { get; init; }

    /// <summary>直接支付: the banks' 2209 credit notices (入账通知书) signed for.</summary>
    public int CreditNotices { get; init; }

    /// <summary>退款: PBOC's 2302 回单 and the banks' 2203/2204 refund notices and 2208 refund reports signed for.</summary>
    public int Refunds { get; init; }

    /// <summary>凭证对账: PBOC's 3501/4004 statements checked and signed for (Received/CheckVoucherStatement.cs).</summary>
    public int VoucherStatements { get; init; }

    /// <summary>清算信息对账: PBOC's 3507 checked, answered with a 5507 and signed for (Received/AnswerClearingStatement.cs).</summary>
    public int ClearingStatements { get; init; }

    public int Handled => ArrivalNotices + ClearingReceipts + DailyReports + Other + DirectPaymentReceipts + CreditNotices + Refunds + VoucherStatements + ClearingStatements;
}
