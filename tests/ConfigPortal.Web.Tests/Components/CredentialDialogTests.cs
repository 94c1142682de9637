using Bunit;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Web.Components.Pages.Settings;
using ConfigPortal.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>The credential form over the real service: stored secrets read "set", never their value; Replace swaps one.</summary>
public sealed class CredentialDialogTests : PortalComponentTest, IClassFixture<PortalDatabase>
{
    private const string Admin = "admin@acme.example";
    private const string Password = "Bunit-Never-Rendered-Pass-3141";
    private const string Enable = "Bunit-Never-Rendered-Enable-2718";

    public CredentialDialogTests(PortalDatabase db) : base(db)
    {
        ActAs(db.AcmeId, db.UserIds[Admin], Admin);
    }

    private async Task<(IRenderedComponent<MudDialogProvider> Provider, int Id)> OpenEditAsync()
    {
        var service = Services.GetRequiredService<CredentialProfileService>();
        var id = await service.CreateAsync(new CredentialProfileInput
        {
            Name = "bunit-" + Guid.NewGuid().ToString("N")[..8], Username = "netops", Password = Password, EnableSecret = Enable,
        });
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<CredentialEditDialog>("Edit", new DialogParameters<CredentialEditDialog> { { d => d.ProfileId, id } }));
        provider.WaitForElement("[data-testid=credential-dialog]");
        return (provider, id);
    }

    [Fact]
    public async Task Stored_secrets_show_as_set_and_their_values_are_nowhere_in_the_markup()
    {
        var (provider, _) = await OpenEditAsync();

        provider.WaitForAssertion(() => Assert.NotEmpty(provider.FindAll("[data-testid=secret-Password-set]")));
        Assert.NotEmpty(provider.FindAll("[data-testid=secret-EnableSecret-set]"));
        Assert.Empty(provider.FindAll("[data-testid=secret-PrivateKey-set]"));
        Assert.DoesNotContain(Password, provider.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(Enable, provider.Markup, StringComparison.Ordinal);
        // A stored secret has no input at all until Replace is clicked.
        Assert.Empty(provider.FindAll("[data-testid=secret-Password-input]"));
    }

    [Fact]
    public async Task Replace_sends_only_the_new_value_and_keeps_the_other_secrets()
    {
        var (provider, id) = await OpenEditAsync();
        provider.WaitForElement("[data-testid=secret-Password-replace]").Click();
        provider.WaitForElement("input[data-testid=secret-Password-input], [data-testid=secret-Password-input] input").Change("Bunit-Replaced-Pass-1618");
        provider.Find("[data-testid=save-credential]").Click();
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=credential-dialog]")));

        var view = await Services.GetRequiredService<CredentialProfileService>().GetAsync(id, Xunit.TestContext.Current.CancellationToken);
        Assert.True(view.HasPassword);
        Assert.True(view.HasEnableSecret);
        await using var db = await Services.GetRequiredService<ConfigPortal.Domain.Data.IPortalDbFactory>().CreateAsync(Xunit.TestContext.Current.CancellationToken);
        var stored = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.CredentialProfiles, c => c.Id == id, Xunit.TestContext.Current.CancellationToken);
        var protector = Services.GetRequiredService<ISecretProtector>();
        Assert.Equal("Bunit-Replaced-Pass-1618", protector.Unprotect(stored.TenantId, stored.ProtectedPassword!));
        Assert.Equal(Enable, protector.Unprotect(stored.TenantId, stored.ProtectedEnableSecret!));
    }
}
