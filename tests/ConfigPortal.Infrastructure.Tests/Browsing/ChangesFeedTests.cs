using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Domain.Snapshots.Diffing;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Tests.Browsing;

public sealed class ChangesFeedTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Auditor = "auditor@acme.example";
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private async Task ChangeAsync(int deviceId, int times = 1)
    {
        for (var i = 0; i < times; i++) await Portal.BackupAsync(Acme, deviceId);
    }

    [Fact]
    public async Task TheFeedListsEveryChangeNewestFirstWithItsCountsAndLinks()
    {
        var ios = await Portal.CreateDeviceAsync(Acme, "feed-order-ios", "feed-order");
        var junos = await Portal.CreateDeviceAsync(Acme, "feed-order-junos", "feed-order", "juniper_junos");
        await ChangeAsync(ios);   // baseline: no diff
        await ChangeAsync(junos); // baseline
        await ChangeAsync(ios, 2);
        await ChangeAsync(junos);

        var page = await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(Group: "feed-order"));

        var diffs = await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.AsNoTracking()
            .Where(d => d.DeviceId == ios || d.DeviceId == junos).OrderByDescending(d => d.Id).ToListAsync());
        Assert.Equal(3, diffs.Count);
        Assert.Equal(diffs.Select(d => d.Id), page.Items.Select(i => i.DiffId));
        Assert.Equal(["feed-order-junos", "feed-order-ios", "feed-order-ios"], page.Items.Select(i => i.DeviceName));
        foreach (var (item, diff) in page.Items.Zip(diffs))
        {
            Assert.Equal((diff.DeviceId, diff.FromSnapshotId, diff.ToSnapshotId, diff.AddedLines, diff.RemovedLines, diff.CreatedAtUtc),
                (item.DeviceId, item.FromSnapshotId, item.ToSnapshotId, item.AddedLines, item.RemovedLines, item.ChangedAtUtc));
            Assert.True(item.AddedLines + item.RemovedLines > 0);
            Assert.Equal("manual", item.Trigger);
            Assert.False(string.IsNullOrEmpty(item.TriggeredBy));
            Assert.NotNull(item.Sections);
            Assert.NotEmpty(item.Sections.Sections);
        }
        Assert.Equal((null, null), (page.OlderCursor, page.NewerCursor));
    }

    [Fact]
    public async Task ThePipelineStoresTheChangedSectionsOfEachDiffLeavingOutIgnoredLines()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "feed-sections-sw", "feed-sections");
        await ChangeAsync(device, 3);

        var diffs = await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.AsNoTracking().Where(d => d.DeviceId == device).ToListAsync());
        Assert.Equal(2, diffs.Count);
        foreach (var diff in diffs)
        {
            var stored = ChangeSummaries.Parse(diff.ChangedSections);
            Assert.NotNull(stored);
            var (oldText, newText) = await Portal.QueryAsync(Acme, async db =>
            {
                return (await SnapshotContentStore.LoadTextAsync(db, diff.FromSnapshotId), await SnapshotContentStore.LoadTextAsync(db, diff.ToSnapshotId));
            });
            var expected = ChangeSummaries.Summarize(LineDiffer.Diff(oldText, newText), "cisco_ios");
            Assert.Equal(expected.Sections, stored.Sections);
            // The section counts add up to the diff's counts (both leave out the vendor's ignore lines).
            Assert.Equal((diff.AddedLines, diff.RemovedLines), (stored.Sections.Sum(s => s.Added), stored.Sections.Sum(s => s.Removed)));
            Assert.DoesNotContain(stored.Sections, s => s.Section.Contains("Last configuration change", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task FiltersByDeviceGroupVendorAndTime()
    {
        var a = await Portal.CreateDeviceAsync(Acme, "feed-filter-a", "feed-filter-1");
        var b = await Portal.CreateDeviceAsync(Acme, "feed-filter-b", "feed-filter-1", "juniper_junos");
        var c = await Portal.CreateDeviceAsync(Acme, "feed-filter-c", "feed-filter-2", "juniper_junos");
        await ChangeAsync(a, 2);
        await ChangeAsync(b, 2);
        var between = DateTime.UtcNow;
        await Task.Delay(20, TestContext.Current.CancellationToken);
        await ChangeAsync(c, 2);
        await ChangeAsync(a);

        async Task<IReadOnlyList<string>> Names(ChangesFeedQuery q) => (await Portal.FeedAsync(Acme, Auditor, q)).Items.Select(i => i.DeviceName).ToList();

        Assert.Equal(["feed-filter-a", "feed-filter-a"], await Names(new ChangesFeedQuery(DeviceId: a)));
        Assert.Equal(["feed-filter-a", "feed-filter-b", "feed-filter-a"], await Names(new ChangesFeedQuery(Group: "feed-filter-1")));
        var junos = await Names(new ChangesFeedQuery(Vendor: "juniper_junos"));
        Assert.Contains("feed-filter-b", junos);
        Assert.Contains("feed-filter-c", junos);
        Assert.DoesNotContain("feed-filter-a", junos);
        var since = await Names(new ChangesFeedQuery(FromUtc: between));
        // c: a baseline and one change.
        Assert.Equal(["feed-filter-a", "feed-filter-c"], since.Where(n => n.StartsWith("feed-filter-", StringComparison.Ordinal)));
        Assert.Equal(["feed-filter-b", "feed-filter-a"], await Names(new ChangesFeedQuery(Group: "feed-filter-1", ToUtc: between)));
    }

    [Fact]
    public async Task PagesByKeysetBothWays()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "feed-paging-sw", "feed-paging");
        await ChangeAsync(device, 6); // 5 diffs
        var all = await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.AsNoTracking().Where(d => d.DeviceId == device)
            .OrderByDescending(d => d.Id).Select(d => d.Id).ToListAsync());
        Assert.Equal(5, all.Count);

        var first = await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(DeviceId: device, Take: 2));
        Assert.Equal(all[..2], first.Items.Select(i => i.DiffId));
        Assert.Null(first.NewerCursor);
        Assert.Equal(all[1], first.OlderCursor);

        var second = await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(DeviceId: device, BeforeId: first.OlderCursor, Take: 2));
        Assert.Equal(all[2..4], second.Items.Select(i => i.DiffId));
        Assert.Equal((all[3], all[2]), (second.OlderCursor!.Value, second.NewerCursor!.Value));

        var third = await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(DeviceId: device, BeforeId: second.OlderCursor, Take: 2));
        Assert.Equal(all[4..], third.Items.Select(i => i.DiffId));
        Assert.Null(third.OlderCursor);
        Assert.Equal(all[4], third.NewerCursor);

        // Back: the page newer than the second page's first row is the first page again.
        var back = await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(DeviceId: device, AfterId: second.NewerCursor, Take: 2));
        Assert.Equal(all[..2], back.Items.Select(i => i.DiffId));
        Assert.Null(back.NewerCursor);
        Assert.Equal(all[1], back.OlderCursor);
    }

    [Fact]
    public async Task DiffsStoredBeforeSectionsWereRecordedShowNoSections()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "feed-legacy-sw", "feed-legacy");
        await ChangeAsync(device, 2);
        await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.Where(d => d.DeviceId == device).ExecuteUpdateAsync(s => s.SetProperty(d => d.ChangedSections, (string?)null)));

        var item = Assert.Single((await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(DeviceId: device))).Items);
        Assert.Null(item.Sections);
    }

    [Fact]
    public async Task TheFeedNeverShowsAnotherTenantsChanges()
    {
        var globexDevice = await Portal.QueryAsync(Portal.GlobexId, db => db.Devices.Where(d => d.Name == "globex-core1").Select(d => d.Id).SingleAsync());
        await Portal.BackupAsync(Portal.GlobexId, globexDevice, "operator@globex.example");
        var globexFeed = await Portal.FeedAsync(Portal.GlobexId, "auditor@globex.example", new ChangesFeedQuery());
        Assert.Contains(globexFeed.Items, i => i.DeviceId == globexDevice);

        var acme = await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(Take: 200));
        Assert.DoesNotContain(acme.Items, i => i.DeviceName.StartsWith("globex", StringComparison.Ordinal));
        Assert.Empty((await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(DeviceId: globexDevice))).Items);
        Assert.DoesNotContain((await Portal.FeedAsync(Acme, Auditor, new ChangesFeedQuery(AfterId: 0, Take: 200))).Items, i => i.DeviceId == globexDevice);
    }
}
