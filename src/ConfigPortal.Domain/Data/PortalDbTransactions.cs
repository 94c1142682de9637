using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Data;

/// <summary>
/// The one way the domain opens a database transaction. SQL Server runs with a retrying execution strategy
/// (<c>EnableRetryOnFailure</c>), which refuses a transaction the caller begins itself ("the configured execution
/// strategy does not support user-initiated transactions"): the transaction has to be one retriable unit inside
/// <c>Database.CreateExecutionStrategy().ExecuteAsync(...)</c>. On SQLite the strategy does not retry and the
/// operation runs once.
/// </summary>
/// <remarks>
/// Each attempt starts with an empty change tracker and must do all of its reads and writes inside
/// <paramref name="operation"/> (load the rows it changes, create the entities it adds): a retry then repeats the
/// whole unit against the database as it is, and nothing of the failed attempt (a half-saved entity with a generated
/// key, a modified tracked row) leaks into the next one. Side effects outside the database (notifications, queueing,
/// metrics, log lines) belong after the call, once the transaction committed.
/// Audit entries are appended inside the operation with <c>IAuditService.AppendAsync</c> (a savepoint of this
/// transaction), so they commit or retry with it.
/// On SQLite (one writer at a time; transactions begin IMMEDIATE) the transactions of this process on one database
/// file queue at an in-process gate before BEGIN, so a waiting writer starts the moment the previous one commits.
/// Without it, concurrent backup workers met at BEGIN and waited in SQLite's busy handler, which sleeps 1, 2, 5, 10 …
/// up to 100 ms between retries: both cores sat idle while ready writers slept (ADR-013). Other processes on the same
/// file (a second instance) still wait in the busy handler, as before.
/// </remarks>
public static class PortalDbTransactions
{
    public static Task<T> ExecuteInTransactionAsync<T>(this IPortalDb db, Func<CancellationToken, Task<T>> operation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(operation);
        var strategy = db.Database.CreateExecutionStrategy();
        var gate = SqliteWriterGate(db);
        return strategy.ExecuteAsync(async attemptCt =>
        {
            db.ChangeTracker.Clear();
            if (gate is not null)
                await EnterAsync(gate, attemptCt);
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(attemptCt);
                var result = await operation(attemptCt);
                await tx.CommitAsync(attemptCt);
                return result;
            }
            finally
            {
                gate?.Release();
            }
        }, ct);
    }

    /// <summary>
    /// One write statement outside a transaction (SQLite runs it in its own implicit transaction), queued at the same
    /// in-process writer gate as <see cref="ExecuteInTransactionAsync{T}"/> on SQLite. Without the gate, a single
    /// UPDATE that met a committing batch waited in SQLite's busy handler, which sleeps 1, 2, 5, 10 … ms between
    /// retries: 25 backup claims at once took 80–105 ms each (fleet benchmark, session 7) for a few hundred
    /// microseconds of work. On other providers it runs directly.
    /// </summary>
    public static async Task<T> ExecuteWriteAsync<T>(this IPortalDb db, Func<CancellationToken, Task<T>> write, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(write);
        var gate = SqliteWriterGate(db);
        if (gate is null)
            return await write(ct);
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("ExecuteWriteAsync runs a statement outside a transaction; inside one, the transaction already holds the gate.");
        await EnterAsync(gate, ct);
        try
        {
            return await write(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Waits for the writer gate, at most <see cref="WriterGateTimeout"/>.</summary>
    private static async Task EnterAsync(SemaphoreSlim gate, CancellationToken ct)
    {
        if (!await gate.WaitAsync(WriterGateTimeout, ct))
            throw new TimeoutException($"Another writer held the SQLite database for more than {WriterGateTimeout.TotalSeconds:0} s.");
    }

    /// <summary>As long as SQLite's own wait for another writer (the connection's command timeout).</summary>
    private static readonly TimeSpan WriterGateTimeout = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteWriters = new(StringComparer.Ordinal);

    /// <summary>The in-process writer gate of this context's SQLite database (null for other providers).</summary>
    private static SemaphoreSlim? SqliteWriterGate(IPortalDb db) =>
        db.Database.IsSqliteProvider() && db.Database.GetConnectionString() is { } cs
            ? SqliteWriters.GetOrAdd(cs, _ => new SemaphoreSlim(1, 1))
            : null;

    public static Task ExecuteInTransactionAsync(this IPortalDb db, Func<CancellationToken, Task> operation, CancellationToken ct = default) =>
        db.ExecuteInTransactionAsync(async attemptCt =>
        {
            await operation(attemptCt);
            return true;
        }, ct);
}
