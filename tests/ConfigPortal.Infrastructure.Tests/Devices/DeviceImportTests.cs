using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Devices;

public sealed class DeviceImportTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string AcmeAdmin = "admin@acme.example";
    private const string GlobexAdmin = "admin@globex.example";
    private const string Header = "name,address,port,vendor,group,credential_profile";
    private PortalHost Portal => fixture.Portal;

    private async Task<T> AsAsync<T>(int tenantId, string email, Func<DeviceImportService, Task<T>> call)
    {
        await using var scope = Portal.ScopeAs(tenantId, email);
        return await call(scope.ServiceProvider.GetRequiredService<DeviceImportService>());
    }

    private Task<ImportPreview> PreviewAsync(string csv, int? tenantId = null, string email = AcmeAdmin) =>
        AsAsync(tenantId ?? Portal.AcmeId, email, s => s.PreviewAsync(csv));

    private Task<int> DeviceCountAsync(int tenantId) => Portal.QueryAsync(tenantId, db => db.Devices.CountAsync());

    private async Task EnsureCredentialProfileAsync(int tenantId, string name)
    {
        if (await Portal.QueryAsync(tenantId, db => db.CredentialProfiles.AnyAsync(c => c.Name == name))) return;
        await using var scope = Portal.SystemScope(tenantId);
        await scope.ServiceProvider.GetRequiredService<CredentialProfileService>()
            .CreateAsync(new CredentialProfileInput { Name = name, Username = "backup", Password = "s3cret-pass" });
    }

    private static ImportRow Row(ImportPreview preview, string name) => Assert.Single(preview.Rows, r => r.Name == name);

    private static void AssertReason(ImportPreview preview, string name, string expected)
    {
        var row = Row(preview, name);
        Assert.False(row.IsValid, $"row {name} should be bad");
        Assert.Contains(row.Reasons, r => r.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_preview_flags_every_kind_of_bad_row_with_its_reason_and_writes_nothing()
    {
        await EnsureCredentialProfileAsync(Portal.AcmeId, "lab-ssh");
        var csv = string.Join("\n",
            Header,
            "imp-ok-1,10.99.0.1,22,cisco_ios,core,lab-ssh",
            "imp-ok-2,host-2.example.net,,Juniper JunOS,,",
            "imp-bad-address,10.0.0.300,22,cisco_ios,,",
            "imp-bad-port,10.99.0.3,twenty-two,cisco_ios,,",
            "imp-port-range,10.99.0.4,70000,cisco_ios,,",
            "imp-bad-vendor,10.99.0.5,22,acme_os,,",
            "imp-no-vendor,10.99.0.6,22,,,",
            "imp-bad-cred,10.99.0.7,22,cisco_ios,,no-such-profile",
            "imp-ok-1,10.99.0.8,22,cisco_ios,,",
            "acme-core-sw1,10.99.0.9,22,cisco_ios,,",
            "imp-columns,10.99.0.10,22,cisco_ios",
            "imp-quote\"d,10.99.0.11,22,cisco_ios,,",
            "imp-long-group,10.99.0.12,22,cisco_ios," + new string('g', 101) + ",",
            ",10.99.0.13,22,cisco_ios,,");
        var devicesBefore = await DeviceCountAsync(Portal.AcmeId);
        var auditBefore = await Portal.LastSequenceAsync(Portal.AcmeId);

        var preview = await PreviewAsync(csv);

        Assert.Empty(preview.FileErrors);
        Assert.Equal(14, preview.Rows.Count);
        Assert.True(Row(preview, "imp-ok-2").IsValid, string.Join("; ", Row(preview, "imp-ok-2").Reasons));
        Assert.True(preview.Rows[0].IsValid, string.Join("; ", preview.Rows[0].Reasons));
        Assert.Equal(2, preview.Rows[0].Line);
        AssertReason(preview, "imp-bad-address", "Address must be an IPv4/IPv6 address or a host name.");
        AssertReason(preview, "imp-bad-port", "Port must be a whole number");
        AssertReason(preview, "imp-port-range", "Port must be between 1 and 65535.");
        AssertReason(preview, "imp-bad-vendor", "Unknown vendor 'acme_os'");
        AssertReason(preview, "imp-no-vendor", "Vendor is required.");
        Assert.Single(Row(preview, "imp-no-vendor").Reasons);
        AssertReason(preview, "imp-bad-cred", "Unknown credential profile 'no-such-profile'.");
        Assert.Contains(preview.Rows[8].Reasons, r => r.Contains("Duplicate name 'imp-ok-1' in the file (first on line 2)", StringComparison.Ordinal));
        AssertReason(preview, "acme-core-sw1", "A device named 'acme-core-sw1' already exists.");
        AssertReason(preview, "imp-columns", "Expected 6 columns, found 4");
        Assert.Contains(preview.Rows[11].Reasons, r => r.StartsWith("Bad quoting", StringComparison.Ordinal));
        AssertReason(preview, "imp-long-group", "Group must be at most 100 characters.");
        Assert.Contains(preview.Rows[13].Reasons, r => r == "Name is required.");
        Assert.Equal(12, preview.BadRows);
        Assert.False(preview.CanImport);

        Assert.Equal(devicesBefore, await DeviceCountAsync(Portal.AcmeId));
        Assert.Equal(auditBefore, await Portal.LastSequenceAsync(Portal.AcmeId));
    }

    [Theory]
    [InlineData("", "The file is empty")]
    [InlineData("imp-x,10.0.0.1,22,cisco_ios,,\n", "The first line must be the header")]
    [InlineData("name,address,port,vendor\nimp-x,10.0.0.1,22,cisco_ios\n", "lacks the column(s) group, credential_profile")]
    [InlineData("name,address,port,vendor,group,credential_profile,colour\n", "unknown or repeated column(s) 'colour'")]
    [InlineData("name,address,port,vendor,group,credential_profile\n", "a header but no devices")]
    public async Task Malformed_files_get_a_file_level_reason(string csv, string expected)
    {
        var preview = await PreviewAsync(csv);

        Assert.Contains(preview.FileErrors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.False(preview.CanImport);
    }

    [Fact]
    public async Task Header_names_match_ignoring_case_spaces_and_order()
    {
        var preview = await PreviewAsync("Vendor, Name ,Address,Port,Credential Profile,GROUP\ncisco_ios,imp-order-1,10.98.0.1,2222,,edge\n");

        Assert.Empty(preview.FileErrors);
        var row = Assert.Single(preview.Rows);
        Assert.True(row.IsValid, string.Join("; ", row.Reasons));
        Assert.Equal(("imp-order-1", "10.98.0.1", "2222", "edge"), (row.Name, row.Address, row.Port, row.Group));
    }

    [Fact]
    public async Task One_bad_row_imports_nothing()
    {
        var csv = $"{Header}\nimp-aon-1,10.97.0.1,22,cisco_ios,,\nimp-aon-2,10.97.0.2,22,cisco_ios,,\nimp-aon-3,not an address,22,cisco_ios,,\n";
        var before = await DeviceCountAsync(Portal.AcmeId);

        var ex = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.ImportAsync(csv, "aon.csv")));

        Assert.Contains("1 row(s) have problems; nothing was imported.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DeviceCountAsync(Portal.AcmeId));
        Assert.False(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AnyAsync(d => d.Name.StartsWith("imp-aon-"))));
        // Other tests of this class import into Acme too: only this file's entry would count.
        Assert.DoesNotContain(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.DevicesImported),
            e => e.DetailsJson.Contains("aon.csv", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_file_imports_every_row_with_one_summary_audit_entry_and_reports_progress()
    {
        await EnsureCredentialProfileAsync(Portal.GlobexId, "lab-ssh");
        var rows = Enumerable.Range(1, 150).Select(i => $"imp-bulk-{i:000},10.96.{i / 200}.{i % 200 + 1},22,arista_eos,bulk,{(i % 2 == 0 ? "lab-ssh" : "")}");
        var csv = Header + "\n" + string.Join("\n", rows) + "\n";
        var reports = new List<ImportProgress>();

        var count = await AsAsync(Portal.GlobexId, GlobexAdmin, s => s.ImportAsync(csv, "globex-devices.csv", new SyncProgress(reports.Add)));

        Assert.Equal(150, count);
        var imported = await Portal.QueryAsync(Portal.GlobexId, db => db.Devices.AsNoTracking().Where(d => d.Name.StartsWith("imp-bulk-")).OrderBy(d => d.Name).ToListAsync());
        Assert.Equal(150, imported.Count);
        Assert.All(imported, d => Assert.Equal(("bulk", "arista_eos", DeviceDriver.Ssh, true), (d.Group, d.Vendor, d.Driver, d.Enabled)));
        var withCredential = await Portal.QueryAsync(Portal.GlobexId, db => db.DeviceCredentialProfiles.AsNoTracking().Where(x => x.Position == 0)
            .Join(db.Devices.Where(d => d.Name.StartsWith("imp-bulk-")), x => x.DeviceId, d => d.Id, (x, d) => d.Id).CountAsync());
        Assert.Equal(75, withCredential);
        Assert.Equal(new ImportProgress(150, 150), reports[^1]);
        Assert.True(reports.Count >= 3, "progress is reported per batch");

        var entry = Assert.Single(await Portal.EntriesAsync(Portal.GlobexId, AuditActions.DevicesImported));
        var details = entry.Details();
        Assert.Equal(150, details.GetProperty("count").GetInt32());
        Assert.Equal("globex-devices.csv", details.GetProperty("fileName").GetString());
        Assert.Equal(150, details.GetProperty("names").GetArrayLength());
        Assert.False(details.GetProperty("namesTruncated").GetBoolean());
        Assert.Equal(Portal.User(GlobexAdmin).Id, entry.ActorId);
        // Not one device_created per row.
        Assert.DoesNotContain(await Portal.EntriesAsync(Portal.GlobexId, AuditActions.DeviceCreated), e => e.DeviceName?.StartsWith("imp-bulk-", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_export_imports_cleanly_into_another_tenant()
    {
        await EnsureCredentialProfileAsync(Portal.AcmeId, "rt-ssh");
        await EnsureCredentialProfileAsync(Portal.GlobexId, "rt-ssh");
        await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.ImportAsync(
            $"{Header}\nrt-one,10.95.0.1,2201,fortinet_fortios,\"dc, west\",rt-ssh\n\"=rt-formula\",rt-two.example.com,22,cisco_nxos,,\n", "seed.csv"));

        var export = await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.ExportAsync());

        Assert.StartsWith(Header, export.Csv, StringComparison.Ordinal);
        Assert.Equal(await DeviceCountAsync(Portal.AcmeId), export.Count);
        Assert.Contains("rt-one,10.95.0.1,2201,fortinet_fortios,\"dc, west\",rt-ssh", export.Csv, StringComparison.Ordinal);
        Assert.Contains("\"'=rt-formula\"", export.Csv, StringComparison.Ordinal); // a spreadsheet shows it as text
        Assert.Matches(@"^devices-acme-\d{8}-\d{4}\.csv$", export.FileName);
        var exported = Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.DevicesExported), e => e.Details().GetProperty("count").GetInt32() == export.Count);
        Assert.Equal(Portal.User(AcmeAdmin).Id, exported.ActorId);

        var preview = await PreviewAsync(export.Csv, Portal.GlobexId, GlobexAdmin);

        Assert.Empty(preview.FileErrors);
        Assert.True(preview.CanImport, string.Join("\n", preview.Rows.Where(r => !r.IsValid).Select(r => $"{r.Line} {r.Name}: {string.Join("; ", r.Reasons)}")));
        Assert.Equal(export.Count, preview.Rows.Count);
        var formula = Assert.Single(preview.Rows, r => r.Name == "=rt-formula");
        Assert.Equal("rt-two.example.com", formula.Address);
        Assert.Equal("dc, west", Assert.Single(preview.Rows, r => r.Name == "rt-one").Group);
    }

    [Theory]
    [InlineData("operator@acme.example")]
    [InlineData("auditor@acme.example")]
    public async Task Only_tenant_admins_import_and_export_and_the_denials_are_audited(string email)
    {
        var before = await Portal.LastSequenceAsync(Portal.AcmeId);

        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.AcmeId, email, s => s.PreviewAsync($"{Header}\nx,10.0.0.1,22,cisco_ios,,")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.AcmeId, email, s => s.ImportAsync($"{Header}\nimp-denied,10.0.0.1,22,cisco_ios,,", "x.csv")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.AcmeId, email, s => s.ExportAsync()));

        var actorId = Portal.User(email).Id;
        var denials = await Portal.QueryAsync(Portal.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before && e.ActorId == actorId).ToListAsync());
        Assert.Equal(3, denials.Count(e => e.Action == AuditActions.AuthorizationDenied && e.Outcome == AuditOutcome.Denied));
        Assert.False(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AnyAsync(d => d.Name == "imp-denied")));
    }

    [Fact]
    public async Task Bulk_actions_change_the_selected_devices_and_audit_each_one()
    {
        var ids = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-edge-r1" || d.Name == "acme-edge-r2").Select(d => d.Id).ToListAsync());
        await using var scope = Portal.ScopeAs(Portal.AcmeId, AcmeAdmin);
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();

        var moved = await devices.MoveToGroupAsync(ids, "  wan  ");
        var disabled = await devices.SetEnabledManyAsync(ids, false);
        var again = await devices.SetEnabledManyAsync(ids, false);
        var enabled = await devices.SetEnabledManyAsync(ids, true);

        Assert.Equal((2, 2, 2, 0, 2), (moved.Changed, disabled.Changed, disabled.Requested, again.Changed, enabled.Changed));
        var rows = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync());
        Assert.All(rows, d => Assert.Equal(("wan", true), (d.Group, d.Enabled)));
        foreach (var id in ids)
        {
            Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.DeviceDisabled, id));
            Assert.Contains(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.DeviceUpdated, id), e => e.DetailsJson.Contains("\"group\"", StringComparison.Ordinal));
        }
        var list = await devices.ListAsync(new DeviceQuery(Search: "wan"));
        Assert.Contains(list.Items, d => d.Group == "wan");
        await Assert.ThrowsAsync<ValidationException>(() => devices.MoveToGroupAsync(ids, new string('x', 101)));
        await Assert.ThrowsAsync<ValidationException>(() => devices.SetEnabledManyAsync([], true));
    }

    [Fact]
    public async Task A_bulk_action_that_carries_another_tenants_id_changes_nothing()
    {
        var acme = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-dc-nx1").Select(d => d.Id).SingleAsync());
        var globex = await Portal.QueryAsync(Portal.GlobexId, db => db.Devices.Where(d => d.Name == "globex-core2").Select(d => d.Id).SingleAsync());
        await using var scope = Portal.ScopeAs(Portal.AcmeId, AcmeAdmin);

        await Assert.ThrowsAsync<NotFoundException>(() => scope.ServiceProvider.GetRequiredService<DeviceService>().SetEnabledManyAsync([acme, globex], false));

        Assert.True(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Id == acme).Select(d => d.Enabled).SingleAsync()));
        Assert.True(await Portal.QueryAsync(Portal.GlobexId, db => db.Devices.Where(d => d.Id == globex).Select(d => d.Enabled).SingleAsync()));
        Assert.Contains(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.AuthorizationDenied), e => e.ResourceId == globex.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
