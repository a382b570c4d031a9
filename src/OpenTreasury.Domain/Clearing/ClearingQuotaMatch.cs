using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Clearing;

/// <summary>Why PBOC refuses to clear a transfer request (申请划款); stable codes.</summary>
public enum ClearingRejection
{
    None = 0,
    TotalMismatch = 1,          // header total ≠ sum of details
    NoClearingQuota = 2,        // no 5106 for this bank × unit × class
    ClearingQuotaExceeded = 3,  // the line asks for more than the remaining clearing quota
    WrongBank = 4,              // PayBankNo is not the sending bank's
}

/// <summary>One line of a 2301 (per budget unit × functional class) and the clearing quota it draws on.</summary>
public sealed record ClearingLine(string AgencyCode, string ExpFuncCode, Amount Requested, Amount QuotaIssued, Amount QuotaCleared);

/// <summary>
/// PBOC's matching of a 2301 against the clearing quota of 5106 (domain guide §5): same bank, header
/// total equal to the details, and per (unit, functional class) the request within what remains.
/// </summary>
public static class ClearingQuotaMatch
{
    public static (ClearingRejection Rejection, string Reason) Match(Amount headerTotal, IReadOnlyList<ClearingLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var sum = Amount.Sum(lines.Select(l => l.Requested));
        if (sum != headerTotal)
        {
            return (ClearingRejection.TotalMismatch, $"汇总金额 {headerTotal.ToWire()} 与明细合计 {sum.ToWire()} 不符");
        }

        foreach (var line in lines)
        {
            if (line.QuotaIssued.IsZero)
            {
                return (ClearingRejection.NoClearingQuota, $"预算单位 {line.AgencyCode} 功能科目 {line.ExpFuncCode} 无清算额度");
            }

            var remaining = line.QuotaIssued - line.QuotaCleared;
            if (line.Requested > remaining)
            {
                return (ClearingRejection.ClearingQuotaExceeded,
                    $"预算单位 {line.AgencyCode} 功能科目 {line.ExpFuncCode} 申请 {line.Requested.ToWire()} 超过剩余清算额度 {remaining.ToWire()}");
            }
        }

        return (ClearingRejection.None, string.Empty);
    }
}
