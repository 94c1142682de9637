using AngleSharp.Dom;
using Bunit;
using ConfigPortal.Web.Components.Pages.Devices;
using ConfigPortal.Web.Components.Pages.Platform;
using ConfigPortal.Web.Components.Pages.Settings;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>The administration pages over the real services: the messages the services' validation gives reach the user.</summary>
public sealed class AdminPagesTests : PortalComponentTest, IClassFixture<PortalDatabase>
{
    private const string AcmeAdmin = "admin@acme.example";
    private const string Header = "name,address,port,vendor,group,credential_profile";
    private readonly PortalDatabase _db;

    public AdminPagesTests(PortalDatabase db) : base(db) => _db = db;

    private void As(string email, int? tenantId = null) => ActAs(tenantId ?? _db.AcmeId, _db.UserIds[email], email);

    /// <summary>The input of a MudBlazor field marked with a test id (the id may sit on the input or around it).</summary>
    private static IElement Input<T>(IRenderedComponent<T> cut, string testId) where T : IComponent
    {
        var e = cut.Find($"[data-testid={testId}]");
        return e.TagName is "INPUT" or "TEXTAREA" ? e : e.QuerySelector("input, textarea") ?? throw new InvalidOperationException($"No input in {testId}.");
    }

    [Fact]
    public async Task Users_page_shows_the_services_messages_for_an_empty_and_a_bad_new_user()
    {
        As(AcmeAdmin);
        var cut = Render<Users>();
        cut.WaitForAssertion(() => Assert.Contains(AcmeAdmin, cut.Find("[data-testid=members-table]").TextContent, StringComparison.Ordinal));

        await cut.Find("[data-testid=create-user]").ClickAsync(new());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("E-mail is required.", cut.Markup, StringComparison.Ordinal);
            Assert.Contains("Name is required.", cut.Markup, StringComparison.Ordinal);
        });
        Assert.Empty(cut.FindAll("[data-testid=one-time-password]"));

        var c = cut;
        await Input(c, "new-email").ChangeAsync(new ChangeEventArgs { Value = "operator@globex.example" });
        await Input(c, "new-name").ChangeAsync(new ChangeEventArgs { Value = "Somebody" });
        await cut.Find("[data-testid=create-user]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("A user with this e-mail already exists", cut.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("Name is required.", cut.Markup, StringComparison.Ordinal);

        await Input(c, "new-email").ChangeAsync(new ChangeEventArgs { Value = "not-an-email" });
        await cut.Find("[data-testid=create-user]").ClickAsync(new());
        cut.WaitForAssertion(() => Assert.Contains("Enter an e-mail address such as name@example.com.", cut.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Users_page_shows_the_one_time_password_once_and_lists_the_new_member()
    {
        As(AcmeAdmin);
        var cut = Render<Users>();
        var c = cut;

        await Input(c, "new-email").ChangeAsync(new ChangeEventArgs { Value = "bunit.user@acme.example" });
        await Input(c, "new-name").ChangeAsync(new ChangeEventArgs { Value = "Bunit User" });
        await cut.Find("[data-testid=create-user]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Matches("[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}", cut.Find("[data-testid=one-time-password] code").TextContent));
        Assert.Contains("bunit.user@acme.example", cut.Find("[data-testid=members-table]").TextContent, StringComparison.Ordinal);
        Assert.Contains("must change password", cut.Find("[data-testid=members-table]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_an_unknown_e_mail_says_so()
    {
        As(AcmeAdmin);
        var cut = Render<Users>();

        await Input(cut, "add-email").ChangeAsync(new ChangeEventArgs { Value = "nobody@nowhere.example" });
        await cut.Find("[data-testid=add-member]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("No user has this e-mail: create the user instead.", cut.Markup, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("operator@acme.example")]
    [InlineData("auditor@acme.example")]
    public void Users_and_settings_pages_tell_non_admins_they_may_not(string email)
    {
        As(email);

        var users = Render<Users>();
        var settings = Render<TenantSettings>();
        var import = Render<DeviceImport>();

        users.WaitForAssertion(() => Assert.Contains("Only tenant admins manage users.", users.Find("[data-testid=denied]").TextContent, StringComparison.Ordinal));
        settings.WaitForAssertion(() => Assert.NotNull(settings.Find("[data-testid=denied]")));
        import.WaitForAssertion(() => Assert.NotNull(import.Find("[data-testid=denied]")));
        Assert.Empty(users.FindAll("[data-testid=members-table]"));
    }

    [Fact]
    public async Task Platform_page_shows_slug_and_name_messages_to_a_platform_admin()
    {
        As("platform@configportal.example");
        var cut = Render<PlatformTenants>();
        cut.WaitForAssertion(() => Assert.Contains("Acme Networks", cut.Find("[data-testid=tenants-table]").TextContent, StringComparison.Ordinal));

        await Input(cut, "tenant-slug").ChangeAsync(new ChangeEventArgs { Value = "Not A Slug" });
        await cut.Find("[data-testid=create-tenant]").ClickAsync(new());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Name is required.", cut.Markup, StringComparison.Ordinal);
            Assert.Contains("Slug may contain lower-case letters, digits and single hyphens", cut.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Platform_page_is_denied_to_a_tenant_admin()
    {
        As(AcmeAdmin);

        var cut = Render<PlatformTenants>();

        cut.WaitForAssertion(() => Assert.Contains("Only platform admins manage tenants.", cut.Find("[data-testid=denied]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=tenants-table]"));
    }

    [Fact]
    public async Task Import_page_flags_bad_rows_keeps_import_off_until_they_are_fixed_then_imports()
    {
        As(AcmeAdmin);
        var cut = Render<DeviceImport>();
        var bad = $"{Header}\nbu-one,10.61.0.1,22,cisco_ios,,\nbu-two,10.61.0.999,22,cisco_ios,,\nbu-three,10.61.0.3,22,no_such_vendor,,\n";

        await cut.Find("[data-testid=import-text]").ChangeAsync(new ChangeEventArgs { Value = bad });
        await cut.Find("[data-testid=preview]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=row-status]").Count));
        var statuses = cut.FindAll("[data-testid=row-status]").Select(e => (e.GetAttribute("data-line"), e.GetAttribute("data-status"))).ToList();
        Assert.Equal([("2", "ok"), ("3", "bad"), ("4", "bad")], statuses);
        var reasons = cut.FindAll("[data-testid=row-reasons]").Select(e => e.TextContent).ToList();
        Assert.Contains("Address must be an IPv4/IPv6 address or a host name.", reasons[0], StringComparison.Ordinal);
        Assert.Contains("Unknown vendor 'no_such_vendor'", reasons[1], StringComparison.Ordinal);
        Assert.Equal("2", cut.Find("[data-testid=bad-count]").TextContent.Trim());
        Assert.True(cut.Find("[data-testid=import]").HasAttribute("disabled"));

        await cut.Find("[data-testid=import-text]").ChangeAsync(new ChangeEventArgs { Value = bad.Replace("10.61.0.999", "10.61.0.2", StringComparison.Ordinal).Replace("no_such_vendor", "arista_eos", StringComparison.Ordinal) });
        // Edited text is not previewed yet: Import stays off.
        Assert.True(cut.Find("[data-testid=import]").HasAttribute("disabled"));
        await cut.Find("[data-testid=preview]").ClickAsync(new());
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=import]").HasAttribute("disabled")));
        Assert.All(cut.FindAll("[data-testid=row-status]"), e => Assert.Equal("ok", e.GetAttribute("data-status")));

        await cut.Find("[data-testid=import]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.EndsWith("/devices", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal));
        var list = await Services.GetRequiredService<ConfigPortal.Domain.Devices.DeviceService>().ListAsync(new ConfigPortal.Domain.Devices.DeviceQuery(Search: "bu-"), Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(["bu-one", "bu-three", "bu-two"], list.Items.Select(d => d.Name).Order(StringComparer.Ordinal));
    }
}
