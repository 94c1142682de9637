using Bunit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Web.Auth;
using ConfigPortal.Web.Components.Pages.Devices;
using ConfigPortal.Web.Components.Pages.Runs;
using ConfigPortal.Web.Components.Shared;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>The Runs page, the bulk progress bar and bulk Backup now on the devices page, over the real services.</summary>
public sealed class RunsPageTests : PortalComponentTest, IClassFixture<PortalDatabase>
{
    private const string Operator = "operator@acme.example";
    private readonly PortalDatabase _db;

    public RunsPageTests(PortalDatabase db) : base(db)
    {
        _db = db;
        Services.AddScoped<PortalSession>();
        ActAs(db.AcmeId, db.UserIds[Operator], Operator);
    }

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private IRenderedComponent<Runs> RenderAt(string relativeUri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUri);
        return Render<Runs>();
    }

    private static string? Status<T>(IRenderedComponent<T> cut, int row = 0) where T : IComponent =>
        cut.FindAll("[data-testid=run-status]")[row].GetAttribute("data-status");

    private async Task<int> DeviceAsync(string group, SimulatorBehavior behavior)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Tenancy.ITenantContext>().SetTenant(_db.AcmeId);
        scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Tenancy.CurrentActor>().SetSystem();
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = "runs-" + Guid.NewGuid().ToString("N")[..8], Address = "192.0.2.70", Port = 22, Vendor = "cisco_ios",
            Driver = DeviceDriver.Simulator, SimulatorBehavior = behavior, Group = group,
        }, Ct);
    }

    [Fact]
    public void Filters_are_read_from_the_query_string_and_unknown_values_are_ignored()
    {
        var cut = RenderAt("runs?trigger=api&status=active&outcome=failed&failure=authenticationfailed&group=core&range=day&bulk=42");

        var f = cut.Instance.CurrentFilter();
        Assert.Equal((BackupTrigger.Api, RunStatusFilter.Active, RunOutcome.Failed, FailureKind.AuthenticationFailed, "core", 42L),
            (f.Trigger, f.Status, f.Outcome, f.FailureKind, f.Group, f.BulkId));
        Assert.NotNull(f.FromUtc);

        cut = RenderAt("runs?trigger=bogus&status=9&outcome=&failure=nope&range=century");
        f = cut.Instance.CurrentFilter();
        Assert.Equal(new RunFilter(), f);
    }

    [Fact]
    public async Task Clearing_the_filters_reloads_the_grid_with_every_run_of_the_tenant()
    {
        var device = await DeviceAsync("clear", SimulatorBehavior.Static);
        await _db.BackupAsync(Services, Operator, device);
        await _db.BackupAsync(Services, Operator, _db.AcmeDevices["acme-fw1"]);
        var cut = RenderAt("runs?group=clear&trigger=manual");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=run-status]")));

        await cut.Find("[data-testid=clear-filters]").ClickAsync(new());

        Assert.Equal(new RunFilter(), cut.Instance.CurrentFilter());
        Assert.DoesNotContain("group=", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.True(cut.FindAll("[data-testid=run-status]").Count >= 2));
    }

    [Fact]
    public async Task A_skipped_schedule_slot_shows_as_skipped_with_its_reason_and_is_filterable()
    {
        var device = await DeviceAsync("skipped", SimulatorBehavior.Static);
        var now = DateTime.UtcNow;
        var slot = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        await using (var scope = Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Tenancy.ITenantContext>().SetTenant(_db.AcmeId);
            scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Tenancy.CurrentActor>().SetSystem();
            await using var db = await scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Data.IPortalDbFactory>().CreateAsync(Ct);
            db.BackupRuns.Add(new BackupRun
            {
                TenantId = _db.AcmeId, DeviceId = device, Trigger = BackupTrigger.Schedule, RequestedByName = "system",
                Status = BackupRunStatus.Skipped, Message = ConfigPortal.Infrastructure.Scheduling.SchedulePlanner.MissedMessage(slot, busy: true),
                QueuedAtUtc = now, FinishedAtUtc = now, CorrelationId = Guid.NewGuid().ToString("N"),
                ScheduledSlotUtc = slot,
            });
            await db.SaveChangesAsync(Ct);
        }

        var cut = RenderAt($"runs?device={device}&status=skipped");
        Assert.Equal(RunStatusFilter.Skipped, cut.Instance.CurrentFilter().Status);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("skipped", Status(cut));
            Assert.Contains("previous run was still in progress", cut.Find("[data-testid=run-skipped]").TextContent, StringComparison.Ordinal);
            Assert.Empty(cut.FindAll(".cp-run-spinner")); // finished: no spinner
        });
    }

    [Fact]
    public async Task A_failed_run_shows_its_device_trigger_actor_and_reason()
    {
        var device = _db.AcmeDevices["acme-old-sw9"]; // unreachable
        await _db.BackupAsync(Services, Operator, device);

        var cut = RenderAt($"runs?device={device}");

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("failed", Status(cut));
            Assert.Equal("acme-old-sw9", cut.Find("[data-testid=run-device]").TextContent.Trim());
            Assert.Equal($"/devices/{device}", cut.Find("[data-testid=run-device]").GetAttribute("href"));
            Assert.Equal("manual", cut.Find("[data-testid=run-trigger]").TextContent.Trim());
            Assert.Equal("unreachable", cut.Find("[data-testid=run-failure]").TextContent.Trim());
            Assert.Contains(Operator, cut.Find("[data-testid=runs-grid]").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_running_row_follows_its_run_live_and_new_runs_are_announced()
    {
        var device = await DeviceAsync("live", SimulatorBehavior.Static);
        var first = await Services.GetRequiredService<BackupService>().TriggerAsync(device, BackupTrigger.Manual, Ct);

        var cut = RenderAt("runs?group=live");
        cut.WaitForAssertion(() => Assert.Equal("queued", Status(cut)));

        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, first.Run.Id);
        cut.WaitForAssertion(() => Assert.Equal("stored", Status(cut)));

        // A run queued after the page loaded is announced, not pushed into the page under the reader's eyes.
        var second = await Services.GetRequiredService<BackupService>().TriggerAsync(device, BackupTrigger.Manual, Ct);
        cut.WaitForAssertion(() => Assert.Contains("1 new run", cut.Find("[data-testid=new-runs]").TextContent, StringComparison.Ordinal));
        await cut.Find("[data-testid=show-new-runs]").ClickAsync(new());
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(2, cut.FindAll("[data-testid=run-status]").Count);
            Assert.Equal("queued", Status(cut, 0));
        });
        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, second.Run.Id);
        cut.WaitForAssertion(() => Assert.Equal("unchanged", Status(cut, 0)));
    }

    [Fact]
    public async Task The_bulk_progress_bar_counts_done_failed_and_remaining_until_every_run_finished()
    {
        var ok = await DeviceAsync("progress", SimulatorBehavior.Static);
        var down = await DeviceAsync("progress", SimulatorBehavior.Unreachable);
        var result = await Services.GetRequiredService<BulkBackupService>().TriggerGroupAsync("progress", BackupTrigger.Manual, Ct);
        BulkBackupProgress? finished = null;
        var raised = 0;

        var cut = Render<BulkBackupProgressBar>(p => p.Add(c => c.Result, result).Add(c => c.OnFinished, pr => { finished = pr; raised++; }));
        cut.WaitForAssertion(() => Assert.Equal("2 remaining", cut.Find("[data-testid=bulk-remaining]").TextContent.Trim()));
        Assert.Equal("false", cut.Find("[data-testid=bulk-progress]").GetAttribute("data-finished"));
        Assert.Equal($"/runs?bulk={result.BulkId}", cut.Find("[data-testid=bulk-runs-link]").GetAttribute("href"));

        var runOf = result.Items.ToDictionary(i => i.DeviceId, i => i.RunId!.Value);
        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, runOf[ok]);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1 done", cut.Find("[data-testid=bulk-done]").TextContent.Trim());
            Assert.Equal("1 remaining", cut.Find("[data-testid=bulk-remaining]").TextContent.Trim());
        });
        Assert.Equal(0, raised);

        await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, runOf[down]);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1 failed", cut.Find("[data-testid=bulk-failed]").TextContent.Trim());
            Assert.Equal("0 remaining", cut.Find("[data-testid=bulk-remaining]").TextContent.Trim());
            Assert.Equal("true", cut.Find("[data-testid=bulk-progress]").GetAttribute("data-finished"));
        });
        Assert.Equal(1, raised);
        Assert.Null(finished); // raised by a live event, not by the initial read
    }

    [Fact]
    public async Task Selecting_devices_and_clicking_backup_now_shows_the_progress_of_that_bulk_request()
    {
        var cut = Render<ConfigPortal.Web.Components.Pages.Devices.Devices>();
        cut.WaitForAssertion(() => Assert.True(cut.FindAll("[data-testid=devices-grid] tbody input[type=checkbox]").Count >= 3));

        foreach (var i in new[] { 0, 1, 2 })
            await cut.FindAll("[data-testid=devices-grid] tbody input[type=checkbox]")[i].ChangeAsync(new ChangeEventArgs { Value = true });
        cut.WaitForAssertion(() => Assert.Equal("3 selected", cut.Find("[data-testid=bulk-count]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=bulk-enable]")); // an operator: Backup now, not the managers' actions

        await cut.Find("[data-testid=bulk-backup]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal("3 remaining", cut.Find("[data-testid=bulk-remaining]").TextContent.Trim()));
        var href = cut.Find("[data-testid=bulk-runs-link]").GetAttribute("href")!;
        var bulkId = long.Parse(href[(href.IndexOf('=', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var progress = await Services.GetRequiredService<BulkBackupService>().GetProgressAsync(bulkId, Ct);
        Assert.Equal(3, progress.Total);
        foreach (var run in progress.Runs) await PortalDatabase.ExecuteRunAsync(Services, _db.AcmeId, run.RunId);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("0 remaining", cut.Find("[data-testid=bulk-remaining]").TextContent.Trim());
            Assert.Equal("true", cut.Find("[data-testid=bulk-progress]").GetAttribute("data-finished"));
        });
    }
}
