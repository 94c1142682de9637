using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Diffing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Domain.Backups;

/// <summary>
/// Runs one queued backup: collect → normalize → mask → hash → dedupe → diff → commit once → notify.
/// Runs in a scope whose tenant is the run's tenant (the worker sets it), as the "system" actor; the audit entries
/// carry the run's requester where one exists.
/// </summary>
public sealed class BackupPipeline(
    IPortalDbFactory dbFactory,
    Tenancy.ITenantContext tenant,
    IEnumerable<IDeviceCollector> collectors,
    ISecretProtector protector,
    IAuditService audit,
    BackupCommitBatcher batcher,
    DeviceSessionSlots sessionSlots,
    BackupNotifier notifier,
    SnapshotTextCache textCache,
    TimeProvider clock,
    IOptions<BackupOptions> options,
    ILogger<BackupPipeline> logger)
{
    public static readonly ActivitySource Activity = new("ConfigPortal.Backups");
    private static readonly Meter Meter = new("ConfigPortal.Backups");
    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("configportal.backups.completed");
    private static readonly Histogram<double> Durations = Meter.CreateHistogram<double>("configportal.backups.duration", "s");

    /// <summary>
    /// Runs one queued run. With a <paramref name="lease"/> (the backup worker's), the claim also leases the run for
    /// that instance, in the same statement: a run whose lease another live instance holds is not claimed.
    /// False when the run was not claimed (another executor has it, or it is no longer queued).
    /// </summary>
    public async Task<bool> ExecuteAsync(long runId, RunLease? lease = null, CancellationToken ct = default)
    {
        using var activity = Activity.StartActivity("backup.run");
        activity?.SetTag("run.id", runId);
        var started = Stopwatch.GetTimestamp();

        // A device-session slot (ADR-017) from before the claim, so a run is "collecting" only while it may talk to its
        // device, until the session is over: normalizing and committing happen after the slot is given back, while the
        // next device connects.
        DeviceSessionSlots.Slot slot;
        using (Activity.StartActivity("backup.wait_session"))
            slot = await sessionSlots.AcquireAsync(ct);
        using var releaseOnExit = slot;
        ClaimedRun? claim;
        using (Activity.StartActivity("backup.claim"))
            claim = await ClaimAsync(runId, lease, ct);
        if (claim is null)
            return false;
        var (run, device, tenant) = (claim.Run, claim.Device, claim.Tenant);
        // A message-template scope: structured (CorrelationId, RunId, DeviceId properties in JSON logs) and readable
        // as text in the simple console formatter (a dictionary scope prints as its type name there).
        using var scope = logger.BeginScope("Backup run {RunId} of device {DeviceId}, correlation {CorrelationId}", run.Id, device.Id, run.CorrelationId);
        await PublishAsync(run);

        NormalizedConfig config;
        CollectedConfig collected;
        int? credentialId = null;
        try
        {
            var (request, credentialIds) = BuildRequest(device, claim.Credentials);
            var collector = collectors.FirstOrDefault(c => c.Driver == device.Driver)
                ?? throw new BackupFailedException(FailureKind.Misconfigured, $"No driver is installed for {device.Driver}.");
            using var jobTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            jobTimeout.CancelAfter(options.Value.JobTimeout);
            try
            {
                using (Activity.StartActivity("backup.collect"))
                    collected = await collector.CollectAsync(request, jobTimeout.Token);
            }
            catch (OperationCanceledException) when (jobTimeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new BackupFailedException(FailureKind.Timeout, $"Collection did not finish within the job limit of {options.Value.JobTimeout.TotalSeconds:0} s.");
            }
            finally
            {
                slot.Dispose(); // the device session is over: the next device may connect
            }

            run.Status = BackupRunStatus.Processing;
            await PublishAsync(run);
            if (collected.CredentialUsed is { } used && credentialIds.TryGetValue(used, out var usedId))
                credentialId = usedId;
            var filters = CustomFilterSet.For(tenant.CustomDeleteFilters, tenant.CustomIgnoreFilters, device.CustomDeleteFilters, device.CustomIgnoreFilters);
            using (Activity.StartActivity("backup.normalize"))
                config = ConfigNormalizer.Normalize(collected.RawText, request.Profile, tenant.SecretMaskingEnabled, filters);
            if (config.TimedOutFilters > 0)
                logger.LogWarning("Backup run {RunId}: {Count} custom filter(s) of tenant {TenantId} / device {DeviceId} exceeded their match timeout and were skipped",
                    run.Id, config.TimedOutFilters, device.TenantId, device.Id);
        }
        catch (BackupFailedException ex)
        {
            await FailAsync(run, device, ex.Kind, ex.Message, started, ex.OfferedHostKey);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await FailAsync(run, device, FailureKind.Interrupted, "The portal stopped before the backup finished.", started);
            throw;
        }
        catch (Exception ex)
        {
            // Unexpected: log the type and stack (never the message of a driver exception, which can echo input).
            logger.LogError("Backup run {RunId} failed unexpectedly: {ErrorType} {StackTrace}", run.Id, ex.GetType().FullName, ex.StackTrace);
            await FailAsync(run, device, FailureKind.InternalError, "An unexpected error occurred while collecting; see the server log.", started);
            return true;
        }

        using (Activity.StartActivity("backup.store")) // dedupe check, diff, encode, commit
            await StoreAsync(run, device, claim.Latest, config, collected, credentialId, claim.ChangeChannels, started);
        return true;
    }

    /// <summary>The latest snapshot of a device as the dedupe check needs it (no content).</summary>
    private sealed record LatestSnapshot(long Id, string CompareHash, int SeenCount);

    /// <summary>What a claimed run works with, read in one go right after the claim.</summary>
    /// <remarks>
    /// <see cref="ChangeChannels"/>: whether the tenant had an enabled channel for config changes at the claim. Without
    /// one, the commit of a changed config does not look for channels (one query fewer per change); a channel created
    /// while the run collects takes effect from the next run.
    /// </remarks>
    private sealed record ClaimedRun(BackupRun Run, Device Device, Tenancy.Tenant Tenant, LatestSnapshot? Latest, IReadOnlyList<CredentialProfile> Credentials, bool ChangeChannels);

    /// <summary>
    /// Claims the run atomically (a run id queued twice, by recovery at start or a second instance, runs once), and
    /// leases it when a lease is given (the same UPDATE: one write instead of two), then reads the run, its device,
    /// tenant, the device's latest snapshot hash and its credential profiles in fallback order in one query.
    /// Null when another executor claimed the run or another instance holds an unexpired lease on it.
    /// </summary>
    private async Task<ClaimedRun?> ClaimAsync(long runId, RunLease? lease, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        var startedAt = clock.GetUtcNow().UtcDateTime;
        // Plain SQL, as the commit's updates (see there); the context's tenant named explicitly. Without a lease the
        // owner and expiry stay as they are and only the status is checked.
        // Queued at the writer gate with the commits (one SQLite writer at a time), not in SQLite's busy handler.
        var claimed = await db.ExecuteWriteAsync(writeCt => db.Database.ExecuteSqlRawAsync(
            "UPDATE BackupRuns SET Status = {0}, StartedAtUtc = {1}, " +
            "OwnerInstanceId = COALESCE({2}, OwnerInstanceId), LeaseExpiresAtUtc = COALESCE({3}, LeaseExpiresAtUtc) " +
            "WHERE Id = {4} AND TenantId = {5} AND Status = {6} AND ({2} IS NULL OR " +
            "(ActiveDeviceId IS NOT NULL AND (OwnerInstanceId IS NULL OR LeaseExpiresAtUtc IS NULL OR LeaseExpiresAtUtc < {7})))",
            SqlArguments((int)BackupRunStatus.Collecting, startedAt, lease?.Owner, lease?.UntilUtc, runId, tenant.TenantId,
                (int)BackupRunStatus.Queued, lease?.NowUtc), writeCt), ct);
        if (claimed == 0)
            return null;
        // A compiled query: this read runs once per backup, and EF Core's per-call work for a LINQ query of this size
        // (evaluating captured values, hashing the expression tree for the query cache) cost more than running it.
        var row = await ClaimRead((DbContext)db, runId);
        var credentials = row.Credentials;
        var latest = row.LatestId is { } latestId ? new LatestSnapshot(latestId, row.CompareHash!, row.SeenCount ?? 1) : null;
        return new ClaimedRun(row.Run, row.Device, row.Tenant, latest, credentials, row.ChangeChannels);
    }

    /// <summary>What the claim reads: the run, its device, tenant, the latest snapshot's hash and the credential profiles.</summary>
    private sealed class ClaimRow
    {
        public BackupRun Run { get; init; } = null!;
        public Device Device { get; init; } = null!;
        public Tenancy.Tenant Tenant { get; init; } = null!;
        public long? LatestId { get; init; }
        public string? CompareHash { get; init; }
        public int? SeenCount { get; init; }
        public bool ChangeChannels { get; init; }
        public List<CredentialProfile> Credentials { get; init; } = [];
    }

    /// <summary>
    /// The claim's read, in one statement (the credential profiles in fallback order as a LEFT JOIN, one row per
    /// profile). The context's tenant query filters apply as in any query of the context.
    /// </summary>
    private static readonly Func<DbContext, long, Task<ClaimRow>> ClaimRead = EF.CompileAsyncQuery((DbContext db, long runId) =>
        (from r in db.Set<BackupRun>().AsNoTracking()
         where r.Id == runId
         join d in db.Set<Device>().AsNoTracking() on r.DeviceId equals d.Id
         join t in db.Set<Tenancy.Tenant>().AsNoTracking() on r.TenantId equals t.Id
         from s in db.Set<Snapshot>().Where(s => s.Id == d.LatestSnapshotId).DefaultIfEmpty()
         select new ClaimRow
         {
             Run = r, Device = d, Tenant = t, LatestId = (long?)s!.Id, CompareHash = s.CompareHash, SeenCount = (int?)s.SeenCount,
             ChangeChannels = db.Set<Notifications.NotificationChannel>().Any(c => c.Enabled && c.OnConfigChanged),
             Credentials = db.Set<DeviceCredentialProfile>().AsNoTracking().Where(x => x.DeviceId == d.Id)
                 .Join(db.Set<CredentialProfile>().AsNoTracking(), x => x.CredentialProfileId, c => c.Id, (x, c) => new { x.Position, Profile = c })
                 .OrderBy(x => x.Position).Select(x => x.Profile).ToList(),
         }).Single());

    /// <summary>Fails a run that a stopped instance left collecting or processing, so its device is free again.</summary>
    public async Task MarkInterruptedAsync(long runId)
    {
        BackupRun? run;
        Device device;
        await using (var db = await dbFactory.CreateAsync())
        {
            run = await db.BackupRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId);
            if (run is null || run.IsFinished) return;
            device = await db.Devices.AsNoTracking().SingleAsync(d => d.Id == run.DeviceId);
        }
        await FailAsync(run, device, FailureKind.Interrupted, "The portal instance running this backup stopped before it finished.", Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The device's credential profiles in fallback order (the one that worked last time first), decrypted for this
    /// run only; the ids by profile name let the run remember which one logged in.
    /// </summary>
    private (CollectionRequest Request, IReadOnlyDictionary<string, int> CredentialIds) BuildRequest(Device device, IReadOnlyList<CredentialProfile> profiles)
    {
        var profile = VendorProfiles.Find(device.Vendor)
            ?? throw new BackupFailedException(FailureKind.Misconfigured, $"Unknown vendor '{device.Vendor}'.");
        var credentials = new List<DeviceCredential>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordered = profiles.ToList();
        if (device.LastWorkingCredentialProfileId is { } last && ordered.FindIndex(c => c.Id == last) is > 0 and var at)
        {
            var worked = ordered[at];
            ordered.RemoveAt(at);
            ordered.Insert(0, worked);
        }
        foreach (var cred in ordered)
        {
            try
            {
                credentials.Add(new DeviceCredential(cred.Name, cred.Username,
                    Unprotect(device.TenantId, cred.ProtectedPassword), Unprotect(device.TenantId, cred.ProtectedPrivateKey),
                    Unprotect(device.TenantId, cred.ProtectedPassphrase), Unprotect(device.TenantId, cred.ProtectedEnableSecret)));
                ids[cred.Name] = cred.Id;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw new BackupFailedException(FailureKind.Misconfigured, $"Credential profile '{cred.Name}' cannot be decrypted (key ring changed?).");
            }
        }
        if (device.Driver == DeviceDriver.Ssh && credentials.Count == 0)
            throw new BackupFailedException(FailureKind.Misconfigured, "The device has no credential profile.");

        return (new CollectionRequest
        {
            TenantId = device.TenantId,
            DeviceId = device.Id,
            DeviceName = device.Name,
            Address = device.Address,
            Port = device.Port,
            Profile = profile,
            RunNumber = device.RunCount + 1,
            SimulatorBehavior = device.SimulatorBehavior,
            Credentials = credentials,
            PinnedHostKey = device.HostKeyFingerprint,
        }, ids);
    }

    private string? Unprotect(int tenantId, string? value) => value is null ? null : protector.Unprotect(tenantId, value);

    /// <summary>
    /// Commits a collected config: one transaction per run, whose statements are set-based updates and one batch of
    /// inserts (no re-reading of rows this run already read at its claim). The dedupe check uses the latest snapshot's
    /// hash read at the claim; the device update is guarded on that snapshot still being the latest, and when another
    /// writer moved it the whole unit rolls back and is redone against the new latest snapshot.
    /// A collected config is committed even when shutdown is requested.
    /// </summary>
    private async Task StoreAsync(BackupRun run, Device device, LatestSnapshot? latest, NormalizedConfig config, CollectedConfig collected, int? credentialId, bool changeChannels, long started)
    {
        RunOutcome outcome = default;
        long snapshotId = 0;
        DateTime finishedAt = default;
        for (var attempt = 1; ; attempt++)
        {
            // CPU work outside the write transaction: no lock is held while diffing and compressing.
            PreparedSnapshot? prepared = null;
            if (latest is null || latest.CompareHash != config.CompareHash)
            {
                using (Activity.StartActivity("backup.diff"))
                    prepared = await PrepareSnapshotAsync(device, latest, config);
            }
            try
            {
                using var commitActivity = Activity.StartActivity("backup.commit");
                StoredSnapshotText? stored;
                // Group commit (ADR-015): this run's statements share a transaction with the runs of the tenant whose
                // commits are ready at the same time; its audit entries are appended with theirs.
                (outcome, snapshotId, finishedAt, stored) = await batcher.CommitAsync(run.TenantId, dbFactory, audit, (db, ct) => prepared is null
                    ? CommitDuplicateAsync(db, run, device, latest!, config, collected, credentialId, ct)
                    : CommitSnapshotAsync(db, run, device, latest, prepared, config, collected, credentialId, changeChannels, ct));
                if (stored is not null)
                    textCache.Add(stored); // committed: the next run of this device starts from it
                break;
            }
            catch (LatestSnapshotMovedException) when (attempt < 3)
            {
                latest = await ReadLatestSnapshotAsync(device.Id);
            }
            catch (RunLostLeaseException)
            {
                await DiscardLateResultAsync(run, device);
                return;
            }
        }

        run.Status = BackupRunStatus.Succeeded;
        run.Outcome = outcome;
        run.FinishedAtUtc = finishedAt;
        run.ActiveDeviceId = null;
        run.SnapshotId = snapshotId;
        run.Message = RunMessage(outcome);
        Record(outcome, started);
        await PublishAsync(run);
        logger.LogInformation("Backup run {RunId} of device {DeviceId} finished: {Outcome}", run.Id, device.Id, outcome);
    }

    private static string RunMessage(RunOutcome outcome) => outcome == RunOutcome.Created ? "New configuration stored." : "Configuration unchanged.";

    /// <summary>The device's latest snapshot moved between the claim and the commit (the commit rolled back).</summary>
    private sealed class LatestSnapshotMovedException : Exception;

    /// <summary>
    /// The run is no longer this attempt's (the commit rolled back): its lease expired while this instance stalled and a
    /// sweeper took it over, marked it interrupted and re-queued the slot as the next attempt (ADR-011, fencing).
    /// </summary>
    private sealed class RunLostLeaseException : Exception;

    /// <summary>
    /// After a fenced commit: nothing of this attempt was stored. Only the run's message is amended (the row is the
    /// sweeper's already, failed as interrupted), so the Runs page says why this attempt has no snapshot.
    /// </summary>
    private async Task DiscardLateResultAsync(BackupRun run, Device device)
    {
        logger.LogWarning("Backup run {RunId} of device {DeviceId} lost its lease before it could commit (instance {Owner} stalled past the lease); its result is discarded and no snapshot was stored",
            run.Id, device.Id, run.OwnerInstanceId ?? "none");
        await using var db = await dbFactory.CreateAsync(CancellationToken.None);
        await db.BackupRuns.Where(r => r.Id == run.Id && r.Status == BackupRunStatus.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Message, LateResultMessage), CancellationToken.None);
    }

    /// <summary>The message of a run whose late result was discarded by the commit's fence.</summary>
    public const string LateResultMessage =
        "Interrupted: the instance running this backup stalled past its lease and the run was taken over; its late result was discarded (no snapshot stored).";

    private async Task<LatestSnapshot?> ReadLatestSnapshotAsync(int deviceId)
    {
        await using var db = await dbFactory.CreateAsync(CancellationToken.None);
        return await (
                from d in db.Devices.AsNoTracking()
                where d.Id == deviceId
                join s in db.Snapshots.AsNoTracking() on d.LatestSnapshotId equals s.Id
                select new LatestSnapshot(s.Id, s.CompareHash, s.SeenCount))
            .FirstOrDefaultAsync();
    }

    /// <summary>A new snapshot's content, encoded, and its diff against the previous one (null for a first snapshot).</summary>
    private sealed record PreparedSnapshot(StoredSnapshotText? Previous, EncodedContent Content, int AddedLines, int RemovedLines, string? UnifiedDiff, string? ChangedSections);

    /// <summary>
    /// Inflates the previous snapshot (only when the hash differs), diffs and encodes (zstd delta or keyframe): no
    /// transaction, so the write transaction holds the database's writer lock only for its statements.
    /// </summary>
    private async Task<PreparedSnapshot> PrepareSnapshotAsync(Device device, LatestSnapshot? latest, NormalizedConfig config)
    {
        if (latest is null)
            return new PreparedSnapshot(null, SnapshotContentStore.Encode(config.Text, null), 0, 0, null, null);
        // A text-cache hit carries the keyframe group too: no database access at all then.
        var previous = textCache.Find(latest.Id);
        EncodedContent content;
        if (previous is not null && SnapshotContentStore.CanEncodeOffline(previous))
            content = SnapshotContentStore.Encode(config.Text, previous);
        else
        {
            await using var db = await dbFactory.CreateAsync(CancellationToken.None);
            previous ??= await SnapshotContentStore.LoadAsync(db, latest.Id);
            content = await SnapshotContentStore.EncodeAsync(db, config.Text, previous);
        }
        // One exact diff: the stored unified diff reproduces the new text under patch, while the counts leave out the
        // changed lines that match the vendor's ignore filters (a clock that moved is not a change).
        var diff = LineDiffer.Diff(previous.Text, config.Text);
        var (added, removed) = Snapshots.Browsing.ChangeSummaries.CountedChanges(diff, device.Vendor);
        var unified = UnifiedDiff.Write(diff, $"a/{device.Name}", $"b/{device.Name}");
        return new PreparedSnapshot(previous, content, added, removed, unified, Snapshots.Browsing.ChangeSummaries.Serialize(diff, device.Vendor));
    }

    /// <summary>Same compare hash as the latest snapshot: no new row, the latest is seen once more.</summary>
    private async Task<((RunOutcome, long, DateTime, StoredSnapshotText?) Value, IReadOnlyList<AuditRecord> Audit)> CommitDuplicateAsync(IPortalDb db, BackupRun run, Device device, LatestSnapshot latest,
        NormalizedConfig config, CollectedConfig collected, int? credentialId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await UpdateDeviceAfterSuccessAsync(db, run.TenantId, device.Id, latest.Id, newSnapshotId: null, RunOutcome.Unchanged, collected, credentialId, now, ct);
        await db.Database.ExecuteSqlRawAsync(
            "UPDATE Snapshots SET LastSeenAtUtc = {0}, SeenCount = SeenCount + 1 WHERE Id = {1} AND TenantId = {2}",
            [now, latest.Id, run.TenantId], ct);
        await FinishRunAsync(db, run, RunOutcome.Unchanged, latest.Id, now, ct);
        AuditRecord[] records = [AuditRecordFor(run, device, AuditActions.ConfigSnapshotSkippedDuplicate, "snapshot", Id(latest.Id),
            new { runId = run.Id, snapshotId = latest.Id, hash = config.CompareHash, seenCount = latest.SeenCount + 1, credentialProfile = collected.CredentialUsed })];
        return ((RunOutcome.Unchanged, latest.Id, now, null), records);
    }

    /// <summary>
    /// A changed (or first) config: snapshot, content and diff in one batch of inserts, then the run and device rows.
    /// The stored text it returns (for <see cref="SnapshotTextCache"/>) is what this transaction wrote: the caller caches
    /// it only once the transaction committed.
    /// </summary>
    private async Task<((RunOutcome, long, DateTime, StoredSnapshotText?) Value, IReadOnlyList<AuditRecord> Audit)> CommitSnapshotAsync(IPortalDb db, BackupRun run, Device device, LatestSnapshot? latest, PreparedSnapshot prepared,
        NormalizedConfig config, CollectedConfig collected, int? credentialId, bool changeChannels, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var snapshot = new Snapshot
        {
            TenantId = run.TenantId,
            DeviceId = device.Id,
            CreatedByRunId = run.Id,
            PreviousSnapshotId = latest?.Id,
            FirstSeenAtUtc = now,
            LastSeenAtUtc = now,
            CompareHash = config.CompareHash,
            SizeBytes = config.SizeBytes,
            LineCount = config.LineCount,
            AddedLines = prepared.AddedLines,
            RemovedLines = prepared.RemovedLines,
            Trigger = run.Trigger.ToString().ToLowerInvariant(),
            TriggeredBy = ActorName(run),
        };
        db.Snapshots.Add(snapshot);
        await db.SaveChangesAsync(ct);

        var content = SnapshotContentStore.Add(db, snapshot.Id, run.TenantId, prepared.Content); // encoded before the transaction
        var stored = content.BaseSnapshotId is { } keyframeId && prepared.Previous is { } previous
            ? new StoredSnapshotText(snapshot.Id, config.Text, keyframeId, previous.KeyframeText, previous.KeyframeStoredBytes, prepared.Content.Group)
            : new StoredSnapshotText(snapshot.Id, config.Text, snapshot.Id, config.Text, content.Data.Length, prepared.Content.Group);
        await Snapshots.Browsing.LatestConfigs.StoreAsync(db, snapshot, config.Text, ct);
        SnapshotDiff? sd = null;
        if (latest is not null && prepared.UnifiedDiff is not null)
        {
            sd = new SnapshotDiff
            {
                TenantId = run.TenantId,
                DeviceId = device.Id,
                FromSnapshotId = latest.Id,
                ToSnapshotId = snapshot.Id,
                AddedLines = snapshot.AddedLines,
                RemovedLines = snapshot.RemovedLines,
                UnifiedDiff = prepared.UnifiedDiff,
                ChangedSections = prepared.ChangedSections,
                CreatedAtUtc = now,
            };
            db.SnapshotDiffs.Add(sd);
        }
        await db.SaveChangesAsync(ct);

        await UpdateDeviceAfterSuccessAsync(db, run.TenantId, device.Id, latest?.Id, snapshot.Id, RunOutcome.Created, collected, credentialId, now, ct);
        await FinishRunAsync(db, run, RunOutcome.Created, snapshot.Id, now, ct);

        List<AuditRecord> records =
        [
            AuditRecordFor(run, device, AuditActions.ConfigSnapshotCreated, "snapshot", Id(snapshot.Id),
                new { runId = run.Id, snapshotId = snapshot.Id, hash = config.CompareHash, sizeBytes = config.SizeBytes, lines = config.LineCount, maskedSecrets = config.MaskedSecrets, credentialProfile = collected.CredentialUsed }),
        ];
        if (latest is not null && sd is not null)
        {
            records.Add(AuditRecordFor(run, device, AuditActions.ConfigDiffGenerated, "snapshot_diff", Id(sd.Id),
                new { runId = run.Id, diffId = sd.Id, fromSnapshotId = latest.Id, toSnapshotId = snapshot.Id, added = snapshot.AddedLines, removed = snapshot.RemovedLines }));
        }
        if (latest is not null && sd is not null && changeChannels)
            await Notifications.NotificationOutbox.AddConfigChangedAsync(db, run, device, latest.Id, snapshot.Id, sd.AddedLines, sd.RemovedLines, sd.UnifiedDiff, now, ct);
        return ((RunOutcome.Created, snapshot.Id, now, stored), records);
    }

    // The per-run updates below are plain parameterized SQL, not ExecuteUpdate: EF Core's per-call work for an
    // ExecuteUpdate (evaluating the setter lambdas' captured values, hashing the expression tree for its query cache)
    // was about 9 % of the CPU of a backup whose config is unchanged (perf, ingest benchmark, session 6). The SQL is
    // one fixed text per statement (SQLite keeps it prepared, ADR-016) and portable: unquoted identifiers, no
    // provider-specific syntax, NULL comparisons written out. Raw SQL has no tenant query filter, so every statement
    // names the tenant itself.

    /// <summary>
    /// The device row after a successful run, in one UPDATE guarded on <paramref name="expectedLatest"/> still being
    /// its latest snapshot (counters are incremented in SQL). Throws <see cref="LatestSnapshotMovedException"/> when not.
    /// </summary>
    private static async Task UpdateDeviceAfterSuccessAsync(IPortalDb db, int tenantId, int deviceId, long? expectedLatest, long? newSnapshotId, RunOutcome outcome,
        CollectedConfig collected, int? credentialId, DateTime now, CancellationToken ct)
    {
        // A null argument leaves its column as it is (COALESCE): no new snapshot, no host key offered (trust on first
        // use keeps a pinned key), no credential remembered.
        var updated = await db.Database.ExecuteSqlRawAsync(
            "UPDATE Devices SET LastRunAtUtc = {0}, LastRunOutcome = {1}, LastRunMessage = {2}, LastSuccessAtUtc = {0}, RunCount = RunCount + 1, " +
            "OfferedHostKeyFingerprint = NULL, OfferedHostKeyAtUtc = NULL, " +
            "LatestSnapshotId = COALESCE({3}, LatestSnapshotId), SnapshotCount = SnapshotCount + {4}, " +
            "HostKeyFingerprint = COALESCE(HostKeyFingerprint, {5}), LastWorkingCredentialProfileId = COALESCE({6}, LastWorkingCredentialProfileId) " +
            "WHERE Id = {7} AND TenantId = {8} AND (LatestSnapshotId = {9} OR (LatestSnapshotId IS NULL AND {9} IS NULL))",
            SqlArguments(now, (int)outcome, RunMessage(outcome), newSnapshotId, newSnapshotId is null ? 0 : 1, collected.HostKeyFingerprint,
                credentialId, deviceId, tenantId, expectedLatest), ct);
        if (updated == 0)
            throw new LatestSnapshotMovedException();
    }

    /// <summary>
    /// The run row of a successful run, in one UPDATE that is also the commit's fence: it matches only while the run is
    /// still running under the lease owner this attempt claimed it with. A sweeper that took the run over (lease expired:
    /// new owner, then failed as interrupted) makes it match nothing, and the whole commit rolls back.
    /// </summary>
    private static async Task FinishRunAsync(IPortalDb db, BackupRun run, RunOutcome outcome, long snapshotId, DateTime now, CancellationToken ct)
    {
        var updated = await db.Database.ExecuteSqlRawAsync(
            "UPDATE BackupRuns SET Status = {0}, Outcome = {1}, FinishedAtUtc = {2}, ActiveDeviceId = NULL, Message = {3}, SnapshotId = {4} " +
            "WHERE Id = {5} AND TenantId = {6} AND Status IN ({7}, {8}) " +
            "AND (OwnerInstanceId = {9} OR (OwnerInstanceId IS NULL AND {9} IS NULL))",
            SqlArguments((int)BackupRunStatus.Succeeded, (int)outcome, now, RunMessage(outcome), snapshotId, run.Id, run.TenantId,
                (int)BackupRunStatus.Collecting, (int)BackupRunStatus.Processing, run.OwnerInstanceId), ct);
        if (updated == 0)
            throw new RunLostLeaseException();
    }

    /// <summary>Arguments of a raw SQL statement, nulls among them (EF Core binds a null argument as NULL).</summary>
    private static object[] SqlArguments(params object?[] values) => values!;

    private static string? ActorName(BackupRun run) => run.Trigger == BackupTrigger.Schedule ? "system" : run.RequestedByName;

    private static Tenancy.ActorKind ActorKindOf(BackupRun run) => run.Trigger == BackupTrigger.Schedule ? Tenancy.ActorKind.System
        : run.Trigger == BackupTrigger.Api ? Tenancy.ActorKind.ApiToken : Tenancy.ActorKind.User;

    /// <summary>An audit record of this run, attributed to its requester (the system for scheduled runs).</summary>
    private static AuditRecord AuditRecordFor(BackupRun run, Device device, string action, string resourceType, string resourceId, object details) => new()
    {
        TenantId = run.TenantId,
        Action = action,
        ResourceType = resourceType,
        ResourceId = resourceId,
        DeviceId = device.Id,
        DeviceName = device.Name,
        CorrelationId = run.CorrelationId,
        ActorKind = ActorKindOf(run),
        ActorId = run.RequestedByUserId,
        ActorName = ActorName(run),
        ClientIp = run.ClientIp,
        Details = details,
    };

    private async Task FailAsync(BackupRun run, Device device, FailureKind kind, string message, long started, string? offeredHostKey = null)
    {
        await using var db = await dbFactory.CreateAsync(CancellationToken.None);
        var trackedRun = await db.ExecuteInTransactionAsync<BackupRun?>(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var trackedRun = await db.BackupRuns.SingleAsync(r => r.Id == run.Id, ct);
            if (trackedRun.IsFinished || trackedRun.OwnerInstanceId != run.OwnerInstanceId)
                return null; // taken over by a sweeper (lease lost) or finished: this attempt's failure is not recorded
            var trackedDevice = await db.Devices.SingleAsync(d => d.Id == device.Id, ct);
            trackedRun.Status = BackupRunStatus.Failed;
            trackedRun.Outcome = RunOutcome.Failed;
            trackedRun.FailureKind = kind;
            trackedRun.Message = message;
            trackedRun.FinishedAtUtc = now;
            trackedRun.ActiveDeviceId = null;
            trackedDevice.LastRunAtUtc = now;
            trackedDevice.LastRunOutcome = RunOutcome.Failed;
            trackedDevice.LastRunMessage = message;
            trackedDevice.RunCount++;
            if (kind == FailureKind.HostKeyChanged && offeredHostKey is not null)
            {
                // Kept so a tenant admin can compare and accept it on the device page.
                trackedDevice.OfferedHostKeyFingerprint = offeredHostKey;
                trackedDevice.OfferedHostKeyAtUtc = now;
            }
            await db.SaveChangesAsync(ct);
            await Notifications.NotificationOutbox.AddFailureAsync(db, run, device, kind, message, now, ct);
            object details = kind == FailureKind.HostKeyChanged
                ? new { runId = run.Id, reason = ToSnake(kind), message, pinnedHostKey = trackedDevice.HostKeyFingerprint, offeredHostKey }
                : new { runId = run.Id, reason = ToSnake(kind), message };
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = run.TenantId,
                Action = AuditActions.ConfigBackupFailed,
                ResourceType = "backup_run",
                ResourceId = Id(run.Id),
                DeviceId = device.Id,
                DeviceName = device.Name,
                CorrelationId = run.CorrelationId,
                Outcome = AuditOutcome.Failure,
                ActorKind = run.Trigger == BackupTrigger.Schedule ? Tenancy.ActorKind.System : run.Trigger == BackupTrigger.Api ? Tenancy.ActorKind.ApiToken : Tenancy.ActorKind.User,
                ActorId = run.RequestedByUserId,
                ActorName = run.Trigger == BackupTrigger.Schedule ? "system" : run.RequestedByName,
                ClientIp = run.ClientIp,
                Details = details,
            }], ct);
            return trackedRun;
        }, CancellationToken.None);
        if (trackedRun is null)
        {
            logger.LogWarning("Backup run {RunId} of device {DeviceId} failed after it lost its lease ({Reason}); the run was taken over and this failure is not recorded",
                run.Id, device.Id, kind);
            return;
        }
        Record(RunOutcome.Failed, started);
        await PublishAsync(trackedRun);
        logger.LogWarning("Backup run {RunId} of device {DeviceId} failed: {Reason}: {Message}", run.Id, device.Id, kind, message);
    }

    private static void Record(RunOutcome outcome, long started)
    {
        Outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        Durations.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private Task PublishAsync(BackupRun run) =>
        notifier.PublishAsync(new BackupRunChanged(run.TenantId, run.DeviceId, BackupRunView.From(run)));

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>snake_case of a failure kind, as written in audit details ("authentication_failed").</summary>
    public static string ToSnake(FailureKind kind)
    {
        var s = kind.ToString();
        var sb = new System.Text.StringBuilder(s.Length + 4);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsUpper(s[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(s[i]));
        }
        return sb.ToString();
    }
}

/// <summary>
/// The lease a backup worker takes on a run as it claims it: the run is this instance's (<see cref="Owner"/>) until
/// <see cref="UntilUtc"/>, renewed by the worker's heartbeat; a run whose lease another instance holds past
/// <see cref="NowUtc"/> is not claimed (ADR-011).
/// </summary>
public sealed record RunLease(string Owner, DateTime NowUtc, DateTime UntilUtc);
