using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Data;

namespace ConfigPortal.Domain.Backups;

/// <summary>
/// Group commit of the backup pipeline (ADR-015): the commits of concurrent runs of one tenant that are ready while
/// another batch holds the database's writer share one transaction. Each run's statements run under their own savepoint,
/// so a run whose commit fails (its latest snapshot moved, its lease was lost, a constraint) rolls back alone and gets
/// its exception; the audit entries of the runs that succeeded are appended once at the end (one chain-head lock and
/// update per batch instead of per run). A run's commit is reported done only once the shared transaction committed;
/// when the transaction itself fails, every run of the batch gets that exception, as a run committing alone would.
/// </summary>
/// <remarks>
/// No thread and no timer: the first run to arrive while no batch of its tenant is being committed leads, committing
/// one batch (its own commit among them) with its own database context, then hands the lead to the oldest waiting run.
/// A batch is whatever arrived meanwhile, up to <see cref="MaxBatch"/> runs; a run alone commits at once.
/// </remarks>
public sealed class BackupCommitBatcher
{
    /// <summary>Upper bound on the runs of one transaction (bounds how long one batch holds the writer).</summary>
    public const int MaxBatch = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, TenantQueue> _tenants = [];

    private sealed class TenantQueue
    {
        public readonly Queue<Item> Pending = new();
        public bool Led;
    }

    /// <summary>One run's commit: its statements, the audit records they produced, and how it ended.</summary>
    private abstract class Item
    {
        /// <summary>Completed with true when this run should lead (commit batches), with false when its commit is done.</summary>
        public readonly TaskCompletionSource<bool> Signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public IReadOnlyList<AuditRecord> Records = [];
        public Exception? Error;
        public abstract Task RunAsync(IPortalDb db, CancellationToken ct);
        public abstract void Reset();
    }

    private sealed class Item<T>(Func<IPortalDb, CancellationToken, Task<(T Value, IReadOnlyList<AuditRecord> Audit)>> work) : Item
    {
        public T? Value;

        public override async Task RunAsync(IPortalDb db, CancellationToken ct)
        {
            var (value, records) = await work(db, ct);
            Value = value;
            Records = records;
        }

        public override void Reset()
        {
            Value = default;
            Records = [];
            Error = null;
        }
    }

    /// <summary>Number of runs committed in shared transactions so far, and the transactions (for the benchmark).</summary>
    public long CommittedRuns => Interlocked.Read(ref _committedRuns);
    public long Transactions => Interlocked.Read(ref _transactions);
    private long _committedRuns;
    private long _transactions;

    /// <summary>
    /// Commits <paramref name="work"/> (the run's statements; it returns its audit records instead of appending them)
    /// in a shared transaction of <paramref name="tenantId"/>, opened through <paramref name="dbFactory"/> when this
    /// run leads. Returns the work's value once the transaction committed; throws the work's exception (its savepoint
    /// was rolled back, the other runs committed) or the transaction's.
    /// </summary>
    public async Task<T> CommitAsync<T>(int tenantId, IPortalDbFactory dbFactory, IAuditService audit,
        Func<IPortalDb, CancellationToken, Task<(T Value, IReadOnlyList<AuditRecord> Audit)>> work)
    {
        var item = new Item<T>(work);
        bool lead;
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenantId, out var queue))
                _tenants[tenantId] = queue = new TenantQueue();
            queue.Pending.Enqueue(item);
            lead = !queue.Led;
            queue.Led = true;
        }
        if (lead || await item.Signal.Task)
            await LeadAsync(tenantId, dbFactory, audit);
        if (item.Error is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return item.Value!;
    }

    /// <summary>
    /// Commits one batch, then hands the lead to the oldest waiting run (or gives it up). The leader is always the oldest
    /// run of the queue (it arrived to an empty queue, or was handed the lead as the oldest), so its own commit is in
    /// this batch.
    /// </summary>
    private async Task LeadAsync(int tenantId, IPortalDbFactory dbFactory, IAuditService audit)
    {
        List<Item> batch;
        lock (_lock)
        {
            var queue = _tenants[tenantId];
            batch = new List<Item>(Math.Min(queue.Pending.Count, MaxBatch));
            while (batch.Count < MaxBatch && queue.Pending.TryDequeue(out var next))
                batch.Add(next);
        }
        await CommitBatchAsync(batch, dbFactory, audit);
        foreach (var item in batch)
            item.Signal.TrySetResult(false); // done (the leader's own signal is not awaited any more)
        lock (_lock)
        {
            var queue = _tenants[tenantId];
            if (queue.Pending.TryPeek(out var next))
                next.Signal.TrySetResult(true); // the oldest waiting run leads now, with its own context
            else
                queue.Led = false;
        }
    }

    private async Task CommitBatchAsync(List<Item> batch, IPortalDbFactory dbFactory, IAuditService audit)
    {
        // One span per shared transaction (with its size), besides each run's backup.commit span (which includes the wait).
        using var activity = BackupPipeline.Activity.StartActivity("backup.commit_batch");
        activity?.SetTag("batch.runs", batch.Count);
        try
        {
            await using var db = await dbFactory.CreateAsync(CancellationToken.None);
            // No SAVEPOINT/RELEASE around each SaveChanges (EF Core's default inside a transaction; two statements each,
            // three SaveChanges per changed config): a failed run rolls back to its own savepoint below, or the whole
            // transaction rolls back when it is alone, so nothing a failed SaveChanges wrote can be committed.
            db.Database.AutoSavepointsEnabled = false;
            // A collected config is committed even when shutdown is requested: no cancellation here.
            await db.ExecuteInTransactionAsync(async ct =>
            {
                var tx = db.Database.CurrentTransaction!;
                var records = new List<AuditRecord>();
                for (var i = 0; i < batch.Count; i++)
                {
                    var item = batch[i];
                    item.Reset(); // a retried transaction (SQL Server's execution strategy) runs every item again
                    var savepoint = "run" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (batch.Count > 1) await tx.CreateSavepointAsync(savepoint, ct);
                    try
                    {
                        await item.RunAsync(db, ct);
                        if (batch.Count > 1) await tx.ReleaseSavepointAsync(savepoint, ct);
                        records.AddRange(item.Records);
                    }
                    catch (Exception ex) when (batch.Count > 1 && ex is not OperationCanceledException)
                    {
                        await tx.RollbackToSavepointAsync(savepoint, ct);
                        item.Error = ex;
                    }
                    catch (Exception ex) when (batch.Count == 1)
                    {
                        item.Error = ex;
                        throw; // alone: the transaction rolls back as a whole
                    }
                    // Rows of this run stay out of the next run's SaveChanges (a failed run's unsaved entities above all).
                    db.ChangeTracker.Clear();
                }
                await audit.AppendAsync(db, records, ct);
            }, CancellationToken.None);
            Interlocked.Add(ref _committedRuns, batch.Count(i => i.Error is null));
            Interlocked.Increment(ref _transactions);
        }
        catch (Exception ex)
        {
            // The transaction did not commit: nothing of the batch is stored.
            // A run that had failed on its own keeps its own exception (its retry or discard still applies).
            foreach (var item in batch)
                item.Error ??= ex;
        }
    }
}
