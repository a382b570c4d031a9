namespace OpenTreasury.Business.Bank;

/// <summary>
/// Why the agent bank refused or returned a voucher, or refused a request: stable, public codes. The text
/// people see keeps its Chinese (or English) wording with the code in front, e.g.
/// <c>NotOurBank (1): 付款银行 … 不是本行 …</c>.
/// </summary>
public enum BankRejection
{
    None = 0,
    NotOurBank = 1,             // 5105/8202/5201 addressed to another bank (PayBankCode)
    QuotaExceeded = 2,          // 8202 额度不足: more than the unit × class has left
    UnknownVoucherType = 3,     // no handler for this VtCode (and 回单 flag) at a bank
    NoQuota = 4,                // 8202 无授权支付额度: nothing was ever issued for the unit × class
    UnknownRefund = 5,          // a 2302 回单 of a refund this bank never asked for (本行无退款)
    RefundOfUnpaidLine = 6,     // a refund of a line this bank never paid
    RefundOfUnclearedLine = 7,  // a refund of a line PBOC has not cleared yet
    AmountNotPositive = 8,      // a refund of zero or less
    RefundExceedsPaid = 9,      // with the earlier refunds of the line, more than was paid
    PaidOnPaper = 10,           // the payment number was paid on a paper voucher (过渡期 parallel mode)
    PaidElectronically = 11,    // a paper voucher whose number was paid by an 8202
    UnitOnPaper = 12,           // an 8202 of a unit set to paper only
    UnitNotOnPaper = 13,        // a paper voucher of a unit set to electronic only
    NotOurUnit = 14,            // a unit that does not bank here
    UnknownDivision = 15,       // a voucher of a division (AdmDivCode) the bank's master data does not serve
}

/// <summary>How a <see cref="BankRejection"/> is put in front of the text people read.</summary>
public static class BankRejections
{
    /// <summary><c>{code} ({number}): {text}</c>.</summary>
    public static string Say(this BankRejection code, string text) =>
        $"{code} ({(int)code}): {text}";
}
