using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ConfigPortal.Infrastructure.Persistence;

/// <summary>How SQLite syncs commits to disk (<c>Database:SqliteSynchronous</c>; ADR-012).</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// WAL mode: a commit is durable against a crash of the process or the portal, not against a power loss or an OS
    /// crash (the last commits before one can be lost, the file stays consistent). Fsyncs happen at checkpoints only.
    /// </summary>
    Normal = 1,
    /// <summary>SQLite's default: every commit fsyncs the WAL (durable against power loss).</summary>
    Full = 2,
    /// <summary>As Full, and also syncs the directory after a WAL reset.</summary>
    Extra = 3,
}

/// <summary>
/// Sets <c>PRAGMA synchronous</c>, <c>PRAGMA busy_timeout</c>, <c>PRAGMA mmap_size</c> and <c>PRAGMA temp_store</c> on every SQLite connection the portal opens. All are
/// per native connection and Microsoft.Data.Sqlite pools native connections, so this runs once per pooled connection,
/// not once per query.
/// </summary>
/// <remarks>
/// busy_timeout: without it, a writer that finds the database locked by another writer (the backup worker runs 16 at
/// once) gets SQLITE_BUSY at once and Microsoft.Data.Sqlite retries after sleeping 150 ms; measured here, a 5 ms lock
/// cost the next writer 150 ms. With SQLite's own busy handler the waiter retries after 1, 2, 5, 10 ... ms (8.5 ms median
/// for the same 5 ms lock). The overall limit stays the command timeout (30 s), as before.
/// </remarks>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    private static readonly ConditionalWeakTable<object, object> Applied = new();
    private static readonly Dictionary<SqliteSynchronous, SqlitePragmaInterceptor> Instances =
        Enum.GetValues<SqliteSynchronous>().ToDictionary(v => v, v => new SqlitePragmaInterceptor(v));
    private readonly string _sql;

    private SqlitePragmaInterceptor(SqliteSynchronous synchronous) =>
        _sql = $"PRAGMA synchronous={synchronous.ToString().ToUpperInvariant()}; PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA mmap_size={MmapBytes}; PRAGMA temp_store=MEMORY;";

    /// <summary>
    /// Reads through memory-mapped I/O for the first GiB of the file: a page read is a memory access instead of a
    /// <c>pread</c> system call and a copy into SQLite's page cache. Writes are unchanged (WAL). Reading a tenant's whole
    /// audit chain, whose rows lie scattered over a large file, is where this counts (docs/benchmarks.md, Audit).
    /// </summary>
    public const long MmapBytes = 1L << 30;

    // temp_store=MEMORY: statement journals (kept by an UPDATE inside a transaction, such as the 50 KB latest-config
    // text a changed backup rewrites) and temporary sort tables stay in memory. With files, a statement journal over
    // SQLite's 64 KiB spill size meant creating, writing, closing and deleting a file in /var/tmp inside the writer's
    // transaction.

    /// <summary>
    /// How long SQLite itself waits for another writer's lock: the same limit as the connection's command timeout
    /// (<see cref="DatabaseOptions.SqliteBusyTimeoutSeconds"/>, one setting for both).
    /// </summary>
    public const int BusyTimeoutMs = DatabaseOptions.SqliteBusyTimeoutSeconds * 1000;

    /// <summary>One shared instance per setting (the same options on every context: EF Core reuses its service provider).</summary>
    public static SqlitePragmaInterceptor For(SqliteSynchronous synchronous) =>
        Instances.TryGetValue(synchronous, out var i) ? i : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "Unknown SQLite synchronous setting.");

    /// <summary>The same pragmas on a connection the portal opened itself (<see cref="SqliteConnectionPool"/>).</summary>
    public void Apply(DbConnection connection) => ConnectionOpened(connection, null!);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsPragma(connection, out var handle))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _sql;
            command.ExecuteNonQuery();
            Applied.AddOrUpdate(handle, this);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsPragma(connection, out var handle))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Applied.AddOrUpdate(handle, this);
        }
    }

    private bool NeedsPragma(DbConnection connection, out object handle)
    {
        handle = null!;
        if (connection is not SqliteConnection { Handle: { } native }) return false;
        handle = native;
        return !Applied.TryGetValue(native, out var by) || !ReferenceEquals(by, this);
    }
}
