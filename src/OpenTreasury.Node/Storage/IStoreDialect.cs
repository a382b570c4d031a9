using System.Data.Common;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// What one database engine does its own way: how a connection is opened and configured, how a write
/// transaction begins, and which errors mean "busy, try again" or "that key is already there". Everything
/// else goes through the ADO.NET base types, so only <c>Storage/</c> names the engine.
/// </summary>
public interface IStoreDialect
{
    /// <summary>The engine's name, as an operator would say it ("SQLite").</summary>
    string Name { get; }

    /// <summary>A new open connection, configured for durable commits.</summary>
    DbConnection Open();

    /// <summary>Begins a write transaction that takes the write lock at once, so writers queue and none upgrades late.</summary>
    DbTransaction BeginWrite(DbConnection connection);

    /// <summary>Prepares a store that has nothing in it yet, before its first migration (SQLite: the WAL journal).</summary>
    void PrepareNew(DbConnection connection);

    /// <summary>
    /// The schema version a build from before numbered migrations wrote into the store, 0 if none
    /// (SQLite: <c>PRAGMA user_version</c>).
    /// </summary>
    long LegacySchemaVersion(DbConnection connection);

    /// <summary>True when the error says the store is busy or locked by another writer: the operation may be retried.</summary>
    bool IsBusy(DbException exception);

    /// <summary>True when the error says a row with the same unique or primary key is already there.</summary>
    bool IsUniqueViolation(DbException exception);
}
