namespace OpenTreasury.Domain.Vouchers;

/// <summary>
/// The classes the voucher library files vouchers under (凭证分类管理, seed 五.1): the catalogue's groups
/// of flows. The names (<see cref="VoucherCategories.Name"/>) are what the CLI and the API take.
/// </summary>
public enum VoucherCategory
{
    AuthorizedPayment = 1, // 授权支付: quota notices and payments
    DirectPayment = 2,     // 直接支付
    Clearing = 3,          // 清算: the agent bank's claims on PBOC
    BankReport = 4,        // 代理银行报表与通知
    Allocation = 5,        // 实拨
    Reconciliation = 6,    // 对账
}

/// <summary>The names and Chinese titles of the <see cref="VoucherCategory"/> values.</summary>
public static class VoucherCategories
{
    /// <summary>The stable name, e.g. <c>authorized-payment</c>.</summary>
    public static string Name(VoucherCategory category) => category switch
    {
        VoucherCategory.AuthorizedPayment => "authorized-payment",
        VoucherCategory.DirectPayment => "direct-payment",
        VoucherCategory.Clearing => "clearing",
        VoucherCategory.BankReport => "bank-report",
        VoucherCategory.Allocation => "allocation",
        VoucherCategory.Reconciliation => "reconciliation",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a voucher category."),
    };

    /// <summary>The Chinese title, e.g. 授权支付.</summary>
    public static string Chinese(VoucherCategory category) => category switch
    {
        VoucherCategory.AuthorizedPayment => "授权支付",
        VoucherCategory.DirectPayment => "直接支付",
        VoucherCategory.Clearing => "清算",
        VoucherCategory.BankReport => "代理银行报表与通知",
        VoucherCategory.Allocation => "实拨",
        VoucherCategory.Reconciliation => "对账",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a voucher category."),
    };

    public static bool TryParse(string? name, out VoucherCategory category)
    {
        foreach (var value in Enum.GetValues<VoucherCategory>())
        {
            if (string.Equals(Name(value), name, StringComparison.Ordinal))
            {
                category = value;
                return true;
            }
        }

        category = default;
        return false;
    }
}
