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
    IEnumerable<IDeviceCollector> collectors,
    ISecretProtector protector,
    IAuditService audit,
    BackupNotifier notifier,
    TimeProvider clock,
    IOptions<BackupOptions> options,
    ILogger<BackupPipeline> logger)
{
    public static readonly ActivitySource Activity = new("ConfigPortal.Backups");
    private static readonly Meter Meter = new("ConfigPortal.Backups");
    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("configportal.backups.completed");
    private static readonly Histogram<double> Durations = Meter.CreateHistogram<double>("configportal.backups.duration", "s");

    public async Task ExecuteAsync(long runId, CancellationToken ct = default)
    {
        using var activity = Activity.StartActivity("backup.run");
        activity?.SetTag("run.id", runId);
        var started = Stopwatch.GetTimestamp();

        BackupRun run;
        Device device;
        Tenancy.Tenant tenant;
        await using (var db = await dbFactory.CreateAsync(ct))
        {
            // Claim the run atomically: a run id queued twice (recovery at start, a second instance) runs once.
            var startedAt = clock.GetUtcNow().UtcDateTime;
            var claimed = await db.BackupRuns
                .Where(r => r.Id == runId && r.Status == BackupRunStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, BackupRunStatus.Collecting).SetProperty(r => r.StartedAtUtc, startedAt), ct);
            if (claimed == 0)
                return;
            run = await db.BackupRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
            device = await db.Devices.AsNoTracking().SingleAsync(d => d.Id == run.DeviceId, ct);
            tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == run.TenantId, ct);
        }
        // A message-template scope: structured (CorrelationId, RunId, DeviceId properties in JSON logs) and readable
        // as text in the simple console formatter (a dictionary scope prints as its type name there).
        using var scope = logger.BeginScope("Backup run {RunId} of device {DeviceId}, correlation {CorrelationId}", run.Id, device.Id, run.CorrelationId);
        await PublishAsync(run);

        NormalizedConfig config;
        CollectedConfig collected;
        int? credentialId = null;
        try
        {
            using var jobTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            jobTimeout.CancelAfter(options.Value.JobTimeout);
            var (request, credentialIds) = await BuildRequestAsync(device, jobTimeout.Token);
            var collector = collectors.FirstOrDefault(c => c.Driver == device.Driver)
                ?? throw new BackupFailedException(FailureKind.Misconfigured, $"No driver is installed for {device.Driver}.");
            try
            {
                collected = await collector.CollectAsync(request, jobTimeout.Token);
            }
            catch (OperationCanceledException) when (jobTimeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new BackupFailedException(FailureKind.Timeout, $"Collection did not finish within the job limit of {options.Value.JobTimeout.TotalSeconds:0} s.");
            }

            run.Status = BackupRunStatus.Processing;
            await PublishAsync(run);
            if (collected.CredentialUsed is { } used && credentialIds.TryGetValue(used, out var usedId))
                credentialId = usedId;
            var filters = CustomFilterSet.For(tenant.CustomDeleteFilters, tenant.CustomIgnoreFilters, device.CustomDeleteFilters, device.CustomIgnoreFilters);
            config = ConfigNormalizer.Normalize(collected.RawText, request.Profile, tenant.SecretMaskingEnabled, filters);
            if (config.TimedOutFilters > 0)
                logger.LogWarning("Backup run {RunId}: {Count} custom filter(s) of tenant {TenantId} / device {DeviceId} exceeded their match timeout and were skipped",
                    run.Id, config.TimedOutFilters, device.TenantId, device.Id);
        }
        catch (BackupFailedException ex)
        {
            await FailAsync(run, device, ex.Kind, ex.Message, started, ex.OfferedHostKey);
            return;
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
            return;
        }

        await StoreAsync(run, device, config, collected, credentialId, started);
    }

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
    private async Task<(CollectionRequest Request, IReadOnlyDictionary<string, int> CredentialIds)> BuildRequestAsync(Device device, CancellationToken ct)
    {
        var profile = VendorProfiles.Find(device.Vendor)
            ?? throw new BackupFailedException(FailureKind.Misconfigured, $"Unknown vendor '{device.Vendor}'.");
        var credentials = new List<DeviceCredential>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var db = await dbFactory.CreateAsync(ct))
        {
            var ordered = await db.DeviceCredentialProfiles.AsNoTracking()
                .Where(x => x.DeviceId == device.Id)
                .Join(db.CredentialProfiles.AsNoTracking(), x => x.CredentialProfileId, c => c.Id, (x, c) => new { x.Position, Profile = c })
                .OrderBy(x => x.Position)
                .Select(x => x.Profile)
                .ToListAsync(ct);
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

    private async Task StoreAsync(BackupRun run, Device device, NormalizedConfig config, CollectedConfig collected, int? credentialId, long started)
    {
        // A collected config is committed even when shutdown is requested. One retriable unit: every attempt reloads
        // the run, the device and the latest snapshot, so a retry after a transient fault repeats it exactly.
        await using var db = await dbFactory.CreateAsync(CancellationToken.None);
        var (outcome, trackedRun) = await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var trackedRun = await db.BackupRuns.SingleAsync(r => r.Id == run.Id, ct);
            var trackedDevice = await db.Devices.SingleAsync(d => d.Id == device.Id, ct);
            var latest = trackedDevice.LatestSnapshotId is { } latestId
                ? await db.Snapshots.SingleOrDefaultAsync(s => s.Id == latestId, ct)
                : null;

            var records = new List<AuditRecord>();
            var actorName = run.Trigger == BackupTrigger.Schedule ? "system" : run.RequestedByName;
            var actorKind = run.Trigger == BackupTrigger.Schedule ? Tenancy.ActorKind.System
                : run.Trigger == BackupTrigger.Api ? Tenancy.ActorKind.ApiToken : Tenancy.ActorKind.User;
            AuditRecord Rec(string action, string resourceType, string resourceId, object details) => new()
            {
                TenantId = run.TenantId,
                Action = action,
                ResourceType = resourceType,
                ResourceId = resourceId,
                DeviceId = device.Id,
                DeviceName = device.Name,
                CorrelationId = run.CorrelationId,
                ActorKind = actorKind,
                ActorId = run.RequestedByUserId,
                ActorName = actorName,
                ClientIp = run.ClientIp,
                Details = details,
            };

            RunOutcome outcome;
            if (latest is not null && latest.CompareHash == config.CompareHash)
            {
                latest.LastSeenAtUtc = now;
                latest.SeenCount++;
                outcome = RunOutcome.Unchanged;
                trackedRun.SnapshotId = latest.Id;
                records.Add(Rec(AuditActions.ConfigSnapshotSkippedDuplicate, "snapshot", Id(latest.Id),
                    new { runId = run.Id, snapshotId = latest.Id, hash = config.CompareHash, seenCount = latest.SeenCount, credentialProfile = collected.CredentialUsed }));
            }
            else
            {
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
                    Trigger = run.Trigger.ToString().ToLowerInvariant(),
                    TriggeredBy = actorName,
                };
                LineDiffResult? diff = null;
                string? previousText = null;
                StoredSnapshotText? previous = null;
                if (latest is not null)
                {
                    previous = await SnapshotContentStore.LoadAsync(db, latest.Id, ct);
                    previousText = previous.Text;
                    diff = LineDiffer.Diff(previousText, config.Text);
                    // Counts leave out the vendor's ignore lines (a clock that moved is not a change); the stored
                    // unified diff below is exact, so that patch reproduces the new text.
                    var counted = LineDiffer.Diff(previousText, config.Text, new DiffOptions(IgnoreLines: VendorProfiles.Find(device.Vendor)?.IgnoreFilters));
                    snapshot.AddedLines = counted.Added;
                    snapshot.RemovedLines = counted.Removed;
                }
                db.Snapshots.Add(snapshot);
                await db.SaveChangesAsync(ct);

                await SnapshotContentStore.AddAsync(db, snapshot.Id, run.TenantId, config.Text, previous, ct); // zstd delta or keyframe
                await Snapshots.Browsing.LatestConfigs.StoreAsync(db, snapshot, config.Text, ct);
                records.Add(Rec(AuditActions.ConfigSnapshotCreated, "snapshot", Id(snapshot.Id),
                    new { runId = run.Id, snapshotId = snapshot.Id, hash = config.CompareHash, sizeBytes = config.SizeBytes, lines = config.LineCount, maskedSecrets = config.MaskedSecrets, credentialProfile = collected.CredentialUsed }));

                if (latest is not null && diff is not null)
                {
                    var unified = UnifiedDiff.Write(diff, $"a/{device.Name}", $"b/{device.Name}");
                    var sd = new SnapshotDiff
                    {
                        TenantId = run.TenantId,
                        DeviceId = device.Id,
                        FromSnapshotId = latest.Id,
                        ToSnapshotId = snapshot.Id,
                        AddedLines = snapshot.AddedLines,
                        RemovedLines = snapshot.RemovedLines,
                        UnifiedDiff = unified,
                        ChangedSections = Snapshots.Browsing.ChangeSummaries.Serialize(diff, device.Vendor),
                        CreatedAtUtc = now,
                    };
                    db.SnapshotDiffs.Add(sd);
                    await db.SaveChangesAsync(ct);
                    records.Add(Rec(AuditActions.ConfigDiffGenerated, "snapshot_diff", Id(sd.Id),
                        new { runId = run.Id, diffId = sd.Id, fromSnapshotId = latest.Id, toSnapshotId = snapshot.Id, added = snapshot.AddedLines, removed = snapshot.RemovedLines }));
                    await Notifications.NotificationOutbox.AddConfigChangedAsync(db, run, device, latest.Id, snapshot.Id, sd.AddedLines, sd.RemovedLines, unified, now, ct);
                }
                trackedDevice.LatestSnapshotId = snapshot.Id;
                trackedDevice.SnapshotCount++;
                trackedRun.SnapshotId = snapshot.Id;
                outcome = RunOutcome.Created;
            }

            trackedRun.Status = BackupRunStatus.Succeeded;
            trackedRun.Outcome = outcome;
            trackedRun.FinishedAtUtc = now;
            trackedRun.ActiveDeviceId = null;
            trackedRun.Message = outcome == RunOutcome.Created ? "New configuration stored." : "Configuration unchanged.";
            trackedDevice.LastRunAtUtc = now;
            trackedDevice.LastRunOutcome = outcome;
            trackedDevice.LastRunMessage = trackedRun.Message;
            trackedDevice.LastSuccessAtUtc = now;
            trackedDevice.RunCount++;
            if (collected.HostKeyFingerprint is { } fp && trackedDevice.HostKeyFingerprint is null)
                trackedDevice.HostKeyFingerprint = fp; // trust on first use
            trackedDevice.OfferedHostKeyFingerprint = null;
            trackedDevice.OfferedHostKeyAtUtc = null;
            if (credentialId is { } worked)
                trackedDevice.LastWorkingCredentialProfileId = worked;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, records, ct);
            return (outcome, trackedRun);
        }, CancellationToken.None);

        Record(outcome, started);
        await PublishAsync(trackedRun);
        logger.LogInformation("Backup run {RunId} of device {DeviceId} finished: {Outcome}", run.Id, device.Id, outcome);
    }

    private async Task FailAsync(BackupRun run, Device device, FailureKind kind, string message, long started, string? offeredHostKey = null)
    {
        await using var db = await dbFactory.CreateAsync(CancellationToken.None);
        var trackedRun = await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var trackedRun = await db.BackupRuns.SingleAsync(r => r.Id == run.Id, ct);
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
