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
/// </remarks>
public static class PortalDbTransactions
{
    public static Task<T> ExecuteInTransactionAsync<T>(this IPortalDb db, Func<CancellationToken, Task<T>> operation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(operation);
        var strategy = db.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async attemptCt =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(attemptCt);
            var result = await operation(attemptCt);
            await tx.CommitAsync(attemptCt);
            return result;
        }, ct);
    }

    public static Task ExecuteInTransactionAsync(this IPortalDb db, Func<CancellationToken, Task> operation, CancellationToken ct = default) =>
        db.ExecuteInTransactionAsync(async attemptCt =>
        {
            await operation(attemptCt);
            return true;
        }, ct);
}
