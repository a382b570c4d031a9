using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Quotas;

/// <summary>Why a payment against quota was refused; stable codes.</summary>
public enum QuotaRejection
{
    None = 0,
    NoQuota = 1,          // 无额度: nothing was ever issued for this unit × functional class
    QuotaExceeded = 2,    // 额度不足
    NotPositive = 3,      // a payment must be a positive amount
}

/// <summary>
/// An authorized-payment quota (授权支付额度) of one budget unit × functional class at the agent bank.
/// Invariant: 0 ≤ Paid ≤ Issued, so Remaining = Issued − Paid never goes negative.
/// </summary>
public readonly record struct QuotaLine(Amount Issued, Amount Paid)
{
    public Amount Remaining => Issued - Paid;

    public bool HoldsInvariant => Issued >= Amount.Zero && Paid >= Amount.Zero && Paid <= Issued;

    public QuotaLine Issue(Amount amount)
    {
        if (amount <= Amount.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "Issued quota must be positive.");
        }

        return this with { Issued = Issued + amount };
    }

    /// <summary>Decides a payment: the new line, or why it is refused (the line is then unchanged).</summary>
    public QuotaRejection TryPay(Amount amount, out QuotaLine next)
    {
        next = this;
        if (amount <= Amount.Zero)
        {
            return QuotaRejection.NotPositive;
        }

        if (Issued.IsZero)
        {
            return QuotaRejection.NoQuota;
        }

        if (amount > Remaining)
        {
            return QuotaRejection.QuotaExceeded;
        }

        next = this with { Paid = Paid + amount };
        return QuotaRejection.None;
    }
}
