using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Snapshots;

/// <summary>
/// A snapshot's text with what a following version needs to be stored as a delta against the same keyframe. <see cref="Group"/>
/// is the keyframe's group as this snapshot left it, when known (a snapshot this instance stored); null when read back
/// from the database (the group is then counted by a query).
/// </summary>
public sealed record StoredSnapshotText(long SnapshotId, string Text, long KeyframeId, string KeyframeText, int KeyframeStoredBytes, KeyframeGroup? Group = null);

/// <summary>The deltas stored against one keyframe: how many, and their bytes in total.</summary>
public sealed record KeyframeGroup(int Deltas, long DeltaBytes)
{
    public static readonly KeyframeGroup Empty = new(0, 0);
}

/// <summary>
/// Reads and writes <see cref="SnapshotContent"/> rows. A new version is stored as a zstd delta against the current
/// keyframe (a full copy) of its device; a delta never refers to another delta, so any version decodes in at most two
/// steps. A new keyframe starts when the next delta would cost more than the keyframe group's average bytes per
/// version so far (keyframe + deltas) — deltas against a fixed keyframe grow as changes accumulate — or after
/// <see cref="MaxDeltasPerKeyframe"/> deltas. See docs/decisions/ADR-006-snapshot-storage.md.
/// </summary>
public static class SnapshotContentStore
{
    /// <summary>Caps how many versions depend on one keyframe row.</summary>
    public const int MaxDeltasPerKeyframe = 500;

    /// <summary>The text of a snapshot (one or two rows read).</summary>
    public static async Task<string> LoadTextAsync(IPortalDb db, long snapshotId, CancellationToken ct = default) =>
        (await LoadAsync(db, snapshotId, ct)).Text;

    public static async Task<StoredSnapshotText> LoadAsync(IPortalDb db, long snapshotId, CancellationToken ct = default)
    {
        var content = await db.SnapshotContents.AsNoTracking().FirstOrDefaultAsync(c => c.SnapshotId == snapshotId, ct)
            ?? throw new SnapshotContentException($"Snapshot {snapshotId} has no stored content.");
        if (content.Encoding != ContentEncoding.ZstdDelta)
        {
            var text = Decode(content, null);
            return new StoredSnapshotText(snapshotId, text, snapshotId, text, content.Data.Length);
        }
        if (content.BaseSnapshotId is not { } baseId)
            throw new SnapshotContentException($"The stored content of snapshot {snapshotId} is a delta without a base snapshot.");
        var keyframe = await db.SnapshotContents.AsNoTracking().FirstOrDefaultAsync(c => c.SnapshotId == baseId, ct)
            ?? throw new SnapshotContentException($"The stored content of snapshot {snapshotId} is a delta against snapshot {baseId}, whose content is missing.");
        if (keyframe.Encoding == ContentEncoding.ZstdDelta)
            throw new SnapshotContentException($"The stored content of snapshot {snapshotId} is a delta against snapshot {baseId}, which is not a full copy.");
        var keyText = Decode(keyframe, null);
        return new StoredSnapshotText(snapshotId, Decode(content, keyText), baseId, keyText, keyframe.Data.Length);
    }

    /// <summary>
    /// The texts of many snapshots in two queries (their rows, then the keyframes they need that are not among them);
    /// each keyframe is decoded once. For readers of many configs at once (search, exports).
    /// </summary>
    public static async Task<Dictionary<long, string>> LoadTextsAsync(IPortalDb db, IReadOnlyCollection<long> snapshotIds, CancellationToken ct = default)
    {
        var ids = snapshotIds.Distinct().ToList();
        var rows = await db.SnapshotContents.AsNoTracking().Where(c => ids.Contains(c.SnapshotId)).ToDictionaryAsync(c => c.SnapshotId, ct);
        if (ids.FirstOrDefault(id => !rows.ContainsKey(id)) is var missingId && missingId != 0)
            throw new SnapshotContentException($"Snapshot {missingId} has no stored content.");
        var needed = rows.Values.Where(c => c.BaseSnapshotId is { } b && !rows.ContainsKey(b)).Select(c => c.BaseSnapshotId!.Value).Distinct().ToList();
        var keyframes = needed.Count == 0 ? [] : await db.SnapshotContents.AsNoTracking().Where(c => needed.Contains(c.SnapshotId)).ToDictionaryAsync(c => c.SnapshotId, ct);
        foreach (var (id, row) in rows) keyframes.TryAdd(id, row);
        var keyTexts = new Dictionary<long, string>();
        var texts = new Dictionary<long, string>(ids.Count);
        foreach (var row in rows.Values)
        {
            if (row.Encoding != ContentEncoding.ZstdDelta)
            {
                texts[row.SnapshotId] = keyTexts.TryGetValue(row.SnapshotId, out var t) ? t : keyTexts[row.SnapshotId] = Decode(row, null);
                continue;
            }
            if (row.BaseSnapshotId is not { } baseId)
                throw new SnapshotContentException($"The stored content of snapshot {row.SnapshotId} is a delta without a base snapshot.");
            if (!keyTexts.TryGetValue(baseId, out var keyText))
            {
                if (!keyframes.TryGetValue(baseId, out var keyframe))
                    throw new SnapshotContentException($"The stored content of snapshot {row.SnapshotId} is a delta against snapshot {baseId}, whose content is missing.");
                if (keyframe.Encoding == ContentEncoding.ZstdDelta)
                    throw new SnapshotContentException($"The stored content of snapshot {row.SnapshotId} is a delta against snapshot {baseId}, which is not a full copy.");
                keyTexts[baseId] = keyText = Decode(keyframe, null);
            }
            texts[row.SnapshotId] = Decode(row, keyText);
        }
        return texts;
    }

