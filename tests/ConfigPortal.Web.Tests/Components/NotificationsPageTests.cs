using AngleSharp.Dom;
using Bunit;
using ConfigPortal.Domain.Notifications;
using ConfigPortal.Web.Auth;
using ConfigPortal.Web.Components.Pages.Settings;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>Settings → Notifications over the real service: the list, the dialog's field errors, write-only secrets, the role gate.</summary>
public sealed class NotificationsPageTests : PortalComponentTest, IClassFixture<PortalDatabase>
{
    private const string Admin = "admin@acme.example";
    private readonly PortalDatabase _db;

    public NotificationsPageTests(PortalDatabase db) : base(db)
    {
        _db = db;
        Services.AddScoped<PortalSession>();
    }

    private void As(string email) => ActAs(_db.AcmeId, _db.UserIds[email], email);

    private static IElement Input<T>(IRenderedComponent<T> cut, string testId) where T : IComponent
    {
        var e = cut.Find($"[data-testid={testId}]");
        return e.TagName is "INPUT" or "TEXTAREA" ? e : e.QuerySelector("input, textarea") ?? throw new InvalidOperationException($"No input in {testId}.");
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync(int? id = null)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<NotificationChannelDialog>("Channel", new DialogParameters<NotificationChannelDialog> { { d => d.ChannelId, id } }));
        provider.WaitForElement("[data-testid=channel-dialog]");
        return provider;
    }

    [Fact]
    public async Task The_dialog_shows_field_errors_for_a_bad_port_and_bad_addresses()
    {
        As(Admin);
        var provider = await OpenAsync();
        Input(provider, "channel-name").Change("Bad mail " + Guid.NewGuid().ToString("N")[..6]);
        Input(provider, "smtp-host").Change("smtp.acme.example");
        Input(provider, "smtp-port").Change("70000");
        Input(provider, "smtp-from").Change("portal-at-acme");
        Input(provider, "smtp-recipients").Change("noc@acme.example, not-an-address");
        provider.Find("[data-testid=save-channel]").Click();

        provider.WaitForAssertion(() => Assert.Contains("The port is a number from 1 to 65535.", provider.Markup, StringComparison.Ordinal));
        Assert.Contains("Give a valid sender address", provider.Markup, StringComparison.Ordinal);
        Assert.Contains("'not-an-address' is not a valid e-mail address.", provider.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(provider.FindAll("[data-testid=channel-dialog]"));
    }

    [Fact]
    public async Task A_webhook_with_a_bad_url_is_refused_and_a_good_one_shows_its_generated_secret_once()
    {
        As(Admin);
        var name = "Hook " + Guid.NewGuid().ToString("N")[..6];
        var provider = await OpenAsync();
        Input(provider, "channel-name").Change(name);
        await provider.InvokeAsync(() => provider.FindComponent<MudSelect<NotificationChannelKind>>().Instance.SelectOption(NotificationChannelKind.Webhook));
        provider.WaitForElement("[data-testid=webhook-url]");
        Input(provider, "webhook-url").Change("ftp://hooks.acme.example/x");
        provider.Find("[data-testid=save-channel]").Click();
        provider.WaitForAssertion(() => Assert.Contains("Give an absolute http:// or https:// URL", provider.Markup, StringComparison.Ordinal));
        // The cloud metadata address (link-local): refused by the webhook target rules, under the field.
        Input(provider, "webhook-url").Change("http://169.254.169.254/latest/meta-data");
        provider.Find("[data-testid=save-channel]").Click();
        provider.WaitForAssertion(() => Assert.Contains("169.254.169.254 is a link-local address", provider.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Input(provider, "webhook-url").Change("https://hooks.acme.example/configportal");
        provider.Find("[data-testid=save-channel]").Click();
        // Saving resolves the webhook's host name (target rules): allow for a slow resolver on a loaded machine.
        var secret = provider.WaitForElement("[data-testid=generated-secret] code", TimeSpan.FromSeconds(30)).TextContent;
        Assert.StartsWith(WebhookSignature.SecretPrefix, secret, StringComparison.Ordinal);

        // Opened again: the secret reads "set" and its value is nowhere.
        var id = (await Services.GetRequiredService<NotificationChannelService>().ListAsync(Xunit.TestContext.Current.CancellationToken)).Single(c => c.Name == name).Id;
        var again = await OpenAsync(id);
        again.WaitForElement("[data-testid=webhook-secret-set]");
        Assert.DoesNotContain(secret, again.Markup, StringComparison.Ordinal);
        Assert.Empty(again.FindAll("[data-testid=webhook-secret-input]"));
    }

    [Fact]
    public async Task The_page_lists_channels_with_their_targets_and_deliveries()
    {
        As(Admin);
        var name = "NOC mail " + Guid.NewGuid().ToString("N")[..6];
        await Services.GetRequiredService<NotificationChannelService>().CreateAsync(new NotificationChannelInput
        {
            Name = name, Kind = NotificationChannelKind.Email, SmtpHost = "smtp.acme.example", SmtpPort = 587,
            SmtpUsername = "mailer", SmtpPassword = "Bunit-Never-Rendered-Smtp-1414", FromAddress = "portal@acme.example", Recipients = "noc@acme.example",
        }, Xunit.TestContext.Current.CancellationToken);

        var cut = Render<Notifications>();
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("[data-testid=channel-row-name]"), e => e.TextContent == name));
        Assert.Contains("noc@acme.example", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Bunit-Never-Rendered-Smtp-1414", cut.Markup, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=deliveries-table]"));
    }

    [Theory]
    [InlineData("operator@acme.example")]
    [InlineData("auditor@acme.example")]
    public void Non_admins_are_told_they_may_not(string email)
    {
        As(email);
        var cut = Render<Notifications>();
        cut.WaitForAssertion(() => Assert.Contains("Only tenant admins manage notifications.", cut.Find("[data-testid=denied]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=channels-table]"));
    }
}
