using System.Diagnostics.Metrics;
using System.Text.Json;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Domain.Audit;

/// <summary>The one way audit entries are written. Never throws; a failure is logged, counted and reported by health.</summary>
public interface IAuditService
{
    /// <summary>Records one entry in its own transaction.</summary>
    Task RecordAsync(AuditRecord record, CancellationToken ct = default);

    /// <summary>
    /// Appends entries inside the caller's open transaction on <paramref name="db"/> (so they commit or roll back with
    /// the operation). On failure the entries are rolled back to a savepoint and the operation goes on.
    /// Returns false when the entries could not be written.
    /// </summary>
    Task<bool> AppendAsync(IPortalDb db, IReadOnlyList<AuditRecord> records, CancellationToken ct = default);
}

/// <summary>Health of audit writing, shared by the whole process (metrics + health endpoint).</summary>
public sealed class AuditHealth
{
    public static readonly Meter Meter = new("ConfigPortal.Audit");
    private static readonly Counter<long> FailureCounter = Meter.CreateCounter<long>("configportal.audit.write_failures");
    private static readonly Counter<long> WrittenCounter = Meter.CreateCounter<long>("configportal.audit.entries_written");
    private long _failures;
    private long _written;

    public long FailedWrites => Interlocked.Read(ref _failures);
    public long EntriesWritten => Interlocked.Read(ref _written);
    public DateTime? LastFailureUtc { get; private set; }
    public string? LastFailureAction { get; private set; }
    public string? LastFailureError { get; private set; }

    internal void RecordFailure(string action, Exception ex, int count, DateTime now)
    {
        Interlocked.Add(ref _failures, count);
        LastFailureUtc = now;
        LastFailureAction = action;
        // The exception type only: messages of database errors can echo values.
        LastFailureError = ex.GetType().Name;
        FailureCounter.Add(count);
    }

    internal void RecordWritten(int count)
    {
        Interlocked.Add(ref _written, count);
        WrittenCounter.Add(count);
    }
}

public sealed class AuditOptions
{
    /// <summary>HMAC key of the chain, held outside the database (base64, 32+ bytes).</summary>
    public byte[] ChainKey { get; set; } = [];
}

