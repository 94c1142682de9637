using ConfigPortal.Domain.Common;

namespace ConfigPortal.Domain.Devices;

/// <summary>How the portal talks to a device.</summary>
public enum DeviceDriver
{
    /// <summary>A deterministic in-process device, for demos and tests.</summary>
    Simulator = 1,
    Ssh = 2,
}

/// <summary>How a simulated device behaves on successive backups.</summary>
public enum SimulatorBehavior
{
    /// <summary>The config changes on every backup (a description, an ACL entry, a route).</summary>
    Drifting = 1,
    /// <summary>The config changes on every third backup; otherwise only volatile lines move.</summary>
    Occasional = 2,
    /// <summary>Only volatile lines (clock, uptime) ever change.</summary>
    Static = 3,
    /// <summary>Never answers: every backup fails as unreachable.</summary>
    Unreachable = 4,
    /// <summary>Rejects the credentials.</summary>
    AuthFailure = 5,
    /// <summary>Stops sending half-way through the config.</summary>
    Truncated = 6,
}

public enum RunOutcome
{
    Created = 1,
    Unchanged = 2,
    Failed = 3,
}

public sealed class Device : ITenantOwned
{
    public const int MaxGroupLength = 100;

    public int Id { get; set; }
    public int TenantId { get; set; }
    public required string Name { get; set; }
    public required string Address { get; set; }
    public int Port { get; set; } = 22;

    /// <summary>Vendor profile id, e.g. "cisco_ios" (see <see cref="Configs.VendorProfiles"/>).</summary>
    public required string Vendor { get; set; }
    public DeviceDriver Driver { get; set; } = DeviceDriver.Ssh;
    public SimulatorBehavior? SimulatorBehavior { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The credential profile that last logged in; tried first next time (see <see cref="DeviceCredentialProfile"/> for
    /// the ordered list). Not a foreign key: it is only a hint, cleared when the profile leaves the list.
    /// </summary>
    public int? LastWorkingCredentialProfileId { get; set; }

    /// <summary>A free-form group ("core", "branch-north") for filtering and bulk actions; null when ungrouped.</summary>
    public string? Group { get; set; }

    /// <summary>Pinned SSH host key (SHA-256 fingerprint), trusted on first use.</summary>
    public string? HostKeyFingerprint { get; set; }

    /// <summary>The fingerprint a device presented instead of the pinned one (the last host_key_changed failure).</summary>
    public string? OfferedHostKeyFingerprint { get; set; }
    public DateTime? OfferedHostKeyAtUtc { get; set; }

    /// <summary>Extra delete filters of this device: one regex per line (see <see cref="Configs.CustomFilterSet"/>).</summary>
    public string? CustomDeleteFilters { get; set; }
    /// <summary>Extra ignore filters of this device: one regex per line.</summary>
    public string? CustomIgnoreFilters { get; set; }

    // Denormalized for the devices grid; updated in the run's transaction.
    public DateTime? LastRunAtUtc { get; set; }
    public RunOutcome? LastRunOutcome { get; set; }
    public string? LastRunMessage { get; set; }
    public DateTime? LastSuccessAtUtc { get; set; }
    public long? LatestSnapshotId { get; set; }
    public int SnapshotCount { get; set; }
    public int RunCount { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>One entry of a device's ordered credential fallback list (ADR-004).</summary>
public sealed class DeviceCredentialProfile : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; set; }
    public int DeviceId { get; set; }
    public int CredentialProfileId { get; set; }
    /// <summary>0 is tried first.</summary>
    public int Position { get; set; }
}
