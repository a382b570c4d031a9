namespace OpenTreasury.Business.Bank;

/// <summary>What one pass over the bank's received vouchers did (counted by <see cref="BankRoutes"/>).</summary>
public sealed record BankPass(int QuotaNotices, int PaymentsPaid, int PaymentsReturned, int ClearingReceipts, int Refused)
{
    /// <summary>直接支付: 5201s answered with a 回单 (paid in whole, in part, or not at all: the 回单 says which lines).</summary>
    public int DirectPayments { get; init; }

    /// <summary>直接支付: 5201s returned (退回) unworked, e.g. addressed to another bank.</summary>
    public int DirectPaymentsReturned { get; init; }

    /// <summary>退款: PBOC's 2302 回单 signed for (quota restored for 12; 2204 and 2208, or 2203, sent to Finance).</summary>
    public int RefundReceipts { get; init; }

    /// <summary>凭证对账: PBOC's 3502/4005 statements checked and signed for (Received/CheckVoucherStatement.cs).</summary>
    public int VoucherStatements { get; init; }

    /// <summary>清算信息对账: PBOC's 3507 checked, answered with a 2507 and signed for (Received/AnswerClearingStatement.cs).</summary>
    public int ClearingStatements { get; init; }

    public int Handled => QuotaNotices + PaymentsPaid + PaymentsReturned + ClearingReceipts + Refused + DirectPayments + DirectPaymentsReturned + RefundReceipts + VoucherStatements + ClearingStatements;
}