public sealed class AuditService(
    IPortalDbFactory dbFactory,
    ICurrentActor actor,
    AuditHasher hasher,
    AuditHealth health,
    TimeProvider clock,
    ILogger<AuditService> logger) : IAuditService
{
    private const int MaxDetailsLength = 16_000;

    internal static readonly JsonSerializerOptions DetailsJsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        // Keep quotes and non-ASCII readable (\" rather than \u0022) so that the text search finds the words a user
        // sees. Details are never written into HTML unencoded: pages render them as text, exports re-encode them.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task RecordAsync(AuditRecord record, CancellationToken ct = default)
    {
        try
        {
            // AppendAsync never throws: when it fails it has rolled back to its savepoint, and committing the
            // then empty transaction changes nothing.
            await using var db = await dbFactory.CreateAsync(CancellationToken.None);
            await db.ExecuteInTransactionAsync(ct => AppendAsync(db, [record], ct), CancellationToken.None);
        }
        catch (Exception ex)
        {
            Fail([record], ex);
        }
    }

    public async Task<bool> AppendAsync(IPortalDb db, IReadOnlyList<AuditRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0)
            return true;
        // The audit write is not cancelled with the operation: an operation that happened is recorded.
        ct = CancellationToken.None;
        var tx = db.Database.CurrentTransaction;
        var added = new List<AuditEntry>();
        try
        {
            if (tx is null)
                throw new InvalidOperationException("AppendAsync needs an open transaction.");
            await tx.CreateSavepointAsync("audit", ct);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var group in records.GroupBy(r => r.TenantId))
            {
                var tenantId = group.Key;
                var head = await LockHeadAsync(db, tenantId, now, ct);
                var seq = head.LastSequence;
                var prev = head.LastHash;
                // Timestamps never go back along a chain (the head holds the last entry's time and is locked here), so
                // a time window is a sequence range and the grid can page it by sequence (AuditQueryService.Apply).
                var at = head.UpdatedAtUtc > now && head.LastSequence > 0 ? DateTime.SpecifyKind(head.UpdatedAtUtc, DateTimeKind.Utc) : now;
                foreach (var r in group)
                {
                    var entry = Build(r, ++seq, prev, at);
                    prev = entry.Hash;
                    added.Add(entry);
                    db.AuditEntries.Add(entry);
                }
                await db.SaveChangesAsync(ct);
                await db.AuditChainHeads.Where(h => h.TenantId == tenantId)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(h => h.LastSequence, seq)
                        .SetProperty(h => h.LastHash, prev)
                        .SetProperty(h => h.UpdatedAtUtc, at), ct);
            }
            await tx.ReleaseSavepointAsync("audit", ct);
            health.RecordWritten(added.Count);
            return true;
        }
        catch (Exception ex)
        {
            foreach (var e in added)
                db.ChangeTracker.Entries<AuditEntry>().Where(x => ReferenceEquals(x.Entity, e)).ToList().ForEach(x => x.State = EntityState.Detached);
            if (tx is not null)
            {
                try { await tx.RollbackToSavepointAsync("audit", ct); }
                catch (Exception rollbackEx) { logger.LogError(rollbackEx, "Rolling back the audit savepoint failed."); }
            }
            Fail(records, ex);
            return false;
        }
    }

    private static async Task<AuditChainHead> LockHeadAsync(IPortalDb db, int tenantId, DateTime now, CancellationToken ct)
    {
        // A write first: it takes the row (SQL Server) or database (SQLite) write lock before the head is read,
        // so concurrent appenders of one tenant queue here instead of forking the chain. It leaves the row as it is:
        // UpdatedAtUtc keeps the time of the chain's last entry.
        AuditChainHead? current;
        if (db.Database.IsSqliteProvider())
        {
            // SQLite: the write and the read in one statement (UPDATE ... RETURNING), one round trip fewer per append.
            current = (await db.AuditChainHeads
                .FromSqlRaw("UPDATE \"AuditChainHeads\" SET \"LastSequence\" = \"LastSequence\" WHERE \"TenantId\" = {0} RETURNING *", tenantId)
                .AsNoTracking().ToListAsync(ct)).FirstOrDefault(); // the head has no query filter: the SQL runs as written
        }
        else
        {
            var touched = await db.AuditChainHeads.Where(h => h.TenantId == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, h => h.LastSequence), ct);
            current = touched == 0 ? null : await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.TenantId == tenantId, ct);
        }
        if (current is null)
        {
            var head = new AuditChainHead { TenantId = tenantId, LastSequence = 0, LastHash = AuditHasher.GenesisHash, UpdatedAtUtc = now };
            db.AuditChainHeads.Add(head);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Entries<AuditChainHead>().ToList().ForEach(x => x.State = EntityState.Detached);
            return head;
        }
        return current;
    }

    private AuditEntry Build(AuditRecord r, long seq, string previousHash, DateTime now)
    {
        var details = r.Details switch
        {
            null => "{}",
            string s => s,
            _ => JsonSerializer.Serialize(r.Details, r.Details.GetType(), DetailsJsonOptions),
        };
        if (details.Length > MaxDetailsLength)
            details = JsonSerializer.Serialize(new { truncated = true, prefix = details[..1000] }, DetailsJsonOptions);

        var entry = new AuditEntry
        {
            TenantId = r.TenantId,
            Sequence = seq,
            TimestampUtc = now,
            ActorKind = r.ActorKind ?? actor.Kind,
            ActorId = r.ActorKind is null ? actor.UserId ?? actor.ApiTokenId?.ToString(System.Globalization.CultureInfo.InvariantCulture) : r.ActorId,
            ActorName = r.ActorName ?? actor.Name,
            Action = r.Action,
            ResourceType = r.ResourceType,
            ResourceId = r.ResourceId,
            DeviceId = r.DeviceId,
            DeviceName = r.DeviceName,
            ClientIp = r.ClientIp ?? actor.ClientIp,
            UserAgent = r.ActorKind is null ? Truncate(actor.UserAgent, 256) : null,
            CorrelationId = r.CorrelationId ?? actor.CorrelationId,
            Outcome = r.Outcome,
            DetailsJson = details,
            PreviousHash = previousHash,
            Hash = "",
        };
        entry.Hash = hasher.ComputeHash(entry);
        return entry;
    }

    private static string? Truncate(string? s, int max) => s is null || s.Length <= max ? s : s[..max];

    private void Fail(IReadOnlyList<AuditRecord> records, Exception ex)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var r in records)
        {
            // Never the details or the exception message (a database error can echo values); the type and the
            // identifying fields are enough to find the operation in the application log.
            logger.LogError("Audit entry could not be written: action {Action}, tenant {TenantId}, resource {ResourceType} {ResourceId}, correlation {CorrelationId}: {ErrorType}",
                r.Action, r.TenantId, r.ResourceType, r.ResourceId, r.CorrelationId ?? actor.CorrelationId, ex.GetType().Name);
        }
        health.RecordFailure(records[0].Action, ex, records.Count, now);
    }
}
