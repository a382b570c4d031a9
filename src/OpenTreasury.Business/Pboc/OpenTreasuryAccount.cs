using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc;

/// <summary>The treasury single account (国库单一账户): its opening balance, booked once, and its balance.</summary>
internal static class OpenTreasuryAccount
{
    /// <summary>Books the opening balance of the treasury single account of division <paramref name="admDivCode"/> and the year, once.</summary>
    public static LibraryResult Handle(PbocContext pboc, Amount amount, string admDivCode) => pboc.Library.Run(session =>
    {
        var subject = $"treasury/{admDivCode}/{pboc.Master.StYear}";
        if (amount.IsNegative)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"an opening balance of {amount.ToWire()} is negative");
        }

        var opened = session.Connection.Execute(
            """
            INSERT INTO pboc_treasury (adm_div_code, st_year, opening_fen, balance_fen, opened_at) VALUES (@adm, @year, @fen, @fen, @now)
            ON CONFLICT (adm_div_code, st_year) DO NOTHING
            """,
            new { adm = admDivCode, year = pboc.Master.StYear, fen = amount.Fen, now = session.NowText }, session.Transaction);
        if (opened == 0)
        {
            session.AuditRefusal(PbocContext.Reviewer, "open-treasury-refused", subject, "the treasury account is already open");
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"the treasury account of {admDivCode}/{pboc.Master.StYear} is already open");
        }

        session.Audit(PbocContext.Reviewer, "open-treasury", subject, $"opening balance {amount.ToWire()}");
        return LibraryResult.Done(0);
    });

    /// <summary>Whether the treasury single account of the division and year was opened.</summary>
    public static bool IsOpen(PbocContext pboc, string admDivCode) => Stored(pboc, admDivCode) is not null;

    /// <summary>The balance of the division's treasury single account (zero when it was never opened).</summary>
    public static Amount Balance(PbocContext pboc, string admDivCode) => new(Stored(pboc, admDivCode) ?? 0);

    /// <summary>The stored balance, or null when the account was never opened.</summary>
    private static long? Stored(PbocContext pboc, string admDivCode)
    {
        using var connection = pboc.Library.Database.Connect();
        return connection.ExecuteScalar<long?>(
            "SELECT balance_fen FROM pboc_treasury WHERE adm_div_code = @adm AND st_year = @year",
            new { adm = admDivCode, year = pboc.Master.StYear });
    }
}
