using System.Globalization;
using Bunit;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Web.Components.Pages.Audit;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>Backups of two devices have filled the audit log; the auditor filters it through the page's query string.</summary>
public sealed class AuditLogFixture : IAsyncLifetime
{
    public PortalDatabase Db { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await Db.InitializeAsync();
        var services = new ServiceCollection();
        Db.AddTo(services);
        await using var provider = services.BuildServiceProvider();
        var drifting = Db.AcmeDevices["acme-core-sw1"];
        var stable = Db.AcmeDevices["acme-dc-leaf2"];
        await Db.BackupAsync(provider, "operator@acme.example", drifting);
        await Db.BackupAsync(provider, "admin@acme.example", drifting);   // created + diff_generated
        await Db.BackupAsync(provider, "operator@acme.example", drifting); // created + diff_generated
        await Db.BackupAsync(provider, "operator@acme.example", stable);
        await Db.BackupAsync(provider, "operator@acme.example", stable);  // skipped_duplicate
        await Db.BackupAsync(provider, "operator@acme.example", Db.AcmeDevices["acme-old-sw9"]); // failed
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}

public sealed class AuditLogTests : PortalComponentTest, IClassFixture<AuditLogFixture>
{
    private const string Auditor = "auditor@acme.example";
    private readonly PortalDatabase _db;

    public AuditLogTests(AuditLogFixture fixture) : base(fixture.Db)
    {
        _db = fixture.Db;
        ActAs(_db.AcmeId, _db.UserIds[Auditor], Auditor);
    }

    private IRenderedComponent<AuditLog> RenderAt(string relativeUri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUri);
        return Render<AuditLog>();
    }

    private static IReadOnlyList<string> Actions(IRenderedComponent<AuditLog> cut) =>
        cut.FindAll("[data-testid=audit-action]").Select(e => e.TextContent.Trim()).ToList();

    /// <summary>What the query service holds for a filter built here, independently of the page.</summary>
    private async Task<AuditPage> ExpectedAsync(AuditFilter filter) =>
        await Services.GetRequiredService<AuditQueryService>().QueryAsync(filter, 0, 50);

    [Fact]
    public async Task The_action_in_the_query_string_reaches_the_query_and_only_that_action_is_listed()
    {
        var cut = RenderAt("audit?action=config_diff_generated");

        var filter = cut.Instance.CurrentFilter();
        Assert.Equal([AuditActions.ConfigDiffGenerated], filter.Actions);
        Assert.Null(filter.Actor);
        Assert.Null(filter.DeviceId);
        Assert.Null(filter.FromUtc);

        cut.WaitForAssertion(() => Assert.Equal(2, Actions(cut).Count));
        Assert.All(Actions(cut), a => Assert.Equal(AuditActions.ConfigDiffGenerated, a));
        var expected = await ExpectedAsync(new AuditFilter { Actions = [AuditActions.ConfigDiffGenerated] });
        Assert.Equal(2, expected.TotalCount);
    }

    [Fact]
    public void Without_filters_the_grid_lists_every_action_newest_first()
    {
        var cut = RenderAt("audit");

        cut.WaitForAssertion(() => Assert.Contains(AuditActions.ConfigSnapshotSkippedDuplicate, Actions(cut)));
        var actions = Actions(cut);
        Assert.Contains(AuditActions.ConfigDiffGenerated, actions);
        Assert.Contains(AuditActions.ConfigSnapshotCreated, actions);
        Assert.Contains(AuditActions.ConfigBackupManualTrigger, actions);
        Assert.Contains(AuditActions.ConfigBackupFailed, actions);
        Assert.Empty(cut.Instance.CurrentFilter().Actions!);
        var sequences = cut.FindAll("tbody tr td:first-child").Select(td => long.Parse(td.TextContent.Trim(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);
    }

    [Fact]
    public async Task Several_actions_an_actor_a_device_a_range_and_text_from_the_query_string_all_reach_the_query()
    {
        var device = _db.AcmeDevices["acme-core-sw1"];
        var before = DateTime.UtcNow;
        var cut = RenderAt($"audit?action=config_snapshot_created,config_diff_generated&actor=admin@acme.example&device={device}&range=day&q=runId");

        var filter = cut.Instance.CurrentFilter();
        Assert.Equal([AuditActions.ConfigSnapshotCreated, AuditActions.ConfigDiffGenerated], filter.Actions);
        Assert.Equal("admin@acme.example", filter.Actor);
        Assert.Equal(device, filter.DeviceId);
        Assert.Equal("runId", filter.Text);
        Assert.NotNull(filter.FromUtc);
        Assert.InRange(filter.FromUtc.Value, before.AddDays(-1).AddMinutes(-1), DateTime.UtcNow.AddDays(-1).AddMinutes(1));

        // The admin's one backup of the drifting device: one snapshot created and one diff.
        cut.WaitForAssertion(() => Assert.Equal(2, Actions(cut).Count));
        Assert.Equal([AuditActions.ConfigDiffGenerated, AuditActions.ConfigSnapshotCreated], Actions(cut));
        var expected = await ExpectedAsync(filter with { FromUtc = DateTime.UtcNow.AddDays(-1) });
        Assert.Equal(expected.Items.Select(e => e.Action), Actions(cut));
    }

    [Fact]
    public void An_unknown_action_in_the_query_string_is_ignored_rather_than_emptying_the_grid()
    {
        var cut = RenderAt("audit?action=not_an_action,config_backup_failed");

        Assert.Equal([AuditActions.ConfigBackupFailed], cut.Instance.CurrentFilter().Actions);
        cut.WaitForAssertion(() => Assert.Equal([AuditActions.ConfigBackupFailed], Actions(cut)));
    }

    [Fact]
    public void A_filter_that_matches_nothing_shows_the_empty_message()
    {
        var cut = RenderAt("audit?action=config_diff_generated&actor=auditor@acme.example");

        cut.WaitForAssertion(() => cut.Find("[data-testid=audit-empty]"));
        Assert.Empty(Actions(cut));
    }

    [Fact]
    public void An_operator_without_audit_rights_sees_the_denied_notice_and_no_grid()
    {
        var cut = RenderWithOperator();

        Assert.NotNull(cut.Find("[data-testid=denied]"));
        Assert.Empty(cut.FindAll("[data-testid=audit-grid]"));
    }

    private IRenderedComponent<AuditLog> RenderWithOperator()
    {
        // The root scope was set up for the auditor; switch the user (same tenant) before anything renders.
        Services.GetRequiredService<Domain.Tenancy.CurrentActor>().SetUser(_db.UserIds["operator@acme.example"], "operator@acme.example", "127.0.0.1", "bunit");
        return RenderAt("audit");
    }
}
