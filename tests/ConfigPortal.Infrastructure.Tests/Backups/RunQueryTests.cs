using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Backups;

/// <summary>The Runs page's query service on a real SQLite database: each filter, and paging by offset and by keyset.</summary>
public sealed class RunQueryTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Operator = "operator@acme.example";
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<int> DeviceAsync(string group, SimulatorBehavior behavior, int? tenantId = null)
    {
        await using var scope = Portal.SystemScope(tenantId ?? Acme);
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = Unique("rq"), Address = "192.0.2.60", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator,
            SimulatorBehavior = behavior, Group = group,
        });
    }

    private async Task<TriggerResult> TriggerAsync(int deviceId, BackupTrigger trigger)
    {
        await using var scope = Portal.ScopeAs(Acme, Operator);
        return await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(deviceId, trigger);
    }

    private async Task<RunPage> PageAsync(RunFilter filter, int page = 0, int size = 50, long? anchor = null, int? tenantId = null)
    {
        await using var scope = tenantId is { } t && t != Acme ? Portal.ScopeAs(t, "admin@globex.example") : Portal.ScopeAs(Acme, "auditor@acme.example");
        return await scope.ServiceProvider.GetRequiredService<RunQueryService>().QueryPageAsync(filter, page, size, anchor);
    }

    private async Task<List<long>> IdsAsync(RunFilter filter) => (await PageAsync(filter, size: RunQueryService.MaxPageSize)).Items.Select(r => r.Id).ToList();

    [Fact]
    public async Task Each_filter_keeps_exactly_the_runs_it_names()
    {
        var group = Unique("grp");
        var drifting = await DeviceAsync(group, SimulatorBehavior.Drifting);
        var unreachable = await DeviceAsync(group, SimulatorBehavior.Unreachable);
        var idle = await DeviceAsync(group, SimulatorBehavior.Static);
        var elsewhere = await DeviceAsync(Unique("other"), SimulatorBehavior.Static);

        var stored = await Portal.BackupAsync(Acme, drifting, Operator);
        var failed = await Portal.BackupAsync(Acme, unreachable, Operator);
        var api = await TriggerAsync(drifting, BackupTrigger.Api);
        await Portal.ExecuteRunAsync(Acme, api.Run.Id);
        var queued = (await TriggerAsync(idle, BackupTrigger.Manual)).Run; // left queued: an active run
        var outside = await Portal.BackupAsync(Acme, elsewhere, Operator);

        var byGroup = new RunFilter { Group = group };
        Assert.Equal([queued.Id, api.Run.Id, failed.Id, stored.Id], await IdsAsync(byGroup));
        Assert.Equal([api.Run.Id, stored.Id], await IdsAsync(new RunFilter { DeviceId = drifting }));
        Assert.Equal([api.Run.Id], await IdsAsync(byGroup with { Trigger = BackupTrigger.Api }));
        Assert.Equal([queued.Id, failed.Id, stored.Id], await IdsAsync(byGroup with { Trigger = BackupTrigger.Manual }));
        Assert.Equal([failed.Id], await IdsAsync(byGroup with { Outcome = RunOutcome.Failed }));
        Assert.Equal([failed.Id], await IdsAsync(byGroup with { FailureKind = FailureKind.Unreachable }));
        Assert.Empty(await IdsAsync(byGroup with { FailureKind = FailureKind.AuthenticationFailed }));
        Assert.Equal([api.Run.Id, stored.Id], await IdsAsync(byGroup with { Outcome = RunOutcome.Created }));
        Assert.Equal([queued.Id], await IdsAsync(byGroup with { Status = RunStatusFilter.Active }));
        Assert.Equal([queued.Id], await IdsAsync(byGroup with { Status = RunStatusFilter.Queued }));
        Assert.Equal([failed.Id], await IdsAsync(byGroup with { Status = RunStatusFilter.Failed }));
        Assert.Equal([api.Run.Id, stored.Id], await IdsAsync(byGroup with { Status = RunStatusFilter.Succeeded }));
        Assert.DoesNotContain(outside.Id, await IdsAsync(byGroup));

        // Time range on the queue time: everything is before "now + 1 min", nothing after it.
        var later = DateTime.UtcNow.AddMinutes(1);
        Assert.Empty(await IdsAsync(byGroup with { FromUtc = later }));
        Assert.Equal(4, (await IdsAsync(byGroup with { FromUtc = stored.QueuedAtUtc, ToUtc = later })).Count);
        Assert.Equal([stored.Id], await IdsAsync(byGroup with { ToUtc = stored.QueuedAtUtc.AddTicks(1) }));

        // The row carries what the grid shows.
        var row = (await PageAsync(new RunFilter { DeviceId = unreachable })).Items.Single();
        Assert.Equal((unreachable, group, BackupTrigger.Manual, BackupRunStatus.Failed, FailureKind.Unreachable), (row.DeviceId, row.DeviceGroup, row.Trigger, row.Status, row.FailureKind));
        Assert.Equal(Portal.User(Operator).Name, row.RequestedBy);
        Assert.False(string.IsNullOrEmpty(row.DeviceName));
        Assert.NotNull(row.Duration);
        Assert.Null(row.BulkId);
    }

    [Fact]
    public async Task Keyset_pages_continue_the_offset_pages_without_gaps_or_repeats()
    {
        var group = Unique("page");
        var a = await DeviceAsync(group, SimulatorBehavior.Static);
        var b = await DeviceAsync(group, SimulatorBehavior.Drifting);
        var expected = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            expected.Add((await Portal.BackupAsync(Acme, a, Operator)).Id);
            expected.Add((await Portal.BackupAsync(Acme, b, Operator)).Id);
        }
        expected.Reverse(); // newest first
        var filter = new RunFilter { Group = group };

        var first = await PageAsync(filter, page: 0, size: 3);
        Assert.Equal(8, first.TotalCount);
        Assert.False(first.TotalIsCapped);
        var seen = first.Items.Select(r => r.Id).ToList();
        var anchor = first.NextBeforeId;
        for (var page = 1; page < 3; page++)
        {
            var byKeyset = await PageAsync(filter, page, 3, anchor);
            var byOffset = await PageAsync(filter, page, 3);
            Assert.Equal(byOffset.Items.Select(r => r.Id), byKeyset.Items.Select(r => r.Id));
            Assert.Equal(8, byKeyset.TotalCount);
            seen.AddRange(byKeyset.Items.Select(r => r.Id));
            anchor = byKeyset.NextBeforeId;
        }
        Assert.Equal(expected, seen);
        Assert.Null(anchor); // the last page is short: nothing after it

        // The API's keyset read walks the same order.
        await using var scope = Portal.ScopeAs(Acme, Operator);
        var runs = scope.ServiceProvider.GetRequiredService<RunQueryService>();
        var walked = new List<long>();
        long? before = null;
        do
        {
            var page = await runs.QueryKeysetAsync(filter, before, 5);
            walked.AddRange(page.Items.Select(r => r.Id));
            before = page.NextBeforeId;
        } while (before is not null);
        Assert.Equal(expected, walked);
    }

    [Fact]
    public async Task Another_tenants_runs_and_groups_never_appear()
    {
        var group = Unique("shared-name");
        var acmeDevice = await DeviceAsync(group, SimulatorBehavior.Static);
        var globexDevice = await DeviceAsync(group, SimulatorBehavior.Static, Portal.GlobexId);
        var acmeRun = await Portal.BackupAsync(Acme, acmeDevice, Operator);
        TriggerResult globexRun;
        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "admin@globex.example"))
            globexRun = await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(globexDevice, BackupTrigger.Manual);

        Assert.Equal([acmeRun.Id], await IdsAsync(new RunFilter { Group = group }));
        Assert.Empty(await IdsAsync(new RunFilter { DeviceId = globexDevice }));
        Assert.DoesNotContain(globexRun.Run.Id, await IdsAsync(new RunFilter()));
        Assert.Equal([globexRun.Run.Id], (await PageAsync(new RunFilter { Group = group }, tenantId: Portal.GlobexId)).Items.Select(r => r.Id));
    }
}
