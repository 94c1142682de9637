using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConfigPortal.EndToEnd.Tests;

/// <summary>
/// The first slice in a real browser: an operator backs up a drifting device twice and reads the diff, an auditor filters
/// the audit grid; and a user of one tenant cannot open another tenant's device. Saves the README screenshots.
/// </summary>
public sealed partial class PortalJourneyTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Operator = "operator@acme.example";
    private const string Auditor = "auditor@acme.example";
    private const string DriftingDevice = "acme-core-sw1";
    private const string DiffGenerated = "config_diff_generated";

    [GeneratedRegex("^(stored|unchanged)$")]
    private static partial Regex FinishedOk();

    [GeneratedRegex("change[ -]#?\\d+")]
    private static partial Regex SimulatedChange();

    [Fact]
    public async Task Operator_backs_up_a_drifting_device_twice_sees_the_diff_and_auditor_filters_the_audit_grid()
    {
        var page = await portal.NewPageAsync();
        try
        {
            // Operator: devices grid.
            await SignInAsync(page, Operator);
            var deviceLink = page.GetByTestId("device-link").Filter(new() { HasTextRegex = new Regex($"^{DriftingDevice}$") });
            await Expect(deviceLink).ToBeVisibleAsync();
            await Expect(page.GetByTestId("device-link")).ToHaveCountAsync(11);
            await ScreenshotAsync(page, "devices.png");

            // The device page, in the same circuit.
            await deviceLink.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/devices/\d+$"));
            await Expect(page.GetByTestId("device-title")).ToHaveTextAsync(DriftingDevice);
            var backupNow = page.GetByTestId("backup-now");
            var status = page.GetByTestId("backup-now-panel").GetByTestId("run-status");

            // The baseline backup queued at first start may still be running: the button is disabled until it ends.
            await Expect(backupNow).ToBeEnabledAsync(new() { Timeout = 60_000 });

            // First Backup now: the button turns off while the run is in flight, the status follows it live.
            await backupNow.ClickAsync();
            await Expect(backupNow).ToBeDisabledAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", FinishedOk(), new() { Timeout = 60_000 });
            await Expect(backupNow).ToBeEnabledAsync();
            await Expect(backupNow).ToHaveTextAsync("Backup now");

            // Second Backup now on a drifting device: a new snapshot is stored.
            await backupNow.ClickAsync();
            await Expect(backupNow).ToBeDisabledAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "stored", new() { Timeout = 60_000 });
            await Expect(backupNow).ToBeEnabledAsync();
            await Expect(page.GetByTestId("snapshots-table").Locator("tbody tr")).ToHaveCountAsync(3, new() { Timeout = 15_000 });

            // The latest diff: a modified line paired left/right with the changed words highlighted.
            await page.GetByTestId("latest-diff").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/devices/\d+/diff"));
            var changedRow = page.Locator(".cp-dr[data-kind=modified], .cp-dr[data-kind=inserted]")
                .Filter(new() { HasTextRegex = SimulatedChange() })
                .Filter(new() { Has = page.Locator(".cp-ins-word") }).First;
            await Expect(changedRow).ToBeVisibleAsync();
            var highlight = changedRow.Locator(".cp-ins-word").First;
            await Expect(highlight).ToBeVisibleAsync();
            var highlighted = (await highlight.InnerTextAsync()).Trim();
            Assert.NotEmpty(highlighted);
            Assert.Contains(highlighted, await changedRow.InnerTextAsync(), StringComparison.Ordinal);
            await Expect(page.Locator(".cp-dr[data-kind=modified] .cp-del-word").First).ToBeVisibleAsync();
            await ScreenshotAsync(page, "diff.png");

            await SignOutAsync(page);

            // Auditor: the audit grid, filtered to config_diff_generated through the action select.
            await SignInAsync(page, Auditor);
            await page.GotoAsync("/audit");
            await WaitForCircuitAsync(page);
            var grid = page.GetByTestId("audit-grid");
            var actions = grid.GetByTestId("audit-action");
            await Expect(actions.First).ToBeVisibleAsync();
            Assert.Contains(await actions.AllInnerTextsAsync(), a => a.Trim() != DiffGenerated); // unfiltered: other actions too

            await page.GetByTestId("filter-action").ClickAsync();
            var option = page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex($"^\\s*{DiffGenerated}\\s*$") });
            await option.ClickAsync();
            // Close the multi-select; the grid and the timeline re-render meanwhile, so repeat until it is closed.
            await WaitUntilAsync(async () =>
            {
                if (await page.Locator(".mud-popover-open").CountAsync() == 0) return true;
                await page.Keyboard.PressAsync("Escape");
                await page.WaitForTimeoutAsync(300);
                if (await page.Locator(".mud-popover-open").CountAsync() == 0) return true;
                // Focus moved away from the select: a click outside it closes it as well.
                await page.Locator(".cp-page-header").First.ClickAsync(new() { Position = new() { X = 4, Y = 4 }, Force = true });
                await page.WaitForTimeoutAsync(300);
                return await page.Locator(".mud-popover-open").CountAsync() == 0;
            }, "the action select to close");
            await Expect(page).ToHaveURLAsync(new Regex($"[?&]action={DiffGenerated}"));
            await WaitUntilAsync(async () =>
            {
                var texts = (await actions.AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
                return texts.Count > 0 && texts.All(t => t == DiffGenerated);
            }, "the audit grid to show only config_diff_generated rows");
            await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
            await ScreenshotAsync(page, "audit.png");

            AssertNoCspViolations();
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Operator_of_one_tenant_gets_not_found_for_a_device_of_another_tenant()
    {
        var globexDeviceId = await DeviceIdAsync("globex-core1");
        var page = await portal.NewPageAsync();
        try
        {
            await SignInAsync(page, Operator);
            await page.GotoAsync($"/devices/{globexDeviceId}");
            await WaitForCircuitAsync(page);
            await Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("device-title")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("backup-now")).ToHaveCountAsync(0);
            Assert.DoesNotContain("globex", await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", PortalFixture.DemoPassword);
        await page.ClickAsync("#sign-in");
        await Expect(page).ToHaveURLAsync(new Regex("/devices$"));
        await Expect(page.GetByTestId("current-user")).ToContainTextAsync(email);
        await WaitForCircuitAsync(page);
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
    }

    /// <summary>Prerendered HTML is not clickable yet: wait for the marker the interactive render of the layout sets.</summary>
    private static Task WaitForCircuitAsync(IPage page) =>
        Expect(page.Locator("#cp-interactive")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Screenshots, name), FullPage = true });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 30_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }

    private void AssertNoCspViolations()
    {
        var errors = portal.BrowserErrors.ToList();
        foreach (var e in errors) TestContext.Current.TestOutputHelper?.WriteLine(e);
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<int> DeviceIdAsync(string name)
    {
        await using var connection = new SqliteConnection($"Data Source={portal.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id FROM Devices WHERE Name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt32(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No device {name}."));
    }
}
