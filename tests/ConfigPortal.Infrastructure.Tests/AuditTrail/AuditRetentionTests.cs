using System.Text.Json;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>A clock the test moves: audit entries take their time from it.</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// Audit retention on a real SQLite file: the oldest whole range goes, a checkpoint carries its last hash, and the chain
/// still verifies from its first remaining entry, in the database and offline on an export; tampering after retention is
/// still caught; nothing newer than the cutoff goes; nothing happens when retention is off.
/// </summary>
public sealed class AuditRetentionTests
{
    private const int Tenant = 7;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>40 entries on day 0 (one per hour from 08:00), then 10 entries on day 40 (also hourly).</summary>
    private static async Task<(AuditTestDatabase Db, TestClock Clock)> OldAndNewAsync(int? retentionDays)
    {
        var clock = new TestClock(T0);
        var db = await AuditTestDatabase.CreateAsync(clock);
        await db.CreateTenantAsync(Tenant, retentionDays);
        for (var i = 1; i <= 40; i++)
        {
            await db.AppendAsync(Tenant, 1, startAt: i);
            clock.Advance(TimeSpan.FromMinutes(30));
        }
        clock.Now = T0.AddDays(40);
        for (var i = 41; i <= 50; i++)
        {
            await db.AppendAsync(Tenant, 1, startAt: i);
            clock.Advance(TimeSpan.FromHours(1));
        }
        return (db, clock);
    }

    private static async Task<AuditRetentionResult> ApplyAsync(AuditTestDatabase db)
    {
        await using var scope = db.Scope(Tenant);
        return await scope.ServiceProvider.GetRequiredService<AuditRetentionService>().ApplyAsync();
    }

