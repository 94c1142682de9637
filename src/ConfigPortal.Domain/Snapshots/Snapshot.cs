using ConfigPortal.Domain.Common;

namespace ConfigPortal.Domain.Snapshots;

/// <summary>
/// One distinct version of a device's config. A backup that finds the same compare hash as the latest snapshot does
/// not add a row: it moves <see cref="LastSeenAtUtc"/> and bumps <see cref="SeenCount"/>.
/// </summary>
public sealed class Snapshot : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; set; }
    public int DeviceId { get; set; }
    public long CreatedByRunId { get; set; }
    public long? PreviousSnapshotId { get; set; }
    public DateTime FirstSeenAtUtc { get; set; }
    public DateTime LastSeenAtUtc { get; set; }
    public int SeenCount { get; set; } = 1;

    /// <summary>SHA-256 of the compare view (stored text minus ignore-filter lines).</summary>
    public required string CompareHash { get; set; }
    public int SizeBytes { get; set; }
    public int LineCount { get; set; }

    /// <summary>Lines added / removed against the previous snapshot (0/0 for the first).</summary>
    public int AddedLines { get; set; }
    public int RemovedLines { get; set; }

    /// <summary>Who or what produced it: "manual", "api", "schedule".</summary>
    public required string Trigger { get; set; }
    public string? TriggeredBy { get; set; }
}

public enum ContentEncoding
{
    /// <summary>Plain UTF-8 (old rows, and text that does not compress).</summary>
    Utf8 = 0,
    /// <summary>Deflate of the UTF-8 text alone (rows written before zstd; still decoded).</summary>
    Deflate = 1,
    /// <summary>A zstd frame of the UTF-8 text alone: a keyframe that deltas refer to.</summary>
    Zstd = 2,
    /// <summary>A zstd frame compressed with the full text of <see cref="SnapshotContent.BaseSnapshotId"/> as a raw-content dictionary.</summary>
    ZstdDelta = 3,
}

/// <summary>The text of a snapshot, kept apart so that lists never load it.</summary>
public sealed class SnapshotContent : ITenantOwned
{
    public long SnapshotId { get; set; }
    public int TenantId { get; set; }
    public ContentEncoding Encoding { get; set; }
    public required byte[] Data { get; set; }

    /// <summary>
    /// For <see cref="ContentEncoding.ZstdDelta"/>: the snapshot (of the same device) whose full text is the dictionary.
    /// It is always a full copy (never itself a delta), so any snapshot decodes in at most two steps.
    /// </summary>
    public long? BaseSnapshotId { get; set; }
}

/// <summary>The stored diff between a snapshot and its predecessor (unified format; applies with patch).</summary>
public sealed class SnapshotDiff : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; set; }
    public int DeviceId { get; set; }
    public long FromSnapshotId { get; set; }
    public long ToSnapshotId { get; set; }
    public int AddedLines { get; set; }
    public int RemovedLines { get; set; }
    public required string UnifiedDiff { get; set; }
    public DateTime CreatedAtUtc { get; set; }

    /// <summary>
    /// The configuration blocks the change touches, as JSON (<see cref="Browsing.ChangeSummaries"/>), written by the
    /// pipeline; null for diffs stored before it did.
    /// </summary>
    public string? ChangedSections { get; set; }
}
