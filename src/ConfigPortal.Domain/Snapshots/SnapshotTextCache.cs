using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Domain.Snapshots;

/// <summary>
/// The texts of the snapshots this instance stored last (and of their keyframes), so the next backup of the same
/// device diffs and delta-encodes against them without reading and decoding the previous content rows again.
/// Stored content never changes once committed and snapshot ids are not reused, so an entry cannot go stale; a miss
/// (another instance stored the snapshot, the entry was evicted, a restart) falls back to the database. Entries are
/// added only after their transaction committed. Bounded by <see cref="BackupOptions.SnapshotTextCacheMegabytes"/>
/// (UTF-16 characters counted as two bytes; zero turns the cache off).
/// </summary>
public sealed class SnapshotTextCache : IDisposable
{
    private readonly MemoryCache? _cache;
    private readonly long _limit;

    public SnapshotTextCache(IOptions<Backups.BackupOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var megabytes = options.Value.SnapshotTextCacheMegabytes;
        if (megabytes <= 0) return;
        _limit = megabytes * 1024L * 1024L;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = _limit, CompactionPercentage = 0.25 });
    }

    public StoredSnapshotText? Find(long snapshotId) =>
        _cache is not null && _cache.TryGetValue(snapshotId, out StoredSnapshotText? text) ? text : null;

    public void Add(StoredSnapshotText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_cache is null) return;
        // The keyframe's text is usually shared by many entries (one string instance); counting it in each entry
        // over-estimates, which keeps the cache under its limit.
        var size = 2L * (text.Text.Length + (ReferenceEquals(text.Text, text.KeyframeText) ? 0 : text.KeyframeText.Length)) + 256;
        if (size > _limit / 4) return; // one huge config must not flush everything else
        _cache.Set(text.SnapshotId, text, new MemoryCacheEntryOptions { Size = size, SlidingExpiration = TimeSpan.FromHours(6) });
    }

    /// <summary>Forgets every entry (as a restart does).</summary>
    public void Clear() => _cache?.Compact(1.0);

    public void Dispose() => _cache?.Dispose();
}
