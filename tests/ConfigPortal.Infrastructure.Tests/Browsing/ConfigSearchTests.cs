using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Tests.Browsing;

public sealed class ConfigSearchTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Auditor = "auditor@acme.example";
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private static string Config(params string[] middle) =>
        string.Join('\n', ["hostname search-test", "!", .. middle, "!", "end"]) + "\n";

    [Fact]
    public async Task ALiteralSearchFindsMatchingLinesWithContextAcrossLatestConfigs()
    {
        var one = await Portal.CreateDeviceAsync(Acme, "search-literal-1", "search");
        var two = await Portal.CreateDeviceAsync(Acme, "search-literal-2", "search");
        await Portal.StoreConfigAsync(Acme, one, Config("interface Gi0/1", " description UPLINK-ZQX7 to core", " ip address 10.9.9.1 255.255.255.0", "!", "interface Gi0/2", " description uplink-zqx7 spare"));
        var twoSnapshot = await Portal.StoreConfigAsync(Acme, two, Config("interface Gi0/9", " description nothing here"));
        await Portal.StoreConfigAsync(Acme, two, Config("interface Gi0/9", " description Uplink-Zqx7 moved"));

        var result = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("uplink-zqx7", ContextLines: 1));

        Assert.False(result.IsPartial);
        Assert.Equal(result.Total, result.Searched);
        Assert.Equal(["search-literal-1", "search-literal-2"], result.Results.Select(r => r.DeviceName));
        var r1 = result.Results[0];
        Assert.True(r1.IsLatest);
        Assert.Equal(2, r1.MatchingLines);
        // Lines 4 and 8 match; with one line of context they make two blocks: 3-5 and 7-8 (the config ends at line 10).
        Assert.Equal([[3, 4, 5], [7, 8, 9]], r1.Blocks.Select(b => b.Lines.Select(l => l.Number).ToArray()));
        var hit = r1.Blocks[0].Lines[1];
        Assert.True(hit.IsMatch);
        Assert.Equal(" description UPLINK-ZQX7 to core", hit.Text);
        Assert.Equal(new MatchSpan(13, 11), Assert.Single(hit.Matches));
        Assert.False(r1.Blocks[0].Lines[0].IsMatch);
        Assert.Equal(4, r1.FirstMatchLine);
        // Only the latest snapshot of a device is searched.
        var r2 = result.Results[1];
        Assert.NotEqual(twoSnapshot, r2.SnapshotId);
        Assert.Equal(1, r2.MatchingLines);

        var exact = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("UPLINK-ZQX7", MatchCase: true));
        Assert.Equal("search-literal-1", Assert.Single(exact.Results).DeviceName);
        Assert.Equal(1, exact.Results[0].MatchingLines);
    }

    [Fact]
    public async Task ARegexSearchMatchesPerLineWithAnchors()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "search-regex-1", "search");
        await Portal.StoreConfigAsync(Acme, device, Config("interface Vlan77", " ip address 10.77.1.1 255.255.255.0", " ip address 10.77.2.1 255.255.255.0 secondary", "router ospf 77", " network 10.77.0.0 0.0.255.255 area 0"));

        var result = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest(@"^\s*ip address 10\.77\.\d+\.1\b", IsRegex: true, ContextLines: 0));

        var r = Assert.Single(result.Results, x => x.DeviceId == device);
        Assert.Equal(2, r.MatchingLines);
        Assert.Equal([4, 5], r.Blocks.SelectMany(b => b.Lines).Select(l => l.Number));
        Assert.All(r.Blocks.SelectMany(b => b.Lines), l => Assert.Equal(0, Assert.Single(l.Matches).Start));
    }

    [Theory]
    [InlineData("([unclosed", true)]
    [InlineData("a{2,1}", true)]
    [InlineData("   ", false)]
    public async Task ABadRegexOrAnEmptyQueryIsAFormError(string query, bool regex)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest(query, IsRegex: regex)));

        Assert.True(error.Errors.ContainsKey("query"));
        if (regex) Assert.StartsWith("Not a valid regular expression", error.Errors["query"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistorySearchAlsoFindsOlderSnapshots()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "search-history-1", "search");
        var old = await Portal.StoreConfigAsync(Acme, device, Config("snmp-server community QWPLM-OLD RO"));
        var latest = await Portal.StoreConfigAsync(Acme, device, Config("snmp-server community <removed> RO"));

        Assert.Empty((await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("qwplm-old"))).Results);

        var history = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("qwplm-old", IncludeHistory: true));
        var r = Assert.Single(history.Results);
        Assert.Equal((old, false), (r.SnapshotId, r.IsLatest));
        Assert.True(history.Total > (await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("qwplm-old"))).Total);

        var both = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("snmp-server community", IncludeHistory: true));
        Assert.Equal([latest, old], both.Results.Where(x => x.DeviceId == device).Select(x => x.SnapshotId));
    }

    [Fact]
    public async Task ThePipelineKeepsTheLatestConfigAsPlainText()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "search-pipeline-1", "search");
        await Portal.BackupAsync(Acme, device);
        await Portal.BackupAsync(Acme, device);

        var (latestId, row, text) = await Portal.QueryAsync(Acme, async db =>
        {
            var d = await db.Devices.AsNoTracking().SingleAsync(x => x.Id == device);
            var l = await db.DeviceLatestConfigs.AsNoTracking().SingleAsync(x => x.DeviceId == device);
            return (d.LatestSnapshotId, l, await SnapshotContentStore.LoadTextAsync(db, d.LatestSnapshotId!.Value));
        });
        Assert.Equal(latestId, row.SnapshotId);
        Assert.Equal(text, row.Text);
    }

    [Fact]
    public async Task ADeviceWithoutAPlainTextRowIsDecodedSearchedAndFilledIn()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "search-backfill-1", "search");
        var snapshot = await Portal.StoreConfigAsync(Acme, device, Config("banner motd ^BKFL-4471^"), latestRow: false);
        Assert.False(await Portal.QueryAsync(Acme, db => db.DeviceLatestConfigs.AnyAsync(l => l.DeviceId == device)));

        var r = Assert.Single((await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("bkfl-4471"))).Results);

        Assert.Equal(snapshot, r.SnapshotId);
        var row = await Portal.QueryAsync(Acme, db => db.DeviceLatestConfigs.AsNoTracking().SingleAsync(l => l.DeviceId == device));
        Assert.Equal(snapshot, row.SnapshotId);
        // A stale row (older snapshot) is never used: the current snapshot is decoded instead.
        var newer = await Portal.StoreConfigAsync(Acme, device, Config("banner motd ^BKFL-4472^"), latestRow: false);
        Assert.Empty((await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("bkfl-4471"))).Results);
        Assert.Equal(newer, Assert.Single((await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("bkfl-4472"))).Results).SnapshotId);
    }

    [Fact]
    public async Task ASearchNeverReturnsAnotherTenantsConfigs()
    {
        var globex = await Portal.CreateDeviceAsync(Portal.GlobexId, "globex-search-1", "search");
        await Portal.StoreConfigAsync(Portal.GlobexId, globex, Config("description GLBX-SECRET-ROUTE-9"));

        Assert.Single((await Portal.SearchAsync(Portal.GlobexId, "auditor@globex.example", new ConfigSearchRequest("glbx-secret-route-9", IncludeHistory: true))).Results);
        var acme = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("glbx-secret-route-9", IncludeHistory: true));
        Assert.Empty(acme.Results);
        var everything = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("hostname", IncludeHistory: true));
        Assert.DoesNotContain(everything.Results, r => r.DeviceName.StartsWith("globex", StringComparison.Ordinal));
        var acmeSnapshots = await Portal.QueryAsync(Acme, db => db.Snapshots.CountAsync());
        Assert.Equal(acmeSnapshots, everything.Total);
    }
}

