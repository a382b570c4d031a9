using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc;

/// <summary>What moved the treasury single account (国库单一账户): the stored kind and its direction.</summary>
public enum TreasuryMovementKind
{
    Clearing,         // 2301 cleared to a bank (授权 and 直接支付), debit
    Allocation,       // 5207 paid (实拨), debit
    Refund,           // 2302 credited back by a bank (退款), credit
    AllocationRefund, // 3208 credited back (实拨退款), credit
}

/// <summary>One day (or the year so far) of the treasury single account: opening, movements, closing, to the fen.</summary>
public sealed record TreasuryBook(Amount Opening, Amount Cleared, Amount Allocated, Amount Refunded, Amount AllocationRefunded, Amount Closing)
{
    /// <summary>closing = opening − cleared − allocated + refunded + allocation refunds.</summary>
    public bool Balances => Opening - Cleared - Allocated + Refunded + AllocationRefunded == Closing;
}

/// <summary>
/// The treasury single account's movements: every clearing, allocation and refund moves the balance and is
/// recorded (pboc_treasury_movements) in the transaction that decides it. A debit beyond the balance is
/// refused by its caller (<see cref="Shortfall"/>) and could not be written anyway: the balance has a CHECK.
/// </summary>
internal static class TreasuryAccount
{
    /// <summary>Why a debit of <paramref name="amount"/> cannot be made now (not open, or beyond the balance), else null.</summary>
    public static string? Shortfall(LibrarySession session, string admDivCode, long stYear, Amount amount, string what)
    {
        var balance = Balance(session, admDivCode, stYear);
        return balance is null ? PbocRejection.TreasuryAccountNotOpen.Say($"{admDivCode}/{stYear} 国库单一账户未开立, 不能{what}")
            : balance.Value < amount ? PbocRejection.InsufficientTreasuryBalance.Say($"国库单一账户余额 {balance.Value.ToWire()} 不足{what} {amount.ToWire()}")
            : null;
    }

    public static Amount? Balance(LibrarySession session, string admDivCode, long stYear) =>
        session.Connection.ExecuteScalar<long?>(
            "SELECT balance_fen FROM pboc_treasury WHERE adm_div_code = @adm AND st_year = @year",
            new { adm = admDivCode, year = stYear }, session.Transaction) is { } fen ? new Amount(fen) : null;

    /// <summary>Moves the balance by one voucher's amount and records the movement, once per (kind, voucher).</summary>
    public static void Move(LibrarySession session, string admDivCode, long stYear, TreasuryMovementKind kind, string voucherKey, Amount amount, DateOnly businessDate)
    {
        if (amount <= Amount.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "a treasury movement is positive; its kind gives the direction");
        }

        var debit = kind is TreasuryMovementKind.Clearing or TreasuryMovementKind.Allocation;
        var delta = debit ? -amount.Fen : amount.Fen;
        var moved = session.Connection.Execute(
            "UPDATE pboc_treasury SET balance_fen = balance_fen + @delta WHERE adm_div_code = @adm AND st_year = @year AND balance_fen + @delta >= 0",
            new { delta, adm = admDivCode, year = stYear }, session.Transaction);
        if (moved != 1)
        {
            throw new InvalidOperationException($"the treasury account {admDivCode}/{stYear} cannot take {kind} {amount.ToWire()} of {voucherKey}: checked before, changed under it");
        }

        session.Connection.Execute(
            """
            INSERT INTO pboc_treasury_movements (adm_div_code, st_year, business_date, kind, voucher_key, amount_fen, balance_fen, recorded_at)
            VALUES (@adm, @year, @date, @kind, @voucherKey, @fen, (SELECT balance_fen FROM pboc_treasury WHERE adm_div_code = @adm AND st_year = @year), @now)
            """,
            new { adm = admDivCode, year = stYear, date = PbocContext.Date(businessDate), kind = Stored(kind), voucherKey, fen = amount.Fen, now = session.NowText },
            session.Transaction);
    }

    /// <summary>
    /// The book of division <paramref name="admDivCode"/> on <paramref name="day"/> (all days when null): the balance before it (the opening plus the
    /// earlier movements), each kind's total, and the closing read from the stored balance less the later
    /// movements. <see cref="TreasuryBook.Balances"/> thus checks the movements against the stored balance.
    /// </summary>
    public static TreasuryBook Book(PbocContext pboc, DateOnly? day, string admDivCode)
    {
        const string Signed = "COALESCE(SUM(CASE WHEN kind IN ('clearing', 'allocation') THEN -amount_fen ELSE amount_fen END), 0)";
        using var connection = pboc.Library.Database.Connect();
        var key = new { adm = admDivCode, year = pboc.Master.StYear, day = day is { } d ? PbocContext.Date(d) : null };
        var account = connection.QueryFirstOrDefault<(long Opening, long Balance)?>(
            "SELECT opening_fen, balance_fen FROM pboc_treasury WHERE adm_div_code = @adm AND st_year = @year", key) ?? (0, 0);
        var sums = connection.Query<(string Kind, long Fen)>(
            """
            SELECT kind, SUM(amount_fen) FROM pboc_treasury_movements
            WHERE adm_div_code = @adm AND st_year = @year AND (@day IS NULL OR business_date = @day) GROUP BY kind
            """, key).ToDictionary(r => r.Kind, r => new Amount(r.Fen), StringComparer.Ordinal);
        long Moved(string when) => day is null ? 0 : connection.ExecuteScalar<long>(
            $"SELECT {Signed} FROM pboc_treasury_movements WHERE adm_div_code = @adm AND st_year = @year AND business_date {when} @day", key);
        Amount Of(TreasuryMovementKind kind) => sums.GetValueOrDefault(Stored(kind), Amount.Zero);
        return new TreasuryBook(
            new Amount(checked(account.Opening + Moved("<"))),
            Of(TreasuryMovementKind.Clearing), Of(TreasuryMovementKind.Allocation), Of(TreasuryMovementKind.Refund), Of(TreasuryMovementKind.AllocationRefund),
            new Amount(checked(account.Balance - Moved(">"))));
    }

    private static string Stored(TreasuryMovementKind kind) => kind switch
    {
        TreasuryMovementKind.Clearing => "clearing",
        TreasuryMovementKind.Allocation => "allocation",
        TreasuryMovementKind.Refund => "refund",
        TreasuryMovementKind.AllocationRefund => "allocation_refund",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
