using System.Collections.Frozen;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 账户核验: the port a bank pays a payee through. A deployment puts its core banking system's check behind
/// it; the sample configures a list of closed accounts (<see cref="ClosedAccountList"/>). PBOC asks the same
/// port for the payee's bank's answer when it pays a 5207.
/// </summary>
public interface IPayeeAccountCheck
{
    /// <summary>Why the account cannot be paid (in Chinese, for the 回单), or null when it can.</summary>
    string? Refuse(string? accountNo);
}

/// <summary>The configured list of closed accounts (已销户): every other non-empty account can be paid.</summary>
public sealed class ClosedAccountList(IEnumerable<string> closedAccounts) : IPayeeAccountCheck
{
    private readonly FrozenSet<string> _closed = closedAccounts.ToFrozenSet(StringComparer.Ordinal);

    public string? Refuse(string? accountNo) =>
        string.IsNullOrWhiteSpace(accountNo) ? "收款人账号为空"
        : _closed.Contains(accountNo) ? $"收款人账户 {accountNo} 已销户 (账户核验未通过)"
        : null;
}
