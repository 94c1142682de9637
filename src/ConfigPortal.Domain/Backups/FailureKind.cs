namespace ConfigPortal.Domain.Backups;

/// <summary>Why a backup failed, as shown on the device page and in config_backup_failed details.</summary>
public enum FailureKind
{
    /// <summary>No route, DNS failure or no answer to the TCP connect.</summary>
    Unreachable = 1,
    /// <summary>The TCP connection was refused.</summary>
    ConnectionRefused = 2,
    /// <summary>An operation or the whole job ran out of time.</summary>
    Timeout = 3,
    /// <summary>Every credential was rejected.</summary>
    AuthenticationFailed = 4,
    /// <summary>The device presented a host key other than the pinned one.</summary>
    HostKeyChanged = 5,
    /// <summary>The output ended before the config did (no final prompt, dropped connection, missing end marker).</summary>
    TruncatedOutput = 6,
    /// <summary>The device rejected the command (e.g. "% Invalid input").</summary>
    CommandRejected = 7,
    /// <summary>The config came back empty.</summary>
    EmptyConfig = 8,
    /// <summary>The device record cannot be collected as configured (no credential, unknown vendor).</summary>
    Misconfigured = 9,
    /// <summary>The instance running the backup stopped before it finished.</summary>
    Interrupted = 10,
    /// <summary>An unexpected error in the portal itself.</summary>
    InternalError = 11,
}

/// <summary>
/// A classified collection or processing failure. <see cref="Exception.Message"/> must be safe to show and store:
/// never a password, key or community.
/// </summary>
public sealed class BackupFailedException(FailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;

    /// <summary>For <see cref="FailureKind.HostKeyChanged"/>: the fingerprint the device presented (public, safe to show).</summary>
    public string? OfferedHostKey { get; init; }

    /// <summary>Whether trying again may help (network faults, timeouts), as opposed to auth or host-key failures.</summary>
    public bool IsTransient => Kind is FailureKind.Unreachable or FailureKind.ConnectionRefused or FailureKind.Timeout or FailureKind.TruncatedOutput;
}
