using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;

namespace ConfigPortal.Domain.Backups;

/// <summary>Everything a driver needs to collect one device's config.</summary>
public sealed record CollectionRequest
{
    public required int TenantId { get; init; }
    public required int DeviceId { get; init; }
    public required string DeviceName { get; init; }
    public required string Address { get; init; }
    public required int Port { get; init; }
    public required VendorProfile Profile { get; init; }
    /// <summary>1 for the device's first run, then counting up (the simulator drifts by it).</summary>
    public required int RunNumber { get; init; }
    public SimulatorBehavior? SimulatorBehavior { get; init; }
    /// <summary>Credentials to try in order; the next one is tried only on an authentication failure.</summary>
    public IReadOnlyList<DeviceCredential> Credentials { get; init; } = [];
    /// <summary>The host key pinned for this device; null on first use.</summary>
    public string? PinnedHostKey { get; init; }
}

/// <summary>The raw text a driver returned, with what it learned on the way.</summary>
public sealed record CollectedConfig(string RawText, string? CredentialUsed = null, string? HostKeyFingerprint = null);

/// <summary>
/// The seam between the pipeline and a device. Implementations throw <see cref="BackupFailedException"/> with a
/// classified reason; any other exception is recorded as an internal error.
/// </summary>
public interface IDeviceCollector
{
    DeviceDriver Driver { get; }
    Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken);
}

public sealed class BackupOptions
{
    /// <summary>How long collecting one device may take, end to end.</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How many devices are collected at once by this instance.</summary>
    public int MaxConcurrentSessions { get; set; } = 16;
    /// <summary>
    /// How long a worker's claim on a run holds without a heartbeat. Past it, any instance's sweeper fails the run
    /// (interrupted) and frees the device; a scheduled run is re-queued for the same slot.
    /// </summary>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How often a worker renews the leases of the runs it executes (well under <see cref="RunLease"/>).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>How often a worker looks for runs whose lease expired (zero: never).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How many times a schedule slot is run for a device when instances die holding it (first run included).</summary>
    public int MaxSlotAttempts { get; set; } = 3;
    /// <summary>Run the backup worker in this instance (false for a web-only instance: <c>--role web</c>).</summary>
    public bool RunWorker { get; set; } = true;
    /// <summary>How often the worker looks in the database for runs queued by other instances (zero: never).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Memory for the texts of the snapshots this instance stored last (<see cref="Snapshots.SnapshotTextCache"/>), so the
    /// next backup of a device need not read and decode its previous content (zero: off).
    /// </summary>
    public int SnapshotTextCacheMegabytes { get; set; } = 64;
}
