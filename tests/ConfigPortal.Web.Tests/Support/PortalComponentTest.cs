using Bunit;
using ConfigPortal.Domain.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace ConfigPortal.Web.Tests.Support;

/// <summary>
/// A bUnit context with MudBlazor (as MudBlazor's own tests set it up) and, when given a database, the portal's real
/// services over it. The context's root scope is the caller: <see cref="ActAs"/> sets its tenant and user.
/// </summary>
public abstract class PortalComponentTest : BunitContext
{
    /// <summary>
    /// How long WaitForAssertion/WaitForElement wait for a render (bUnit's default is 1 s). A wait ends as soon as
    /// its condition holds, so this costs nothing when the test passes; it only keeps a render that follows a
    /// database write or a notifier event from missing a 1 s window while the machine runs other test hosts.
    /// </summary>
    static PortalComponentTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    protected PortalComponentTest(PortalDatabase? database = null)
    {
        database?.AddTo(Services);
        Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 0;
            o.PopoverOptions.CheckForPopoverProvider = false;
        });
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    protected void ActAs(int tenantId, string userId, string name)
    {
        Services.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        Services.GetRequiredService<CurrentActor>().SetUser(userId, name, "127.0.0.1", "bunit");
    }
}
