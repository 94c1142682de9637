using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Diffing;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Snapshots;

/// <summary>The same section of two devices, cut from their stored snapshots on a real SQLite database.</summary>
public sealed class SectionCompareTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Gi1 = "interface GigabitEthernet1/0/1";

    private PortalHost P => fixture.Portal;

    private Task<int> DeviceAsync(int tenantId, string name) =>
        P.QueryAsync(tenantId, db => db.Devices.Where(d => d.Name == name).Select(d => d.Id).SingleAsync());

    [Fact]
    public async Task The_same_interface_of_two_core_switches_is_cut_from_each_latest_snapshot_with_its_own_line_numbers()
    {
        var sw1 = await DeviceAsync(P.AcmeId, "acme-core-sw1");
        var sw2 = await DeviceAsync(P.AcmeId, "acme-core-sw2");
        await using var scope = P.ScopeAs(P.AcmeId, "auditor@acme.example");
        var snapshots = scope.ServiceProvider.GetRequiredService<SnapshotService>();

        var cmp = await snapshots.CompareSectionAsync(sw1, sw2, Gi1);

        Assert.NotNull(cmp);
        Assert.Equal((sw1, "acme-core-sw1"), (cmp.Left.DeviceId, cmp.Left.DeviceName));
        Assert.Equal((sw2, "acme-core-sw2"), (cmp.Right.DeviceId, cmp.Right.DeviceName));
        foreach (var side in new[] { cmp.Left, cmp.Right })
        {
            Assert.True(side.Slice.Found);
            Assert.Equal(Gi1, side.Slice.Lines[0]);
            Assert.All(side.Slice.Lines.Skip(1), l => Assert.StartsWith(" ", l, StringComparison.Ordinal));
            Assert.DoesNotContain(side.Slice.Lines, l => l.StartsWith("interface GigabitEthernet1/0/2", StringComparison.Ordinal));
            // The line numbers are those of the whole config.
            var whole = LineDiffer.SplitLines((await snapshots.GetTextAsync(side.Snapshot.Id)).Text);
            for (var i = 0; i < side.Slice.Lines.Length; i++)
                Assert.Equal(whole[side.Slice.LineNumbers[i] - 1], side.Slice.Lines[i]);
        }
        // The simulator gives every device its own addresses: the interface lines differ, the header does not.
        Assert.True(cmp.Diff.HasChanges);
        Assert.DoesNotContain(cmp.Diff.Edits, e => e.OldStart == 0 && e.OldCount > 0);
    }

    [Fact]
    public async Task A_nested_block_comes_with_its_parent_and_a_missing_section_diffs_as_empty()
    {
        var sw1 = await DeviceAsync(P.AcmeId, "acme-core-sw1");
        var sw2 = await DeviceAsync(P.AcmeId, "acme-core-sw2");
        await using var scope = P.ScopeAs(P.AcmeId, "operator@acme.example");
        var snapshots = scope.ServiceProvider.GetRequiredService<SnapshotService>();

        var sections = await snapshots.GetSectionsAsync(sw1);
        Assert.Contains(Gi1, sections.Sections);
        Assert.Contains("router ospf 1", sections.Sections);
        Assert.DoesNotContain(ConfigSections.Global, sections.Sections);

        var missing = await snapshots.CompareSectionAsync(sw1, sw2, "interface Tunnel999");
        Assert.NotNull(missing);
        Assert.False(missing.Left.Slice.Found);
        Assert.False(missing.Right.Slice.Found);
        Assert.False(missing.Diff.HasChanges);

        var ospf = await snapshots.CompareSectionAsync(sw1, sw2, "router ospf 1");
        Assert.NotNull(ospf);
        Assert.Equal("router ospf 1", ospf.Left.Slice.Lines[0]);
        Assert.Contains(ospf.Left.Slice.Lines, l => l.StartsWith(" network ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_chosen_snapshot_is_read_instead_of_the_latest()
    {
        var sw1 = await DeviceAsync(P.AcmeId, "acme-core-sw1");
        var first = await P.QueryAsync(P.AcmeId, db => db.Snapshots.Where(s => s.DeviceId == sw1).MinAsync(s => s.Id));
        await P.BackupAsync(P.AcmeId, sw1);
        await using var scope = P.ScopeAs(P.AcmeId, "operator@acme.example");
        var snapshots = scope.ServiceProvider.GetRequiredService<SnapshotService>();

        // The same device against itself, old snapshot left and latest right: the drifting simulator changed something.
        var cmp = await snapshots.CompareSectionAsync(sw1, sw1, "ip access-list extended MGMT-IN", snapshotId: first);

        Assert.NotNull(cmp);
        Assert.Equal(first, cmp.Left.Snapshot.Id);
        Assert.NotEqual(first, cmp.Right.Snapshot.Id);
        Assert.True(cmp.Diff.Added > 0);
    }

    [Fact]
    public async Task Another_tenants_device_or_snapshot_is_not_found_and_the_denial_is_audited()
    {
        var sw1 = await DeviceAsync(P.AcmeId, "acme-core-sw1");
        var globexCore = await DeviceAsync(P.GlobexId, "globex-core1");
        var globexSnapshot = await P.QueryAsync(P.GlobexId, db => db.Snapshots.Where(s => s.DeviceId == globexCore).MaxAsync(s => s.Id));
        var before = await P.LastSequenceAsync(P.AcmeId);

        await using (var scope = P.ScopeAs(P.AcmeId, "admin@acme.example"))
        {
            var snapshots = scope.ServiceProvider.GetRequiredService<SnapshotService>();
            await Assert.ThrowsAsync<NotFoundException>(() => snapshots.CompareSectionAsync(sw1, globexCore, Gi1));
            await Assert.ThrowsAsync<NotFoundException>(() => snapshots.CompareSectionAsync(globexCore, sw1, Gi1));
            await Assert.ThrowsAsync<NotFoundException>(() => snapshots.CompareSectionAsync(sw1, sw1, Gi1, null, globexSnapshot));
            await Assert.ThrowsAsync<NotFoundException>(() => snapshots.GetSectionsAsync(globexCore));
        }

        var denials = await P.QueryAsync(P.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync());
        Assert.Equal(4, denials.Count);
        Assert.All(denials, d => Assert.Equal((AuditActions.AuthorizationDenied, AuditOutcome.Denied), (d.Action, d.Outcome)));
        Assert.Equal(["device", "device", "snapshot", "device"], denials.Select(d => d.ResourceType));
    }

    [Fact]
    public async Task An_empty_section_name_is_a_validation_error()
    {
        var sw1 = await DeviceAsync(P.AcmeId, "acme-core-sw1");
        await using var scope = P.ScopeAs(P.AcmeId, "operator@acme.example");
        await Assert.ThrowsAsync<ValidationException>(() => scope.ServiceProvider.GetRequiredService<SnapshotService>().CompareSectionAsync(sw1, sw1, " "));
    }
}
