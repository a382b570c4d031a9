namespace OpenTreasury.Business.Pboc;

/// <summary>
/// Why PBOC's treasury refused or returned a voucher, or refused a request: stable, public codes. The text
/// people see keeps its wording with the code in front, e.g. <c>ClearingQuotaExceeded (5): …</c>.
/// </summary>
public enum PbocRejection
{
    None = 0,
    UnknownVoucherType = 1,           // no handler for this VtCode (and 回单 flag) at PBOC
    WrongBank = 2,                    // 2301/2302 PayBankNo is not the sending bank's
    TotalMismatch = 3,                // 2301 header total ≠ sum of details
    NoClearingQuota = 4,              // 2301 line with no 5106/5108 quota
    ClearingQuotaExceeded = 5,        // 2301 line beyond the remaining clearing quota
    UnknownBank = 6,                  // 5108 for a bank that is not this treasury's
    MissingAgencyCode = 7,            // 5108/2302 detail without AgencyCode
    UnknownPayType = 8,               // 2302 of a pay type other than 12 or 11
    AmountNotNegative = 9,            // 2302 amounts must be negative
    DuplicateRefund = 10,             // 2302 already credited
    RefundExceedsCleared = 11,        // 2302 line beyond what was cleared
    DuplicateVoucherNo = 12,          // 5207 already paid
    WrongPayType = 13,                // 5207 not 实拨 (91)
    PayeeBankRefused = 14,            // 5207 payee account closed
    TreasuryAccountNotOpen = 15,      // 2301 or 5207 before the treasury single account is open
    InsufficientTreasuryBalance = 16, // 2301 or 5207 beyond the treasury single account's balance
    WrongSender = 17,                 // 5507 not from Finance, 2507 not from a bank
    RefundOfUnpaidAllocation = 18,    // 3208 of a 5207 never paid here
    AmountNotPositive = 19,           // 3208 of zero or less
    RefundExceedsPaid = 20,           // 3208 beyond what was paid less earlier refunds
    UnknownDivision = 21,             // a voucher of a division (AdmDivCode) PBOC's master data does not serve
}

/// <summary>How a <see cref="PbocRejection"/> is put in front of the text people read.</summary>
public static class PbocRejections
{
    /// <summary><c>{code} ({number}): {text}</c>.</summary>
    public static string Say(this PbocRejection code, string text) =>
        $"{code} ({(int)code}): {text}";
}
