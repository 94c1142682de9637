using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConfigPortal.EndToEnd.Tests;

/// <summary>
/// A tenant admin sets the tenant default schedule ("every 6 hours"), sees a bad cron refused under its field, and the
/// device page shows the next planned backup in the schedule's zone and UTC. Saves schedules.png and device-schedule.png.
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
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
