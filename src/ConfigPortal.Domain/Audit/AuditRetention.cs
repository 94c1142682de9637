using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Domain.Audit;

/// <summary>
/// The details of an <see cref="AuditActions.AuditRetentionApplied"/> entry: the range retention removed from the start
/// of the chain and the hash of its last entry, which the first remaining entry links to.
/// </summary>
public sealed record RetentionCheckpoint(
    [property: JsonPropertyName("firstSequence")] long FirstSequence,
    [property: JsonPropertyName("lastSequence")] long LastSequence,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("cutoffUtc")] DateTime CutoffUtc,
    [property: JsonPropertyName("lastHash")] string LastHash,
    [property: JsonPropertyName("retentionDays")] int RetentionDays)
{
    /// <summary>The checkpoint in an entry's details; null when the details are not one.</summary>
    public static RetentionCheckpoint? TryParse(string? detailsJson)
    {
        if (string.IsNullOrEmpty(detailsJson)) return null;
        try
        {
            var cp = JsonSerializer.Deserialize<RetentionCheckpoint>(detailsJson);
            return cp is { LastSequence: > 0, LastHash.Length: 64 } && cp.FirstSequence >= 1 && cp.FirstSequence <= cp.LastSequence ? cp : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The outcome of one retention run for a tenant.</summary>
public sealed record AuditRetentionResult(bool Applied, long RemovedCount, long? FirstRemoved, long? LastRemoved, DateTime? CutoffUtc, long? CheckpointSequence, string Message);

/// <summary>Raised when retention is asked of a database whose audit table refuses deletes (an append-only ledger table).</summary>
public sealed class AuditRetentionUnavailableException(string message) : Exception(message);

/// <summary>
/// Audit retention: the ONLY path that removes audit entries (the application has no update path at all). For a tenant
/// with "keep audit entries N days" set, it removes the oldest whole range of the chain up to the cutoff (now − N days),
/// never a partial or middle range and never an entry at or after the cutoff, and in the same transaction appends an
/// <see cref="AuditActions.AuditRetentionApplied"/> checkpoint carrying the range and the last removed entry's hash, so
/// the verifier (and the offline verifier on an export) still find the remaining chain intact from its first sequence.
/// On SQL Server with the audit table created as an append-only ledger table (docs/decisions/ADR-007-audit-ledger.md)
/// deletes are impossible: retention refuses, and the setting cannot be turned on.
/// </summary>
public sealed class AuditRetentionService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit, TimeProvider clock, ILogger<AuditRetentionService> logger)
{
    /// <summary>The longest and shortest retention a tenant can set (days).</summary>
    public const int MinDays = 30;
    public const int MaxDays = 36_500;

    /// <summary>At most this many entries are removed per transaction; a run repeats until the cutoff is reached.</summary>
    public const int BatchSize = 50_000;

    /// <summary>
    /// Applies the active tenant's retention setting now (the daily job calls it as the system actor in each tenant; a
    /// tenant admin may too). Nothing happens when retention is off or nothing is older than the cutoff.
    /// </summary>
    public async Task<AuditRetentionResult> ApplyAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "apply audit retention", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var days = await db.Tenants.AsNoTracking().Where(t => t.Id == grant.TenantId).Select(t => t.AuditRetentionDays).SingleAsync(ct);
        if (days is not { } keep)
            return new AuditRetentionResult(false, 0, null, null, null, null, "Audit retention is off for this tenant.");
        if (await AuditStorage.IsAppendOnlyLedgerAsync(db, ct))
            throw new AuditRetentionUnavailableException(AuditStorage.LedgerRetentionMessage);

        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-keep);
        long removed = 0;
        long? first = null, last = null, checkpoint = null;
        while (true)
        {
            var step = await RemoveBatchAsync(db, grant.TenantId, keep, cutoff, ct);
            if (step is null) break;
            removed += step.Count;
            first ??= step.FirstSequence;
            last = step.LastSequence;
            checkpoint = step.CheckpointSequence;
            if (step.Count < BatchSize) break;
        }
        if (removed == 0)
            return new AuditRetentionResult(false, 0, null, null, cutoff, null, "No audit entries are older than the retention period.");
        logger.LogInformation("Audit retention removed entries {First}-{Last} ({Count}) of tenant {TenantId}, cutoff {Cutoff:u}.", first, last, removed, grant.TenantId, cutoff);
        return new AuditRetentionResult(true, removed, first, last, cutoff, checkpoint,
            string.Create(CultureInfo.InvariantCulture, $"Removed entries {first}–{last} ({removed:N0}) older than {cutoff:u}."));
    }

    private sealed record Step(long FirstSequence, long LastSequence, long Count, long CheckpointSequence);

    private async Task<Step?> RemoveBatchAsync(IPortalDb db, int tenantId, int keep, DateTime cutoff, CancellationToken ct) =>
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var entries = db.AuditEntries.Where(e => e.TenantId == tenantId);
            var first = await entries.OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.TimestampUtc }).FirstOrDefaultAsync(ct);
            if (first is null || first.TimestampUtc >= cutoff) return null;
            // The removable range is the prefix before the first entry at or after the cutoff: whole, oldest first, and
            // never an entry newer than the cutoff even if timestamps were not in sequence order.
            var firstKept = await entries.Where(e => e.TimestampUtc >= cutoff).MinAsync(e => (long?)e.Sequence, ct);
            var last = Math.Min((firstKept ?? long.MaxValue) - 1, first.Sequence + BatchSize - 1);
            // The chain head is never removed: the checkpoint appended below links to it.
            var tail = await entries.MaxAsync(e => e.Sequence, ct);
            last = Math.Min(last, tail);
            if (last < first.Sequence) return null;
            var lastHash = await entries.Where(e => e.Sequence == last).Select(e => e.Hash).SingleAsync(ct);
            var count = await entries.Where(e => e.Sequence <= last).ExecuteDeleteAsync(ct);
            var cp = new RetentionCheckpoint(first.Sequence, last, count, cutoff, lastHash, keep);
            var ok = await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = tenantId,
                Action = AuditActions.AuditRetentionApplied,
                ResourceType = "audit_chain",
                ResourceId = tenantId.ToString(CultureInfo.InvariantCulture),
                Details = cp,
            }], ct);
            // Without its checkpoint the removal would look like tampering: undo it.
            if (!ok) throw new InvalidOperationException("The retention checkpoint could not be written; nothing was removed.");
            var checkpointSequence = await entries.MaxAsync(e => e.Sequence, ct);
            return new Step(first.Sequence, last, count, checkpointSequence);
        }, ct);

    /// <summary>The tenants with retention set (for the daily job, which runs outside any tenant).</summary>
    public async Task<IReadOnlyList<int>> TenantsWithRetentionAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        return await db.Tenants.AsNoTracking().Where(t => t.AuditRetentionDays != null && !t.IsSuspended).Select(t => t.Id).OrderBy(id => id).ToListAsync(ct);
    }
}

