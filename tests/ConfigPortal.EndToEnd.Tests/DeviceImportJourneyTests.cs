using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConfigPortal.EndToEnd.Tests;

/// <summary>
/// A tenant admin imports a CSV with two bad rows, sees both flagged, fixes the pasted text, imports, and sees the
/// devices; an operator of another tenant finds none of them, by search or by URL.
/// </summary>
public sealed class DeviceImportJourneyTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Header = "name,address,port,vendor,group,credential_profile";
    private const string Prefix = "e2e-imp-";

    private static readonly string BadCsv = string.Join("\n",
        Header,
        $"{Prefix}core1,10.77.0.1,22,cisco_ios,core,",
        $"{Prefix}core2,10.77.0.300,22,cisco_ios,core,",
        $"{Prefix}edge1,10.77.0.3,22,not_a_vendor,edge,",
        $"{Prefix}edge2,edge2.example.net,2222,juniper_junos,edge,");

    private static readonly string FixedCsv = BadCsv
        .Replace("10.77.0.300", "10.77.0.2", StringComparison.Ordinal)
        .Replace("not_a_vendor", "arista_eos", StringComparison.Ordinal);

    [Fact]
    public async Task Tenant_admin_fixes_two_bad_rows_imports_and_an_operator_of_another_tenant_sees_none_of_them()
    {
        var page = await portal.NewPageAsync();
        try
        {
            await SignInAsync(page, "admin@acme.example");
            await page.GotoAsync("/devices/import");
            await WaitForCircuitAsync(page);

            // Two bad rows, each flagged with its reason; Import stays off.
            await page.GetByTestId("import-text").FillAsync(BadCsv);
            await page.GetByTestId("preview").ClickAsync();
            var bad = page.Locator("[data-testid=row-status][data-status=bad]");
            await Expect(bad).ToHaveCountAsync(2);
            await Expect(page.Locator("[data-testid=row-status][data-status=ok]")).ToHaveCountAsync(2);
            await Expect(bad.Nth(0)).ToHaveAttributeAsync("data-line", "3");
            await Expect(bad.Nth(0)).ToContainTextAsync("Address must be an IPv4/IPv6 address or a host name.");
            await Expect(bad.Nth(1)).ToHaveAttributeAsync("data-line", "4");
            await Expect(bad.Nth(1)).ToContainTextAsync("Unknown vendor 'not_a_vendor'");
            await Expect(page.GetByTestId("bad-count")).ToHaveTextAsync("2");
            await Expect(page.GetByTestId("import")).ToBeDisabledAsync();
            Assert.Equal(0, await CountDevicesAsync(Prefix));

            // Fix the pasted text, preview again: all rows clean, Import on.
            await page.GetByTestId("import-text").FillAsync(FixedCsv);
            await page.GetByTestId("preview").ClickAsync();
            await Expect(page.Locator("[data-testid=row-status][data-status=ok]")).ToHaveCountAsync(4);
            await Expect(page.Locator("[data-testid=row-status][data-status=bad]")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("import")).ToBeEnabledAsync();

            await page.GetByTestId("import").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/devices$"));
            await SearchAsync(page, Prefix);
            await Expect(page.GetByTestId("device-link")).ToHaveCountAsync(4);
            await Expect(page.GetByTestId("device-link").Filter(new() { HasText = $"{Prefix}edge2" })).ToBeVisibleAsync();
            Assert.Equal(4, await CountDevicesAsync(Prefix));

            await SignOutAsync(page);

            // Globex's operator: its own devices, none of Acme's imported ones by search, not-found by URL.
            await SignInAsync(page, "operator@globex.example");
            await Expect(page.GetByTestId("device-link")).ToHaveCountAsync(10);
            await SearchAsync(page, Prefix);
            await Expect(page.GetByTestId("device-link")).ToHaveCountAsync(0);
            await Expect(page.GetByText("No devices match.")).ToBeVisibleAsync();

            await page.GotoAsync($"/devices/{await DeviceIdAsync($"{Prefix}core1")}");
            await WaitForCircuitAsync(page);
            await Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("device-title")).ToHaveCountAsync(0);
            Assert.DoesNotContain(Prefix, await page.ContentAsync(), StringComparison.Ordinal);

            var errors = portal.BrowserErrors.ToList();
            foreach (var e in errors) TestContext.Current.TestOutputHelper?.WriteLine(e);
            Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task SearchAsync(IPage page, string text)
    {
        await page.GetByPlaceholder("Search name, address, vendor").FillAsync(text);
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

    private static Task WaitForCircuitAsync(IPage page) =>
        Expect(page.Locator("#cp-interactive")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });

    private async Task<int> CountDevicesAsync(string prefix)
    {
        await using var connection = new SqliteConnection($"Data Source={portal.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Devices WHERE Name LIKE $prefix || '%'";
        command.Parameters.AddWithValue("$prefix", prefix);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
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
