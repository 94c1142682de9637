using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConfigPortal.EndToEnd.Tests;

/// <summary>
/// Bulk Backup now in a real browser: an operator selects three devices, clicks Backup now, watches the progress bar
/// reach done, and follows its link to the Runs page filtered to that request. Saves the bulk and Runs screenshots.
/// </summary>
public sealed class BulkBackupJourneyTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Operator = "operator@acme.example";

    [Fact]
    public async Task Operator_backs_up_three_selected_devices_and_follows_the_progress_to_the_runs_page()
    {
        var page = await portal.NewPageAsync();
        try
        {
            await page.GotoAsync("/account/login");
            await page.FillAsync("#email", Operator);
            await page.FillAsync("#password", PortalFixture.DemoPassword);
            await page.ClickAsync("#sign-in");
            await Expect(page).ToHaveURLAsync(new Regex("/devices$"));
            await Expect(page.Locator("#cp-interactive")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });

            // The baseline runs of the first start may still be in flight: the request then joins them, which is fine.
            var boxes = page.GetByTestId("devices-grid").Locator("tbody input[type=checkbox]");
            await Expect(boxes.First).ToBeAttachedAsync(new() { Timeout = 30_000 });
            // One box at a time, each once the server has rendered the previous selection: a click that lands while the
            // previous one's render is on its way is undone by that render (the grid's checkboxes are controlled by the
            // server), and Playwright then reports that the click did not change the box (seen once in CI).
            for (var i = 0; i < 3; i++)
            {
                await boxes.Nth(i).CheckAsync(new() { Force = true });
                await Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync($"{i + 1} selected");
            }
            await Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("3 selected");

            await page.GetByTestId("bulk-backup").ClickAsync();

            var progress = page.GetByTestId("bulk-progress");
            await Expect(progress).ToBeVisibleAsync();
            // Whatever the runs have reached by now (the bar moves as they finish).
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "bulk-backup-progress.png") });
            await Expect(progress).ToHaveAttributeAsync("data-finished", "true", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("bulk-remaining")).ToHaveTextAsync("0 remaining");
            var done = int.Parse((await page.GetByTestId("bulk-done").InnerTextAsync()).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            var failed = int.Parse((await page.GetByTestId("bulk-failed").InnerTextAsync()).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(3, done + failed);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "bulk-backup.png"), FullPage = true });

            await page.GetByTestId("bulk-runs-link").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/runs\?bulk=\d+$"));
            await Expect(page.GetByTestId("bulk-filter")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("runs-grid").GetByTestId("run-status")).ToHaveCountAsync(3, new() { Timeout = 15_000 });
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "runs-bulk.png"), FullPage = true });

            // The whole tenant's runs, unfiltered (the baseline runs of every device and the three above).
            await page.GetByTestId("clear-filters").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/runs$"));
            await Expect(page.GetByTestId("runs-grid").GetByTestId("run-status").First).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await Expect(page.GetByTestId("runs-grid").GetByTestId("run-status")).Not.ToHaveCountAsync(3, new() { Timeout = 15_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "runs.png"), FullPage = true });

            // One device's run history on its page.
            await page.GetByTestId("runs-grid").GetByTestId("run-device").First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/devices/\d+$"));
            await Expect(page.GetByTestId("device-runs").GetByTestId("run-status").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, "device-runs.png"), FullPage = true });
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
