using Bunit;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Web.Components.Pages.Changes;
using ConfigPortal.Web.Components.Pages.Search;
using ConfigPortal.Web.Components.Pages.Snapshots;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Browsing;

/// <summary>Two changes of a drifting device, and a config with markup and search terms on another device.</summary>
public sealed class BrowsingFixture : IAsyncLifetime
{
    public const string Config = """
        hostname edge-lab
        banner motd ^<script>alert('owned')</script>^
        !
        interface GigabitEthernet0/1
         description UPLINK to core
         ip address 10.20.30.1 255.255.255.0
        !
        interface GigabitEthernet0/2
         description uplink spare
         shutdown
        !
        router bgp 65000
         neighbor 10.20.30.2 remote-as 65001
         neighbor 10.20.30.2 description Uplink peer
        !
        end

        """;

    public PortalDatabase Db { get; } = new();
    public int Drifting { get; private set; }
    public int Lab { get; private set; }
    public long LabSnapshot { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await Db.InitializeAsync();
        var services = new ServiceCollection();
        Db.AddTo(services);
        await using var provider = services.BuildServiceProvider();
        Drifting = Db.AcmeDevices["acme-core-sw1"];
        for (var i = 0; i < 3; i++) await Db.BackupAsync(provider, "operator@acme.example", Drifting);

        Lab = Db.AcmeDevices["acme-dc-leaf2"];
        await using var scope = provider.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(Db.AcmeId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var device = await db.Devices.SingleAsync(d => d.Id == Lab);
        device.Vendor = "cisco_ios";
        var now = DateTime.UtcNow;
        var text = Config.Replace("\r\n", "\n", StringComparison.Ordinal);
        var snapshot = new Snapshot
        {
            TenantId = Db.AcmeId, DeviceId = Lab, FirstSeenAtUtc = now, LastSeenAtUtc = now, CompareHash = new string('a', 64),
            SizeBytes = text.Length, LineCount = text.Count(c => c == '\n'), Trigger = "manual", TriggeredBy = "test",
        };
        db.Snapshots.Add(snapshot);
        await db.SaveChangesAsync();
        var (encoding, data) = ContentCodec.Encode(text);
        db.SnapshotContents.Add(new SnapshotContent { SnapshotId = snapshot.Id, TenantId = Db.AcmeId, Encoding = encoding, Data = data });
        await LatestConfigs.StoreAsync(db, snapshot, text, CancellationToken.None);
        device.LatestSnapshotId = snapshot.Id;
        device.SnapshotCount = 1;
        await db.SaveChangesAsync();
        LabSnapshot = snapshot.Id;
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}

public sealed class BrowsingPagesTests : PortalComponentTest, IClassFixture<BrowsingFixture>
{
    private const string Auditor = "auditor@acme.example";
    private readonly BrowsingFixture _f;

    public BrowsingPagesTests(BrowsingFixture fixture) : base(fixture.Db)
    {
        _f = fixture;
        ActAs(fixture.Db.AcmeId, fixture.Db.UserIds[Auditor], Auditor);
        SetRendererInfo(new RendererInfo("Server", true));
    }

    private IRenderedComponent<T> RenderAt<T>(string relativeUri, Action<ComponentParameterCollectionBuilder<T>>? parameters = null) where T : IComponent
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUri);
        return Render<T>(parameters ?? (_ => { }));
    }