    private static async Task<List<(long Sequence, DateTime Timestamp, string Action, string Details, string Hash)>> EntriesAsync(AuditTestDatabase db)
    {
        await using var c = new SqliteConnection($"Data Source={db.DatabaseFile};Pooling=False");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT Sequence, TimestampUtc, Action, DetailsJson, Hash FROM AuditEntries WHERE TenantId = $t ORDER BY Sequence";
        cmd.Parameters.AddWithValue("$t", Tenant);
        var list = new List<(long, DateTime, string, string, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add((r.GetInt64(0), DateTime.Parse(r.GetString(1), System.Globalization.CultureInfo.InvariantCulture), r.GetString(2), r.GetString(3), r.GetString(4)));
        return list;
    }

    [Fact]
    public async Task Retention_removes_the_old_range_appends_a_checkpoint_and_the_chain_still_verifies()
    {
        var (db, clock) = await OldAndNewAsync(retentionDays: 30);
        await using var _ = db;
        var lastOldHash = (await EntriesAsync(db)).Single(e => e.Sequence == 40).Hash;

        var result = await ApplyAsync(db);

        Assert.True(result.Applied, result.Message);
        Assert.Equal(40, result.RemovedCount);
        Assert.Equal(1, result.FirstRemoved);
        Assert.Equal(40, result.LastRemoved);
        Assert.Equal(51, result.CheckpointSequence);
        var entries = await EntriesAsync(db);
        Assert.Equal(Enumerable.Range(41, 11).Select(i => (long)i), entries.Select(e => e.Sequence));
        var checkpoint = entries[^1];
        Assert.Equal(AuditActions.AuditRetentionApplied, checkpoint.Action);
        var cp = RetentionCheckpoint.TryParse(checkpoint.Details);
        Assert.NotNull(cp);
        Assert.Equal((1L, 40L, 40L, lastOldHash, 30), (cp.FirstSequence, cp.LastSequence, cp.Count, cp.LastHash, cp.RetentionDays));
        Assert.Equal(clock.Now.UtcDateTime.AddDays(-30), DateTime.SpecifyKind(cp.CutoffUtc, DateTimeKind.Utc));

        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.True(v.Intact, v.Problem);
        Assert.Equal(41, v.FirstSequence);
        Assert.Equal(51, v.VerifiedUpTo);
        Assert.Equal(11, v.EntriesChecked);

        // A second run the same day finds nothing older than the cutoff: no removal, no new checkpoint.
        var again = await ApplyAsync(db);
        Assert.False(again.Applied);
        Assert.Equal(11, (await EntriesAsync(db)).Count);
    }

    [Fact]
    public async Task Retention_never_removes_entries_at_or_after_the_cutoff()
    {
        // The old entries are 30 minutes apart from 08:00 on day 0; "now" on day 30 at 18:00 puts the cutoff at 18:00 on
        // day 0, exactly on entry 21's time: entries 1–20 are older and go, entry 21 (at the cutoff) stays.
        var (db, clock) = await OldAndNewAsync(retentionDays: 30);
        await using var _ = db;
        clock.Now = T0.AddDays(30).AddHours(10);
        var before = await EntriesAsync(db);
        var cutoff = clock.Now.UtcDateTime.AddDays(-30);

        var result = await ApplyAsync(db);

        Assert.True(result.Applied, result.Message);
        Assert.Equal(20, result.RemovedCount);
        var after = await EntriesAsync(db);
        Assert.Equal(21, after[0].Sequence);
        Assert.All(after, e => Assert.True(e.Timestamp >= cutoff, $"entry {e.Sequence} at {e.Timestamp:o} is older than the cutoff {cutoff:o}"));
        var removed = before.Where(b => after.All(a => a.Sequence != b.Sequence)).ToList();
        Assert.Equal(before.Count(b => b.Timestamp < cutoff), removed.Count);
        Assert.All(removed, e => Assert.True(e.Timestamp < cutoff));
        Assert.Equal(Enumerable.Range(1, removed.Count).Select(i => (long)i), removed.Select(e => e.Sequence)); // oldest first, whole
        Assert.True((await db.VerifyInDatabaseAsync(Tenant)).Intact);
    }

    [Fact]
    public async Task Nothing_happens_when_retention_is_off()
    {
        var (db, _) = await OldAndNewAsync(retentionDays: null);
        await using var __ = db;

        var result = await ApplyAsync(db);

        Assert.False(result.Applied);
        Assert.Equal(0, result.RemovedCount);
        var entries = await EntriesAsync(db);
        Assert.Equal(50, entries.Count);
        Assert.DoesNotContain(entries, e => e.Action == AuditActions.AuditRetentionApplied);
        var results = await AuditRetentionWorker.RunOnceAsync(db.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger.Instance);
        Assert.Empty(results);
        Assert.Equal(50, (await EntriesAsync(db)).Count);
    }

    [Fact]
    public async Task The_daily_job_applies_retention_in_every_tenant_that_set_it()
    {
        var (db, _) = await OldAndNewAsync(retentionDays: 30);
        await using var __ = db;

        var results = await AuditRetentionWorker.RunOnceAsync(db.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger.Instance);

        Assert.True(results[Tenant].Applied);
        Assert.Equal(40, results[Tenant].RemovedCount);
        var entries = await EntriesAsync(db);
        var checkpoint = Assert.Single(entries, e => e.Action == AuditActions.AuditRetentionApplied);
        Assert.Equal(51, checkpoint.Sequence);
        Assert.True((await db.VerifyInDatabaseAsync(Tenant)).Intact);
    }

    [Fact]
    public async Task Tampering_after_retention_is_still_detected()
    {
        var (db, _) = await OldAndNewAsync(retentionDays: 30);
        await using var __ = db;
        Assert.True((await ApplyAsync(db)).Applied);

        // A changed entry.
        await db.SqlAsync("UPDATE AuditEntries SET DetailsJson = '{}' WHERE TenantId = $t AND Sequence = 45", ("$t", Tenant));
        var changed = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(changed.Intact);
        Assert.Equal(45, changed.FirstBrokenSequence);
        Assert.Contains("changed", changed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_more_of_the_start_or_the_middle_after_retention_is_detected()
    {
        var (db, _) = await OldAndNewAsync(retentionDays: 30);
        await using var __ = db;
        Assert.True((await ApplyAsync(db)).Applied);
        var export = await db.ExportAsync(Tenant, AuditExportFormat.JsonLines);

        // The first kept entry removed as well: the checkpoint no longer accounts for the start.
        await db.SqlAsync("DELETE FROM AuditEntries WHERE TenantId = $t AND Sequence = 41", ("$t", Tenant));
        var start = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(start.Intact);
        Assert.Equal(41, start.FirstBrokenSequence);
        Assert.Contains("missing", start.Problem, StringComparison.Ordinal);

        // Offline, on the export taken before: a line removed in the middle, and the first line removed.
        var lines = System.Text.Encoding.UTF8.GetString(export).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var middle = await db.VerifyOfflineAsync(Join(lines.Where((_, i) => i != 3)));
        Assert.False(middle.Intact);
        Assert.Equal(44, middle.FirstBrokenSequence);
        var head = await db.VerifyOfflineAsync(Join(lines.Skip(1)));
        Assert.False(head.Intact);
        Assert.Contains("retention checkpoint", head.Problem, StringComparison.Ordinal);

        // A forged checkpoint (details changed to cover the cut): its own hash no longer matches.
        await db.SqlAsync("UPDATE AuditEntries SET DetailsJson = replace(DetailsJson, '\"lastSequence\":40', '\"lastSequence\":41') WHERE TenantId = $t AND Action = 'audit_retention_applied'", ("$t", Tenant));
        var forged = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(forged.Intact);
    }

    [Fact]
    public async Task The_offline_verifier_accepts_an_export_of_a_trimmed_chain()
    {
        var (db, _) = await OldAndNewAsync(retentionDays: 30);
        await using var __ = db;
        Assert.True((await ApplyAsync(db)).Applied);
        var head = await db.SignedHeadAsync(Tenant);

        var export = await db.ExportAsync(Tenant, AuditExportFormat.JsonLines);
        var offline = await db.VerifyOfflineAsync(export, head);

        Assert.True(offline.Intact, offline.Problem);
        Assert.Equal(41, offline.FirstSequence);
        Assert.True(offline.HeadChecked);
        Assert.True(offline.VerifiedUpTo >= head.Sequence);
    }

    [Fact]
    public async Task Tenant_admins_set_retention_as_an_audited_setting_change_within_bounds()
    {
        var clock = new TestClock(T0);
        await using var db = await AuditTestDatabase.CreateAsync(clock);
        await db.CreateTenantAsync(Tenant);
        await using (var scope = db.Scope(Tenant))
        {
            var settings = scope.ServiceProvider.GetRequiredService<TenantSettingsService>();
            Assert.Null((await settings.GetAsync()).AuditRetentionDays);
            await Assert.ThrowsAsync<ValidationException>(() => settings.UpdateAsync(new TenantSettingsInput { AuditRetentionDays = 3 }));
            Assert.True(await settings.UpdateAsync(new TenantSettingsInput { AuditRetentionDays = 400 }));
            Assert.Equal(400, (await settings.GetAsync()).AuditRetentionDays);
            Assert.True(await settings.UpdateAsync(new TenantSettingsInput { AuditRetentionDays = null }));
        }
        var changes = (await EntriesAsync(db)).Where(e => e.Action == AuditActions.TenantSettingsChanged).ToList();
        Assert.Equal(2, changes.Count);
        using var on = JsonDocument.Parse(changes[0].Details);
        var change = on.RootElement.GetProperty("changes").GetProperty("auditRetentionDays");
        Assert.Equal(JsonValueKind.Null, change.GetProperty("before").ValueKind);
        Assert.Equal(400, change.GetProperty("after").GetInt32());
        using var off = JsonDocument.Parse(changes[1].Details);
        Assert.Equal(400, off.RootElement.GetProperty("changes").GetProperty("auditRetentionDays").GetProperty("before").GetInt32());
    }

    private static byte[] Join(IEnumerable<string> lines) => System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
}