/// <summary>What the database's audit table allows.</summary>
public static class AuditStorage
{
    public const string LedgerRetentionMessage =
        "Audit retention is not available: the audit table is a SQL Server append-only ledger table, which refuses every delete. Keep the full trail, or move to a database without the ledger option (docs/audit.md).";

    /// <summary>
    /// Whether the audit table is an append-only ledger table (SQL Server 2022+/Azure SQL: sys.tables.ledger_type = 2).
    /// The column is looked up first and read by dynamic SQL, so the check also runs on servers without ledger support.
    /// </summary>
    public static async Task<bool> IsAppendOnlyLedgerAsync(IPortalDb db, CancellationToken ct = default)
    {
        if (!db.Database.IsSqlServerProvider()) return false;
        var rows = await db.Database.SqlQueryRaw<int>(LedgerCheckSql).ToListAsync(ct);
        return rows.Count > 0 && rows[0] > 0;
    }

    /// <summary>The SQL Server check behind <see cref="IsAppendOnlyLedgerAsync"/> (not composable: read with ToList).</summary>
    public const string LedgerCheckSql = """
        DECLARE @n int = 0;
        IF EXISTS (SELECT 1 FROM sys.all_columns WHERE object_id = OBJECT_ID(N'sys.tables') AND name = N'ledger_type')
            EXEC sys.sp_executesql N'SELECT @n = COUNT(*) FROM sys.tables WHERE object_id = OBJECT_ID(N''dbo.AuditEntries'') AND ledger_type = 2', N'@n int OUTPUT', @n = @n OUTPUT;
        SELECT @n AS [Value];
        """;
}