/// <summary>The bounds of a search: result limit, regex match timeout, overall deadline (options changed per test).</summary>
public sealed class ConfigSearchBoundsTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Auditor = "auditor@acme.example";
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private async Task WithOptionsAsync(Action<ConfigSearchOptions> change, Func<Task> test)
    {
        var options = Portal.Services.GetRequiredService<IOptions<ConfigSearchOptions>>().Value;
        var saved = new ConfigSearchOptions
        {
            MatchTimeout = options.MatchTimeout, Deadline = options.Deadline, MaxLines = options.MaxLines, MaxLinesPerSnapshot = options.MaxLinesPerSnapshot,
        };
        change(options);
        try { await test(); }
        finally
        {
            options.MatchTimeout = saved.MatchTimeout;
            options.Deadline = saved.Deadline;
            options.MaxLines = saved.MaxLines;
            options.MaxLinesPerSnapshot = saved.MaxLinesPerSnapshot;
        }
    }

    [Fact]
    public async Task ResultsStopAtTheLineLimits()
    {
        await WithOptionsAsync(o => { o.MaxLines = 5; o.MaxLinesPerSnapshot = 2; }, async () =>
        {
            // "interface" is in every demo config, many times.
            var result = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("interface", ContextLines: 0));

            Assert.True(result.LimitReached);
            Assert.True(result.IsPartial);
            Assert.Equal(5, result.Results.Sum(r => r.ShownLines));
            Assert.All(result.Results, r => Assert.True(r.ShownLines <= 2));
            Assert.Contains(result.Results, r => r.MatchingLines > r.ShownLines);
        });
    }

    [Fact]
    public async Task ARegexThatBacktracksForeverTimesOutAndTheRestIsStillSearched()
    {
        var device = await Portal.CreateDeviceAsync(Acme, "search-redos-1", "search");
        await Portal.StoreConfigAsync(Acme, device, "hostname redos\n" + new string('a', 40) + "!\nend\n");

        await WithOptionsAsync(o => o.MatchTimeout = TimeSpan.FromMilliseconds(5), async () =>
        {
            var result = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest(@"^(a+)+$", IsRegex: true));

            Assert.True(result.TimedOut >= 1);
            Assert.True(result.IsPartial);
            Assert.False(result.DeadlineReached);
            Assert.DoesNotContain(result.Results, r => r.DeviceId == device);
            Assert.Equal(result.Total, result.Searched + result.TimedOut);
        });
    }

    [Fact]
    public async Task TheOverallDeadlineStopsTheSearchWithPartialResults()
    {
        await WithOptionsAsync(o => o.Deadline = TimeSpan.Zero, async () =>
        {
            var result = await Portal.SearchAsync(Acme, Auditor, new ConfigSearchRequest("hostname"));

            Assert.True(result.DeadlineReached);
            Assert.True(result.IsPartial);
            Assert.True(result.Searched < result.Total);
        });
    }
}
