using Bunit;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Web.Components.Pages.Audit;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>The outcome, resource type and client IP filters are read from the page's query string like the others.</summary>
public sealed class AuditLogFilterTests : PortalComponentTest, IClassFixture<AuditLogFixture>
{
    private const string Auditor = "auditor@acme.example";

    public AuditLogFilterTests(AuditLogFixture fixture) : base(fixture.Db)
    {
        ActAs(fixture.Db.AcmeId, fixture.Db.UserIds[Auditor], Auditor);
    }

    private IRenderedComponent<AuditLog> RenderAt(string relativeUri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUri);
        return Render<AuditLog>();
    }

    private static IReadOnlyList<string> Actions(IRenderedComponent<AuditLog> cut) =>
        cut.FindAll("[data-testid=audit-action]").Select(e => e.TextContent.Trim()).ToList();

    [Fact]
    public void Outcome_resource_type_and_ip_from_the_query_string_reach_the_filter()
    {
        var cut = RenderAt("audit?outcome=denied&resourceType=device&ip=10.9.8.7");

        var filter = cut.Instance.CurrentFilter();
        Assert.Equal(AuditOutcome.Denied, filter.Outcome);
        Assert.Equal("device", filter.ResourceType);
        Assert.Equal("10.9.8.7", filter.ClientIp);
        Assert.Contains("outcome=denied", cut.Instance.ExportHref("csv"), StringComparison.Ordinal);
        Assert.Contains("resourceType=device", cut.Instance.ExportHref("csv"), StringComparison.Ordinal);
        Assert.Contains("ip=10.9.8.7", cut.Instance.ExportHref("csv"), StringComparison.Ordinal);
        cut.WaitForAssertion(() => cut.Find("[data-testid=audit-empty]"));
    }

    [Fact]
    public async Task The_failure_outcome_lists_exactly_what_the_service_holds_for_it()
    {
        var cut = RenderAt("audit?outcome=Failure");

        var filter = cut.Instance.CurrentFilter();
        Assert.Equal(AuditOutcome.Failure, filter.Outcome);
        Assert.Null(filter.ResourceType);
        Assert.Null(filter.ClientIp);
        var expected = await Services.GetRequiredService<AuditQueryService>().QueryAsync(filter, 0, 50, Xunit.TestContext.Current.CancellationToken);
        Assert.NotEmpty(expected.Items);
        cut.WaitForAssertion(() => Assert.Equal(expected.Items.Select(e => e.Action), Actions(cut)));
        Assert.Contains(AuditActions.ConfigBackupFailed, Actions(cut));
    }

    [Fact]
    public void An_unknown_outcome_is_ignored_and_blank_values_are_no_filter()
    {
        var cut = RenderAt("audit?outcome=bogus&resourceType=&ip=");

        var filter = cut.Instance.CurrentFilter();
        Assert.Null(filter.Outcome);
        Assert.Null(filter.ResourceType);
        Assert.Null(filter.ClientIp);
        cut.WaitForAssertion(() => Assert.NotEmpty(Actions(cut)));
    }

    [Fact]
    public void The_timeline_is_shown_above_the_grid_when_there_are_entries()
    {
        var cut = RenderAt("audit?range=day");

        cut.WaitForAssertion(() => cut.Find("[data-testid=audit-timeline]"));
        Assert.Contains("per hour", cut.Find("[data-testid=audit-timeline]").TextContent, StringComparison.Ordinal);
    }
}
