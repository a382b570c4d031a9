using Dapper;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Business.Bank;

/// <summary>One line of a bank's quota book (用款额度): what Finance's 5105s issued to a unit × class, and what was paid from it.</summary>
public sealed record QuotaBalance(string AgencyCode, string ExpFuncCode, Amount Issued, Amount Paid)
{
    /// <summary>额度余额: what the unit may still pay.</summary>
    public Amount Left => Issued - Paid;
}

/// <summary>Reads a bank's quota book (<c>bank_quotas</c>) for one unit, as the counter and the unit's self-service counter show it.</summary>
internal static class QuotaBook
{
    public static IReadOnlyList<QuotaBalance> Of(BankContext bank, string agencyCode)
    {
        using var connection = bank.Library.Database.Connect();
        return [.. connection.Query<(string AgencyCode, string ExpFuncCode, long IssuedFen, long PaidFen)>(
                "SELECT agency_code, exp_func_code, issued_fen, paid_fen FROM bank_quotas WHERE agency_code = @agencyCode ORDER BY exp_func_code",
                new { agencyCode })
            .Select(r => new QuotaBalance(r.AgencyCode, r.ExpFuncCode, new Amount(r.IssuedFen), new Amount(r.PaidFen)))];
    }
}
