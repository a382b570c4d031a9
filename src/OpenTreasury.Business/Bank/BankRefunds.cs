namespace OpenTreasury.Business.Bank;

/// <summary>
/// What the two halves of a refund (退款) share: <see cref="RefundPayment"/> books it and sends the 2302,
/// <see cref="Received.RecordRefund"/> settles it when PBOC's 回单 arrives.
/// </summary>
internal static class BankRefunds
{
    public const string SelectRefund = """
        SELECT refund_no AS RefundNo, pay_type AS PayType, ori_voucher_id AS OriVoucherId, ori_voucher_no AS OriVoucherNo, ori_line AS OriLine,
               agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, amount_fen AS AmountFen, reason AS Reason, credited_date AS CreditedDate
        FROM bank_refunds
        """;

    /// <summary>The number of the refund notice (退款通知书 2204/2203) of a refund.</summary>
    public static string NoticeNo(string refundNo) => $"TZ-{refundNo}";

    /// <summary>The number of the 2208 refund daily report of a refund.</summary>
    public static string ReportNo(string refundNo) => $"TR-{refundNo}";
}

/// <summary>One row of <c>bank_refunds</c>.</summary>
internal sealed class BankRefundRow
{
    public string RefundNo { get; init; } = string.Empty;

    public string PayType { get; init; } = string.Empty;

    public long OriVoucherId { get; init; }

    public string OriVoucherNo { get; init; } = string.Empty;

    public long OriLine { get; init; }

    public string AgencyCode { get; init; } = string.Empty;

    public string ExpFuncCode { get; init; } = string.Empty;

    public long AmountFen { get; init; }

    public string Reason { get; init; } = string.Empty;

    public string? CreditedDate { get; init; }
}