    /// <summary>
    /// Encodes a new snapshot's content, before any write transaction: a delta against <paramref name="previous"/>'s
    /// keyframe when that pays (see the class summary), else a full copy. Reads only the keyframe group's size, and only
    /// when <paramref name="previous"/> does not carry it; a device's runs never commit concurrently (one active run per
    /// device), so the decision cannot go stale.
    /// </summary>
    public static async Task<EncodedContent> EncodeAsync(IPortalDb db, string text, StoredSnapshotText? previous, CancellationToken ct = default)
    {
        if (CanEncodeOffline(previous))
            return Encode(text, previous);
        var group = await db.SnapshotContents.Where(c => c.BaseSnapshotId == previous!.KeyframeId)
            .GroupBy(c => 1).Select(g => new { Count = g.Count(), Bytes = g.Sum(c => (long)c.Data.Length) }).FirstOrDefaultAsync(ct);
        return Encode(text, previous! with { Group = group is null ? KeyframeGroup.Empty : new KeyframeGroup(group.Count, group.Bytes) });
    }

    /// <summary>
    /// Whether <see cref="Encode"/> can decide without the database: no usable base (a full copy), or a base whose
    /// keyframe group is known.
    /// </summary>
    public static bool CanEncodeOffline(StoredSnapshotText? previous) => !UsableBase(previous) || previous!.Group is not null;

    /// <summary>
    /// <see cref="EncodeAsync"/> without the database: <paramref name="previous"/> must carry its keyframe group when it
    /// is a usable base (<see cref="CanEncodeOffline"/>).
    /// </summary>
    public static EncodedContent Encode(string text, StoredSnapshotText? previous)
    {
        if (UsableBase(previous))
        {
            var group = previous!.Group ?? throw new InvalidOperationException("The keyframe group of the previous snapshot is not known; use EncodeAsync.");
            var delta = ContentCodec.EncodeDelta(text, previous.KeyframeText);
            if (KeepDelta(delta.Length, previous.KeyframeStoredBytes, group.Deltas, group.DeltaBytes))
                return new EncodedContent(ContentEncoding.ZstdDelta, delta, previous.KeyframeId, new KeyframeGroup(group.Deltas + 1, group.DeltaBytes + delta.Length));
        }
        var (encoding, data) = ContentCodec.Encode(text);
        return new EncodedContent(encoding, data, null, KeyframeGroup.Empty);
    }

    private static bool UsableBase(StoredSnapshotText? previous) =>
        previous is not null && System.Text.Encoding.UTF8.GetByteCount(previous.KeyframeText) >= ContentCodec.MinBaseBytes;

    /// <summary>Adds (does not save) the content row of a new snapshot from its encoded content.</summary>
    public static SnapshotContent Add(IPortalDb db, long snapshotId, int tenantId, EncodedContent content)
    {
        var row = new SnapshotContent
        {
            SnapshotId = snapshotId, TenantId = tenantId, Encoding = content.Encoding, Data = content.Data, BaseSnapshotId = content.BaseSnapshotId,
        };
        db.SnapshotContents.Add(row);
        return row;
    }

    /// <summary>
    /// Encodes and adds (does not save) the content row of a new snapshot: <see cref="EncodeAsync"/> then <see cref="Add"/>.
    /// </summary>
    public static async Task<SnapshotContent> AddAsync(IPortalDb db, long snapshotId, int tenantId, string text, StoredSnapshotText? previous, CancellationToken ct = default) =>
        Add(db, snapshotId, tenantId, await EncodeAsync(db, text, previous, ct));

    /// <summary>
    /// Whether a delta of <paramref name="deltaBytes"/> joins the keyframe's group (of <paramref name="deltas"/> deltas
    /// totalling <paramref name="deltaBytesSoFar"/>): only while it costs no more than the group's average bytes per
    /// version. With deltas that grow linearly this starts a new keyframe near the optimal group length √(2F/c).
    /// </summary>
    public static bool KeepDelta(int deltaBytes, int keyframeBytes, int deltas, long deltaBytesSoFar) =>
        deltas < MaxDeltasPerKeyframe && (long)deltaBytes * (deltas + 1) <= keyframeBytes + deltaBytesSoFar;

    private static string Decode(SnapshotContent content, string? baseText)
    {
        try
        {
            return ContentCodec.Decode(content.Encoding, content.Data, baseText);
        }
        catch (SnapshotContentException e)
        {
            throw new SnapshotContentException($"Snapshot {content.SnapshotId}: {e.Message}", e.InnerException ?? e);
        }
    }
}

/// <summary>
/// A snapshot's content as stored: its encoding, bytes and, for a delta, the keyframe it is a delta against;
/// <see cref="Group"/> is that keyframe's group with this content in it (empty for a full copy, which starts a group).
/// </summary>
public sealed record EncodedContent(ContentEncoding Encoding, byte[] Data, long? BaseSnapshotId, KeyframeGroup Group);
