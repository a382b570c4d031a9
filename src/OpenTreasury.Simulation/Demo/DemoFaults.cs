using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Simulation.Demo;

/// <summary>
/// The demo's injected faults. They write around the desks, as a clerk's slip or a broken core system
/// would, so that reconciliation and <c>treasury node check</c> have something real to find; production
/// code knows nothing of them.
/// </summary>
public static class DemoFaults
{
    /// <summary>The audit operation a fault is recorded under, so nobody mistakes it for the desk's work.</summary>
    public const string Misbook = "demo-fault-misbook";

    /// <summary>
    /// The bank books the first cleared, not yet reported payment line of <paramref name="date"/> wrong by
    /// <paramref name="fen"/> (its <c>bank_payments</c> row): its next 2207 reports the wrong amount.
    /// </summary>
    public static LibraryResult MisbookFirstUnreportedLine(TreasuryNode bank, DateOnly date, long fen)
    {
        ArgumentNullException.ThrowIfNull(bank);
        return bank.Library.Run(session =>
        {
            var line = session.Connection.QueryFirstOrDefault<(long VoucherId, long Line, string VoucherNo)?>(
                """
                SELECT voucher_id, line, voucher_no FROM bank_payments
                WHERE reported_in IS NULL AND cleared_date IS NOT NULL AND pay_date <= @date ORDER BY voucher_id, line LIMIT 1
                """,
                new { date = date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) }, session.Transaction);
            if (line is not { } row)
            {
                return LibraryResult.Done(0); // Nothing left to misbook (a rerun after the report).
            }

            session.Connection.Execute(
                "UPDATE bank_payments SET amount_fen = amount_fen + @fen WHERE voucher_id = @VoucherId AND line = @Line",
                new { fen, row.VoucherId, row.Line }, session.Transaction);
            session.Audit("demo", Misbook, $"{row.VoucherNo}/{row.Line}", $"booked {fen} fen off (demo --inject-mismatch)");
            return LibraryResult.Done(row.VoucherId);
        });
    }
}
