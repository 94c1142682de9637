using Bunit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Web.Components.Shared;
using ConfigPortal.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

public sealed class BackupNowButtonTests : PortalComponentTest, IClassFixture<PortalDatabase>
{
    private const string Operator = "operator@acme.example";
    private readonly PortalDatabase _db;

    public BackupNowButtonTests(PortalDatabase db) : base(db)
    {
        _db = db;
        ActAs(db.AcmeId, db.UserIds[Operator], Operator);
    }

    private static bool IsDisabled(IRenderedComponent<BackupNowButton> cut) => cut.Find("[data-testid=backup-now]").HasAttribute("disabled");

    private static string? Status(IRenderedComponent<BackupNowButton> cut) => cut.Find("[data-testid=run-status]").GetAttribute("data-status");

    private async Task<IReadOnlyList<BackupRunView>> RunsAsync(int deviceId) =>
        (await Services.GetRequiredService<BackupService>().ListRunsAsync(deviceId, 0, 50, Xunit.TestContext.Current.CancellationToken)).Items;

    [Fact]
    public async Task Backup_now_is_disabled_while_the_run_is_queued_and_enabled_again_once_it_is_stored()
    {
        var deviceId = _db.AcmeDevices["acme-core-sw1"];
        var seen = new List<string>();
        BackupRunView? finished = null;
        var cut = Render<BackupNowButton>(p => p
            .Add(b => b.DeviceId, deviceId)
            .Add(b => b.OnFinished, run => { finished = run; }));
        Assert.False(IsDisabled(cut));
        Assert.Empty(cut.FindAll("[data-testid=run-status]"));

        await cut.Find("[data-testid=backup-now]").ClickAsync(new());

        Assert.True(IsDisabled(cut));
        Assert.Equal("queued", Status(cut));
        var run = Assert.Single(await RunsAsync(deviceId));
        Assert.Equal(BackupRunStatus.Queued, run.Status);
        Assert.Equal(Operator, run.RequestedBy);

        // The worker's part, driven here: the component follows the notifier's events.
        cut.OnMarkupUpdated += (_, _) => { if (cut.FindAll("[data-testid=run-status]").Count > 0) seen.Add(Status(cut)!); };
        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, run.Id);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("stored", Status(cut));
            Assert.False(IsDisabled(cut));
        });
        Assert.Contains("collecting", seen);
        Assert.NotNull(finished);
        Assert.Equal(run.Id, finished.Id);
        Assert.Equal(RunOutcome.Created, finished.Outcome);
    }

    [Fact]
    public async Task A_second_backup_of_an_unchanged_device_ends_as_unchanged()
    {
        var deviceId = _db.AcmeDevices["acme-dc-leaf2"]; // Static
        await _db.BackupAsync(Services, Operator, deviceId);
        var cut = Render<BackupNowButton>(p => p.Add(b => b.DeviceId, deviceId));

        await cut.Find("[data-testid=backup-now]").ClickAsync(new());
        Assert.Equal("queued", Status(cut));
        var run = (await RunsAsync(deviceId))[0];
        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, run.Id);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("unchanged", Status(cut));
            Assert.False(IsDisabled(cut));
        });
    }

    [Fact]
    public async Task A_failed_run_shows_failed_with_its_reason_and_enables_the_button()
    {
        var deviceId = _db.AcmeDevices["acme-old-sw9"]; // Unreachable
        var cut = Render<BackupNowButton>(p => p.Add(b => b.DeviceId, deviceId));

        await cut.Find("[data-testid=backup-now]").ClickAsync(new());
        var run = Assert.Single(await RunsAsync(deviceId));
        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, run.Id);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("failed", Status(cut));
            Assert.Contains("Unreachable", cut.Find("[data-testid=run-status]").TextContent, StringComparison.Ordinal);
            Assert.False(IsDisabled(cut));
        });
    }

    [Fact]
    public async Task A_double_click_queues_one_run()
    {
        var deviceId = _db.AcmeDevices["acme-edge-r1"];
        var cut = Render<BackupNowButton>(p => p.Add(b => b.DeviceId, deviceId));
        var button = cut.Find("[data-testid=backup-now]");

        // Both clicks are dispatched before either handler has finished, as a fast double click is.
        var first = button.ClickAsync(new());
        var second = button.ClickAsync(new());
        await Task.WhenAll(first, second);

        var run = Assert.Single(await RunsAsync(deviceId));
        Assert.Equal("queued", Status(cut));
        Assert.True(IsDisabled(cut));

        // A click on the disabled button changes nothing either.
        await cut.Find("[data-testid=backup-now]").ClickAsync(new());
        Assert.Single(await RunsAsync(deviceId));
        Assert.Equal(run.Id, (await Services.GetRequiredService<BackupService>().GetActiveRunAsync(deviceId, Xunit.TestContext.Current.CancellationToken))!.Id);
    }

    [Fact]
    public async Task A_page_opened_while_a_run_is_queued_starts_disabled_and_follows_that_run()
    {
        var deviceId = _db.AcmeDevices["acme-branch-rt1"];
        var triggered = await Services.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Manual, Xunit.TestContext.Current.CancellationToken);

        var cut = Render<BackupNowButton>(p => p.Add(b => b.DeviceId, deviceId));

        Assert.True(IsDisabled(cut));
        Assert.Equal("queued", Status(cut));
        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, triggered.Run.Id);
        cut.WaitForAssertion(() => Assert.Equal("stored", Status(cut)));
        Assert.False(IsDisabled(cut));
    }

    [Fact]
    public async Task Events_of_other_devices_do_not_change_the_button()
    {
        var deviceId = _db.AcmeDevices["acme-fw1"];
        var other = _db.AcmeDevices["acme-core-sw2"];
        var cut = Render<BackupNowButton>(p => p.Add(b => b.DeviceId, deviceId));

        await _db.BackupAsync(Services, Operator, other);

        Assert.False(IsDisabled(cut));
        Assert.Empty(cut.FindAll("[data-testid=run-status]"));
    }
}