    [Fact]
    public void The_snapshot_view_highlights_encoded_text_and_searches_with_next_and_previous()
    {
        var cut = RenderAt<SnapshotPage>($"snapshots/{_f.LabSnapshot}", p => p.Add(x => x.SnapshotId, _f.LabSnapshot));
        cut.WaitForElement("[data-testid=config-search]");

        // The banner's markup is text, never elements.
        Assert.Empty(cut.FindAll(".cp-config script"));
        Assert.DoesNotContain("<script>", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", cut.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(cut.FindAll(".cp-config .cp-tok-kw"));
        Assert.NotEmpty(cut.FindAll(".cp-config .cp-tok-addr"));

        cut.Find("[data-testid=config-search]").Input("uplink");
        Assert.Equal("1 of 3", cut.Find("[data-testid=match-count]").TextContent.Trim());
        Assert.Equal(3, cut.FindAll(".cp-config mark.cp-hit").Count);
        Assert.Equal("UPLINK", cut.Find(".cp-config mark.cp-hit-current").TextContent);

        cut.Find("[data-testid=next-match]").Click();
        Assert.Equal("2 of 3", cut.Find("[data-testid=match-count]").TextContent.Trim());
        Assert.Equal("uplink", cut.Find(".cp-config mark.cp-hit-current").TextContent);
        Assert.Equal("9", cut.Find(".cp-config .cp-line-current .cp-ln").TextContent);
        var scroll = JSInterop.Invocations.Last(i => i.Identifier == "configPortal.scrollToLine");
        Assert.Equal(8, scroll.Arguments[1]);

        cut.Find("[data-testid=prev-match]").Click();
        cut.Find("[data-testid=prev-match]").Click();
        Assert.Equal("3 of 3", cut.Find("[data-testid=match-count]").TextContent.Trim());
        cut.Find("[data-testid=config-search]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        Assert.Equal("1 of 3", cut.Find("[data-testid=match-count]").TextContent.Trim());

        cut.Find("[data-testid=match-case]").Change(true);
        Assert.Equal("1 of 1", cut.Find("[data-testid=match-count]").TextContent.Trim());
        cut.Find("[data-testid=config-search]").Input("no-such-text");
        Assert.Equal("No matches", cut.Find("[data-testid=match-count]").TextContent.Trim());
    }

    [Fact]
    public void The_snapshot_view_lists_sections_and_jumps_to_one()
    {
        var cut = RenderAt<SnapshotPage>($"snapshots/{_f.LabSnapshot}", p => p.Add(x => x.SnapshotId, _f.LabSnapshot));
        cut.WaitForElement("[data-testid=sections]");

        var links = cut.FindAll("[data-testid=section-link]");
        Assert.Equal(["interface GigabitEthernet0/1", "interface GigabitEthernet0/2", "router bgp 65000"], links.Select(l => l.TextContent.Trim()));

        links[2].Click();
        var scroll = JSInterop.Invocations.Last(i => i.Identifier == "configPortal.scrollToLine");
        Assert.Equal(11, scroll.Arguments[1]);
        Assert.Equal("12", cut.Find(".cp-config .cp-line-target .cp-ln").TextContent);
    }

    [Fact]
    public void A_line_and_search_from_the_url_are_shown_first()
    {
        var cut = RenderAt<SnapshotPage>($"snapshots/{_f.LabSnapshot}?line=14&q=uplink", p => p.Add(x => x.SnapshotId, _f.LabSnapshot));
        cut.WaitForElement("[data-testid=config-search]");

        Assert.Equal("3 of 3", cut.Find("[data-testid=match-count]").TextContent.Trim());
        Assert.Equal("14", cut.Find(".cp-config .cp-line-target .cp-ln").TextContent);
        cut.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "configPortal.scrollToLine" && (int)i.Arguments[1]! == 13));
    }

    [Fact]
    public void The_changes_page_lists_changes_with_counts_sections_and_diff_links()
    {
        var cut = RenderAt<Changes>("changes");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=change-diff]").Count));

        Assert.All(cut.FindAll("[data-testid=change-device]"), a => Assert.Equal("acme-core-sw1", a.TextContent.Trim()));
        Assert.All(cut.FindAll("[data-testid=change-sections] .cp-section-chip"), chip => Assert.False(string.IsNullOrWhiteSpace(chip.TextContent)));
        Assert.NotEmpty(cut.FindAll("[data-testid=change-sections] .cp-section-chip"));
        var href = cut.FindAll("[data-testid=change-diff]")[0].GetAttribute("href");
        Assert.Matches($@"^/devices/{_f.Drifting}/diff\?from=\d+&to=\d+$", href);
        Assert.Matches(@"^\+\d+ −\d+$", cut.FindAll("[data-testid=change-counts]")[0].TextContent.Trim());
    }

    [Fact]
    public void The_changes_page_takes_its_filters_from_the_url()
    {
        var cut = RenderAt<Changes>($"changes?device={_f.Lab}");
        cut.WaitForElement("[data-testid=no-changes]");

        var byGroup = RenderAt<Changes>("changes?group=core&vendor=cisco_ios");
        byGroup.WaitForAssertion(() => Assert.Equal(2, byGroup.FindAll("[data-testid=change-diff]").Count));

        var future = RenderAt<Changes>($"changes?from={DateTime.UtcNow.AddDays(2):yyyy-MM-dd}");
        future.WaitForElement("[data-testid=no-changes]");

        // Another tenant's device id: nothing of it, and a notice.
        var other = RenderAt<Changes>("changes?device=987654");
        other.WaitForElement("[data-testid=no-changes]");
        Assert.NotNull(other.Find("[data-testid=feed-error]"));
    }

    [Fact]
    public void Config_search_shows_matching_lines_with_context_encoded_and_linked_to_the_snapshot_line()
    {
        var cut = RenderAt<ConfigSearch>("search?q=owned");
        cut.WaitForElement("[data-testid=search-result]");

        var result = Assert.Single(cut.FindAll("[data-testid=search-result]"));
        Assert.Equal("acme-dc-leaf2", result.QuerySelector("[data-testid=result-device]")!.TextContent.Trim());
        Assert.Equal($"/snapshots/{_f.LabSnapshot}?line=2&q=owned", result.QuerySelector("[data-testid=result-snapshot]")!.GetAttribute("href"));
        Assert.Equal(["1", "2", "3", "4"], result.QuerySelectorAll(".cp-search-block .cp-ln").Select(e => e.TextContent));
        Assert.Empty(result.QuerySelectorAll("script"));
        Assert.Equal("owned", result.QuerySelector("mark.cp-hit")!.TextContent);
        Assert.Contains("&lt;script&gt;", result.InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_regex_is_shown_as_a_form_error()
    {
        var cut = RenderAt<ConfigSearch>("search?q=(unclosed&regex=true");

        cut.WaitForAssertion(() => Assert.Contains("Not a valid regular expression", cut.Markup, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=search-result]"));
    }
}
