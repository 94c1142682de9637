using Bunit;
using ConfigPortal.Domain.Preferences;
using ConfigPortal.Web.Components.Pages.Snapshots;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>The diff page over the real services: the view choice is stored for the user, options go into the URL.</summary>
public sealed class DiffPageTests : PortalComponentTest, IClassFixture<PortalDatabase>
{
    private const string Operator = "operator@acme.example";
    private const string Auditor = "auditor@acme.example";
    private readonly PortalDatabase _db;
    private static int? _device;

    public DiffPageTests(PortalDatabase db) : base(db)
    {
        _db = db;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>acme-core-sw1 (a drifting simulator) backed up twice: two snapshots to compare.</summary>
    private async Task<int> DeviceWithTwoSnapshotsAsync()
    {
        var id = _db.AcmeDevices["acme-core-sw1"];
        if (_device is null)
        {
            await _db.BackupAsync(Services, Operator, id);
            await _db.BackupAsync(Services, Operator, id);
            _device = id;
        }
        return id;
    }

    private IRenderedComponent<DiffPage> Open(int deviceId)
    {
        var cut = Render<DiffPage>(p => p.Add(x => x.DeviceId, deviceId));
        cut.WaitForElement("[data-testid=diff-viewer]", TimeSpan.FromSeconds(20));
        return cut;
    }

    /// <summary>The checkbox of a MudSwitch (the test id lands on the input or on its wrapper).</summary>
    private static AngleSharp.Dom.IElement Switch(IRenderedComponent<DiffPage> cut, string testId) =>
        cut.Find($"input[data-testid={testId}], [data-testid={testId}] input");

    private static string? View(IRenderedComponent<DiffPage> cut) => cut.Find("[data-testid=diff-viewer]").GetAttribute("data-view");

    [Fact]
    public async Task The_inline_view_chosen_by_a_user_is_what_that_user_sees_next_time_and_only_that_user()
    {
        var device = await DeviceWithTwoSnapshotsAsync();
        ActAs(_db.AcmeId, _db.UserIds[Operator], Operator);
        var first = Open(device);
        Assert.Equal("side-by-side", View(first));

        await first.Find("[data-testid=view-unified]").ClickAsync(new());

        Assert.Equal("unified", View(first));
        Assert.Equal(UserPreferenceNames.DiffViewUnified, await Services.GetRequiredService<UserPreferenceService>().GetAsync(UserPreferenceNames.DiffView, Xunit.TestContext.Current.CancellationToken));
        var again = Open(device);
        Assert.Equal("unified", View(again));

        // Another user of the same tenant keeps the default.
        ActAs(_db.AcmeId, _db.UserIds[Auditor], Auditor);
        Assert.Equal("side-by-side", View(Open(device)));

        // And back: the operator's side-by-side choice replaces the stored one.
        ActAs(_db.AcmeId, _db.UserIds[Operator], Operator);
        var third = Open(device);
        await third.Find("[data-testid=view-side-by-side]").ClickAsync(new());
        Assert.Equal("side-by-side", View(Open(device)));
    }

    [Fact]
    public async Task The_whitespace_and_ignore_line_toggles_are_kept_in_the_url()
    {
        var device = await DeviceWithTwoSnapshotsAsync();
        ActAs(_db.AcmeId, _db.UserIds[Operator], Operator);
        var cut = Open(device);
        var nav = Services.GetRequiredService<NavigationManager>();

        Switch(cut, "toggle-whitespace").Change(true);
        Assert.Contains("ignoreWhitespace=true", nav.Uri, StringComparison.Ordinal);
        Assert.Contains($"/devices/{device}/diff?from=", nav.Uri, StringComparison.Ordinal);

        Switch(cut, "toggle-ignored").Change(false);
        Assert.Contains("hideIgnored=false", nav.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downloads_and_copy_buttons_point_at_the_compared_snapshots()
    {
        var device = await DeviceWithTwoSnapshotsAsync();
        ActAs(_db.AcmeId, _db.UserIds[Operator], Operator);
        var cut = Open(device);

        var copy = cut.Find("[data-testid=copy-diff]").GetAttribute("data-copy-url");
        Assert.Matches($"^/download/devices/{device}/diff\\?from=\\d+&to=\\d+$", copy);
        Assert.StartsWith("/download/snapshots/", cut.Find("[data-testid=copy-new]").GetAttribute("data-copy-url"), StringComparison.Ordinal);
    }
}
