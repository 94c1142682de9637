using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Domain.Snapshots.Diffing;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Domain.Tests.Snapshots;

public sealed class SnapshotTextCacheTests
{
    private static SnapshotTextCache Cache(int megabytes) =>
        new(Options.Create(new BackupOptions { SnapshotTextCacheMegabytes = megabytes }));

    [Fact]
    public void A_stored_text_is_found_by_its_snapshot_id_and_nothing_else_is()
    {
        using var cache = Cache(4);
        var keyframe = "hostname a\ninterface Gi0/1\n";
        cache.Add(new StoredSnapshotText(7, "hostname a\ninterface Gi0/2\n", 5, keyframe, 40));

        var found = cache.Find(7);
        Assert.NotNull(found);
        Assert.Equal(("hostname a\ninterface Gi0/2\n", 5L, keyframe, 40), (found.Text, found.KeyframeId, found.KeyframeText, found.KeyframeStoredBytes));
        Assert.Null(cache.Find(5));
        Assert.Null(cache.Find(8));

        cache.Clear();
        Assert.Null(cache.Find(7));
    }

    [Fact]
    public void Zero_megabytes_turns_the_cache_off()
    {
        using var cache = Cache(0);
        cache.Add(new StoredSnapshotText(1, "x\n", 1, "x\n", 2));
        Assert.Null(cache.Find(1));
    }

    [Fact]
    public void A_config_larger_than_a_quarter_of_the_cache_is_not_kept()
    {
        using var cache = Cache(1);
        var big = new string('x', 200_000); // 400 KB as UTF-16: more than a quarter of 1 MB
        cache.Add(new StoredSnapshotText(1, big, 1, big, 1000));
        cache.Add(new StoredSnapshotText(2, "small\n", 2, "small\n", 6));
        Assert.Null(cache.Find(1));
        Assert.NotNull(cache.Find(2));
    }

    [Fact]
    public void Counted_changes_leave_out_the_vendors_ignore_lines_and_count_the_rest()
    {
        var before = "hostname r1\n! Last configuration change at 10:00:00 UTC Mon Nov 2 2026\ninterface Gi0/1\n description old\n";
        var after = "hostname r1\n! Last configuration change at 11:00:00 UTC Mon Nov 2 2026\ninterface Gi0/1\n description new\n shutdown\n";
        var diff = LineDiffer.Diff(before, after);

        Assert.Equal((3, 2), (diff.Added, diff.Removed)); // the exact diff sees the clock line too
        Assert.Equal((2, 1), ChangeSummaries.CountedChanges(diff, "cisco_ios"));
        Assert.Equal((3, 2), ChangeSummaries.CountedChanges(diff, "no_such_vendor"));
    }
}
