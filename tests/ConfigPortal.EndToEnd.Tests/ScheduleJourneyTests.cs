using System.Text.RegularExpressions;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConfigPortal.EndToEnd.Tests;

/// <summary>
/// A tenant admin sets the tenant default schedule ("every 6 hours"), sees a bad cron refused under its field, and the
/// device page shows the next planned backup in the schedule's zone and UTC; a schedule slot recorded as missed shows
/// on the Runs page as "skipped" with its reason. Saves schedules.png, device-schedule.png and runs-skipped.png.
/// </summary>
public sealed class ScheduleJourneyTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task Tenant_admin_sets_a_schedule_and_the_device_page_shows_the_next_planned_backup()
    {
        var page = await portal.NewPageAsync();
        try
        {
            await page.GotoAsync("/account/login");
            await page.FillAsync("#email", "admin@acme.example");
            await page.FillAsync("#password", PortalFixture.DemoPassword);
            await page.ClickAsync("#sign-in");
            await Expect(page).ToHaveURLAsync(new Regex("/devices$"));
            await page.GotoAsync("/settings/schedules");
            await Expect(page.Locator("#cp-interactive")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });

            var tenant = page.GetByTestId("tenant-schedule");
            await tenant.GetByTestId("schedule-zone").FillAsync("Europe/Zurich");
            await tenant.GetByTestId("schedule-hours").FillAsync("6");
            await tenant.GetByTestId("schedule-save").ClickAsync();
            await Expect(tenant).ToContainTextAsync("Every 6 hours", new() { Timeout = 15_000 });

            // A bad zone is refused with the service's message under the field.
            await tenant.GetByTestId("schedule-zone").FillAsync("Mars/Olympus");
            await tenant.GetByTestId("schedule-save").ClickAsync();
            await Expect(tenant).ToContainTextAsync("Unknown time zone", new() { Timeout = 15_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "schedules.png"), FullPage = true });

            await page.GotoAsync("/devices");
            await page.GetByTestId("device-link").Filter(new() { HasTextRegex = new Regex("^acme-core-sw1$") }).ClickAsync();
            await Expect(page.GetByTestId("next-run-local")).ToContainTextAsync("Europe/Zurich", new() { Timeout = 15_000 });
            await Expect(page.GetByTestId("schedule-source")).ToHaveTextAsync("Tenant default");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "device-schedule.png"), FullPage = true });

            // A slot the planner recorded as missed (the device was still busy): the Runs page, filtered to skipped runs.
            await AddSkippedSlotAsync("acme-core-sw1");
            await page.GotoAsync("/runs?status=skipped");
            await Expect(page.Locator("#cp-interactive")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("run-status").First).ToHaveAttributeAsync("data-status", "skipped", new() { Timeout = 15_000 });
            await Expect(page.GetByTestId("run-skipped").First).ToContainTextAsync("previous run was still in progress");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "runs-skipped.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>The row the planner writes for a slot that came while the device's previous run was still going.</summary>
    private async Task AddSkippedSlotAsync(string deviceName)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var root = scope.ServiceProvider.GetRequiredService<ConfigPortal.Infrastructure.Persistence.PortalDbContext>();
        var tenantId = await root.Tenants.Where(t => t.Name == "Acme Networks").Select(t => t.Id).SingleAsync();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        await using var db = await scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Data.IPortalDbFactory>().CreateAsync();
        var deviceId = await db.Devices.Where(d => d.Name == deviceName).Select(d => d.Id).SingleAsync();
        var now = DateTime.UtcNow;
        var slot = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(-1);
        db.BackupRuns.Add(new BackupRun
        {
            TenantId = tenantId, DeviceId = deviceId, Trigger = BackupTrigger.Schedule, RequestedByName = "system",
            Status = BackupRunStatus.Skipped, Message = ConfigPortal.Infrastructure.Scheduling.SchedulePlanner.MissedMessage(slot, busy: true),
            QueuedAtUtc = now, FinishedAtUtc = now, CorrelationId = Guid.NewGuid().ToString("N"),
            ScheduledSlotUtc = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(-1),
        });
        await db.SaveChangesAsync();
    }
}
