using System.Data.Common;
using System.Globalization;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Node.Library;

/// <summary>
/// One write transaction on a node's database (BEGIN IMMEDIATE: writers queue, none upgrade late).
/// Business slices put their state change, the vouchers, the outbox rows and the audit entries in
/// one session, so they commit together or not at all.
/// </summary>
public sealed class LibrarySession : IDisposable
{
    private readonly Action<LibrarySession>? _beforeCommit;

    internal LibrarySession(NodeDatabase database, DateTimeOffset now, Action<LibrarySession>? beforeCommit = null)
    {
        _beforeCommit = beforeCommit;
        Database = database;
        Connection = database.Connect();
        try
        {
            Transaction = database.BeginWrite(Connection);
        }
        catch
        {
            Connection.Dispose();
            throw;
        }

        Now = now;
    }

    public DbConnection Connection { get; }

    /// <summary>The store this session writes.</summary>
    internal NodeDatabase Database { get; }

    public DbTransaction Transaction { get; }

    /// <summary>The time of this transaction, read once from the node's clock.</summary>
    public DateTimeOffset Now { get; }

    public string NowText => Now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public void Audit(string actor, string operation, string subject, string detail) =>
        AuditLog.Append(Connection, Transaction, Now, actor, operation, subject, detail);

    /// <summary>
    /// Notes a refusal for the audit log. It survives the rollback of this transaction: the library
    /// writes it in a transaction of its own once this one is over (see <see cref="VoucherLibrary.Run"/>).
    /// </summary>
    public void AuditRefusal(string actor, string operation, string subject, string detail) =>
        Refusals.Add(new(actor, operation, subject, detail));

    internal List<RefusalEntry> Refusals { get; } = [];

    /// <summary>Commits, after the library's own last step of every transaction (a signed audit checkpoint when one is due).</summary>
    public void Commit()
    {
        _beforeCommit?.Invoke(this);
        Transaction.Commit();
    }

    internal sealed record RefusalEntry(string Actor, string Operation, string Subject, string Detail);

    public void Dispose()
    {
        Transaction.Dispose();
        Connection.Dispose();
    }
}
