namespace OpenTreasury.Business.Finance;

/// <summary>
/// Why Finance refused a received voucher or one of its own requests: stable, public codes. The text people see keeps its Chinese
/// wording with the code in front, e.g. <c>RefundExceedsPaid (5): 退款 … 超过原拨款凭证 …</c>.
/// </summary>
public enum FinanceRejection
{
    None = 0,
    UnknownVoucherType = 1,     // no handler for this VtCode (and 回单 flag) at Finance
    NotOurAllocation = 2,       // a 3208 naming a 5207 Finance never issued
    AllocationNotAnswered = 3,  // a 3208 of a 5207 PBOC has not answered with its 回单
    RefundAmountZero = 4,       // a 3208 of zero
    RefundExceedsPaid = 5,      // a 3208 beyond what was paid less earlier refunds
    NoIndicator = 6,            // a quota plan line with no budget indicator (预算指标) above it
    IndicatorExceeded = 7,      // a quota plan line beyond what is left of its indicator
    ReallocationExceedsRefund = 8, // a 5207 re-allocating a 3208 for more than is left of the refund
    NotARefund = 9,             // a re-allocation naming no 3208 Finance registered
    UnknownDivision = 10,       // a voucher of a division (AdmDivCode) Finance does not serve
}

/// <summary>How a <see cref="FinanceRejection"/> is put in front of the text people read.</summary>
public static class FinanceRejections
{
    /// <summary><c>{code} ({number}): {text}</c>.</summary>
    public static string Say(this FinanceRejection code, string text) =>
        $"{code} ({(int)code}): {text}";
}
