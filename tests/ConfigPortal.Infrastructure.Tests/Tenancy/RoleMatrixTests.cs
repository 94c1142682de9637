using System.Reflection;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Notifications;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Tenancy;

/// <summary>The role matrix of docs/roles.md, parsed; the code's <see cref="RolePermissions"/> must say the same.</summary>
public static class RolesDoc
{
    /// <summary>The doc's row labels and the permission each names.</summary>
    public static readonly IReadOnlyDictionary<string, Permission> Rows = new Dictionary<string, Permission>
    {
        ["View devices (and their backup schedules, next planned run)"] = Permission.ViewDevices,
        ["View snapshots and diffs"] = Permission.ViewConfigs,
        ["Trigger a backup"] = Permission.TriggerBackup,
        ["Add / edit / disable devices; add / edit / delete credential profiles; accept a changed host key; tenant and device config filters; CSV import / export, bulk actions"] = Permission.ManageDevices,
        ["Read the audit log"] = Permission.ViewAudit,
        ["Manage API tokens"] = Permission.ManageApiTokens,
        ["Manage users"] = Permission.ManageUsers,
        ["Tenant settings (secret masking); notification channels and their deliveries; backup schedules (tenant default, group, device)"] = Permission.ManageSettings,
    };

    public sealed record Matrix(IReadOnlyDictionary<TenantRole, Permission> Roles, IReadOnlyDictionary<ApiTokenScopes, Permission> Scopes);

    public static Matrix Parse()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "roles.md"));
        var header = lines.Select(Cells).First(c => c.Length > 0 && c[0] == "Permission");
        var roleColumns = Enum.GetValues<TenantRole>().ToDictionary(r => r, r => Array.IndexOf(header, r.ToString()));
        Assert.All(roleColumns.Values, i => Assert.True(i > 0, "docs/roles.md lacks a column for a role"));
        var scopeColumn = Array.IndexOf(header, "API scope");
        Assert.True(scopeColumn > 0, "docs/roles.md lacks the API scope column");

        var roles = Enum.GetValues<TenantRole>().ToDictionary(r => r, _ => Permission.None);
        var scopes = new[] { ApiTokenScopes.Read, ApiTokenScopes.Backup, ApiTokenScopes.Admin }.ToDictionary(s => s, _ => Permission.None);
        var seen = new HashSet<string>();
        foreach (var cells in lines.Select(Cells).Where(c => c.Length == header.Length && c[0] != "Permission" && !c[0].StartsWith("--", StringComparison.Ordinal) && !c[0].StartsWith(":-", StringComparison.Ordinal)))
        {
            Assert.True(Rows.TryGetValue(cells[0], out var permission), $"docs/roles.md row '{cells[0]}' is not known to the test");
            seen.Add(cells[0]);
            foreach (var (role, column) in roleColumns)
            {
                if (cells[column].Contains('✔', StringComparison.Ordinal)) roles[role] |= permission;
            }
            foreach (var name in cells[scopeColumn].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                scopes[Enum.Parse<ApiTokenScopes>(name, ignoreCase: true)] |= permission;
        }
        Assert.Equal(Rows.Keys.Order(), seen.Order());
        return new Matrix(roles, scopes);
    }

    private static string[] Cells(string line)
    {
        var t = line.Trim();
        if (!t.StartsWith('|')) return [];
        return t.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConfigPortal.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ConfigPortal.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Ids in Acme that every operation can use, prepared once.</summary>
public sealed class RoleMatrixFixture : IAsyncLifetime
{
    public PortalHost Portal { get; private set; } = null!;
    public int Device { get; private set; }
    public long Snapshot { get; private set; }
    public long Run { get; private set; }
    public DeviceInput DeviceAsIs { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Portal = await PortalHost.StartAsync();
        var p = Portal;
        Device = await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw1").Select(d => d.Id).SingleAsync());
        Snapshot = await p.QueryAsync(p.AcmeId, db => db.Snapshots.Where(s => s.DeviceId == Device).Select(s => s.Id).FirstAsync());
        Run = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.Where(r => r.DeviceId == Device).Select(r => r.Id).FirstAsync());
        await using var scope = p.SystemScope(p.AcmeId);
        DeviceAsIs = await scope.ServiceProvider.GetRequiredService<DeviceService>().GetForEditAsync(Device);
    }

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}

/// <summary>
/// Every caller-facing domain service method, called as each role of Acme, as a user without a membership there, and
/// as an API token of each scope: it runs exactly when docs/roles.md grants its permission, and each refusal is an
/// audited <c>authorization_denied</c>.
/// </summary>
public sealed class RoleMatrixTests(RoleMatrixFixture f) : IClassFixture<RoleMatrixFixture>
{
    private const int Missing = 987_654;

    private sealed record Operation(Permission Needs, Func<IServiceProvider, RoleMatrixFixture, Task> Call);

    private static T S<T>(IServiceProvider s) where T : notnull => s.GetRequiredService<T>();

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static readonly Dictionary<string, Operation> Operations = new()
    {
        ["DeviceService.ListAsync"] = new(Permission.ViewDevices, (s, f) => S<DeviceService>(s).ListAsync(new DeviceQuery())),
        ["DeviceService.GetAsync"] = new(Permission.ViewDevices, (s, f) => S<DeviceService>(s).GetAsync(f.Device)),
        ["DeviceService.GetForEditAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).GetForEditAsync(f.Device)),
        ["DeviceService.CreateAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).CreateAsync(new DeviceInput
        {
            Name = Unique("matrix"), Address = "192.0.2.30", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static,
        })),
        // The device's own values: passes the gate and changes nothing.
        ["DeviceService.UpdateAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).UpdateAsync(f.Device, f.DeviceAsIs)),
        ["DeviceService.SetEnabledAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).SetEnabledAsync(f.Device, f.DeviceAsIs.Enabled)),
        ["DeviceService.SetEnabledManyAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).SetEnabledManyAsync([f.Device], f.DeviceAsIs.Enabled)),
        ["DeviceService.MoveToGroupAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).MoveToGroupAsync([f.Device], f.DeviceAsIs.Group)),
        // No host key offered: passes the gate and is refused as a validation error.
        ["DeviceService.AcceptHostKeyAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceService>(s).AcceptHostKeyAsync(f.Device, "SHA256:not-offered")),
        ["DeviceImportService.PreviewAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceImportService>(s).PreviewAsync("name,address,port,vendor\nmatrix-preview,192.0.2.40,22,cisco_ios\n")),
        // A file with a bad row: passes the gate and imports nothing.
        ["DeviceImportService.ImportAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceImportService>(s).ImportAsync("name,address,port,vendor\n,not an address,0,nope\n", "matrix.csv")),
        ["DeviceImportService.ExportAsync"] = new(Permission.ManageDevices, (s, f) => S<DeviceImportService>(s).ExportAsync()),
        ["TenantUserService.ListAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).ListAsync()),
        ["TenantUserService.CreateUserAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).CreateUserAsync(new NewUserInput
        {
            Email = Unique("matrix") + "@acme.example", DisplayName = "Matrix User", Role = TenantRole.Auditor,
        })),
        ["TenantUserService.AddExistingUserAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).AddExistingUserAsync(Unique("nobody") + "@nowhere.example", TenantRole.Auditor)),
        ["TenantUserService.ChangeRoleAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).ChangeRoleAsync(Missing, TenantRole.Auditor)),
        ["TenantUserService.RemoveMemberAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).RemoveMemberAsync(Missing)),
        ["TenantUserService.DisableUserAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).DisableUserAsync(Missing)),
        ["TenantUserService.EnableUserAsync"] = new(Permission.ManageUsers, (s, f) => S<TenantUserService>(s).EnableUserAsync(Missing)),
        ["TenantSettingsService.GetAsync"] = new(Permission.ManageSettings, (s, f) => S<TenantSettingsService>(s).GetAsync()),
        // The current value again: passes the gate and changes nothing.
        ["TenantSettingsService.UpdateAsync"] = new(Permission.ManageSettings, (s, f) => S<TenantSettingsService>(s).UpdateAsync(new TenantSettingsInput { SecretMaskingEnabled = true })),
        ["CredentialProfileService.ListAsync"] = new(Permission.ViewDevices, (s, f) => S<CredentialProfileService>(s).ListAsync()),
        ["CredentialProfileService.CreateAsync"] = new(Permission.ManageDevices, (s, f) => S<CredentialProfileService>(s).CreateAsync(new CredentialProfileInput
        {
            Name = Unique("matrix"), Username = "backup", Password = "not-a-real-secret",
        })),
        ["CredentialProfileService.GetAsync"] = new(Permission.ManageDevices, (s, f) => S<CredentialProfileService>(s).GetAsync(Missing)),
        ["CredentialProfileService.UpdateAsync"] = new(Permission.ManageDevices, (s, f) => S<CredentialProfileService>(s).UpdateAsync(Missing, new CredentialProfileInput
        {
            Name = Unique("matrix"), Username = "backup",
        })),
        ["CredentialProfileService.DeleteAsync"] = new(Permission.ManageDevices, (s, f) => S<CredentialProfileService>(s).DeleteAsync(Missing)),
        ["TenantSettingsService.GetFiltersAsync"] = new(Permission.ManageDevices, (s, f) => S<TenantSettingsService>(s).GetFiltersAsync()),
        // A bad regex: passes the gate and is refused as a validation error, changing nothing.
        ["TenantSettingsService.UpdateFiltersAsync"] = new(Permission.ManageDevices, (s, f) => S<TenantSettingsService>(s).UpdateFiltersAsync(new TenantFilterInput { CustomIgnoreFilters = "([unclosed" })),
        ["SnapshotService.ListAsync"] = new(Permission.ViewConfigs, (s, f) => S<SnapshotService>(s).ListAsync(f.Device, 0, 10)),
        ["SnapshotService.GetTextAsync"] = new(Permission.ViewConfigs, (s, f) => S<SnapshotService>(s).GetTextAsync(f.Snapshot)),
        ["SnapshotService.CompareAsync"] = new(Permission.ViewConfigs, (s, f) => S<SnapshotService>(s).CompareAsync(f.Device, null, null)),
        ["SnapshotService.GetUnifiedDiffAsync"] = new(Permission.ViewConfigs, (s, f) => S<SnapshotService>(s).GetUnifiedDiffAsync(f.Device, f.Snapshot, f.Snapshot)),
        ["ChangesFeedService.ListAsync"] = new(Permission.ViewConfigs, (s, f) => S<ChangesFeedService>(s).ListAsync(new ChangesFeedQuery())),
        ["ChangesFeedService.FiltersAsync"] = new(Permission.ViewConfigs, (s, f) => S<ChangesFeedService>(s).FiltersAsync()),
        ["ConfigSearchService.SearchAsync"] = new(Permission.ViewConfigs, (s, f) => S<ConfigSearchService>(s).SearchAsync(new ConfigSearchRequest("hostname"))),
        ["SnapshotService.GetSectionsAsync"] = new(Permission.ViewConfigs, (s, f) => S<SnapshotService>(s).GetSectionsAsync(f.Device)),
        ["SnapshotService.CompareSectionAsync"] = new(Permission.ViewConfigs, (s, f) => S<SnapshotService>(s).CompareSectionAsync(f.Device, f.Device, "interface GigabitEthernet1/0/1")),
        ["BackupService.TriggerAsync"] = new(Permission.TriggerBackup, (s, f) => S<BackupService>(s).TriggerAsync(f.Device, BackupTrigger.Manual)),
        ["BackupService.GetRunAsync"] = new(Permission.ViewDevices, (s, f) => S<BackupService>(s).GetRunAsync(f.Run)),
        ["BackupService.GetActiveRunAsync"] = new(Permission.ViewDevices, (s, f) => S<BackupService>(s).GetActiveRunAsync(f.Device)),
        ["BackupService.ListRunsAsync"] = new(Permission.ViewDevices, (s, f) => S<BackupService>(s).ListRunsAsync(f.Device, 0, 10)),
        ["BulkBackupService.TriggerAsync"] = new(Permission.TriggerBackup, (s, f) => S<BulkBackupService>(s).TriggerAsync([f.Device], BackupTrigger.Manual)),
        // No such group: passes the gate and is refused as a validation error.
        ["BulkBackupService.TriggerGroupAsync"] = new(Permission.TriggerBackup, (s, f) => S<BulkBackupService>(s).TriggerGroupAsync(Unique("no-such-group"), BackupTrigger.Manual)),
        ["BulkBackupService.GetProgressAsync"] = new(Permission.ViewDevices, (s, f) => S<BulkBackupService>(s).GetProgressAsync(Missing)),
        ["RunQueryService.QueryPageAsync"] = new(Permission.ViewDevices, (s, f) => S<RunQueryService>(s).QueryPageAsync(new RunFilter { DeviceId = f.Device }, 0, 10, null)),
        ["RunQueryService.QueryKeysetAsync"] = new(Permission.ViewDevices, (s, f) => S<RunQueryService>(s).QueryKeysetAsync(new RunFilter(), null, 10)),
        ["RunQueryService.GroupsAsync"] = new(Permission.ViewDevices, (s, f) => S<RunQueryService>(s).GroupsAsync()),
        ["AuditQueryService.QueryAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditQueryService>(s).QueryAsync(new AuditFilter(), 0, 10)),
        ["AuditQueryService.QueryKeysetAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditQueryService>(s).QueryKeysetAsync(new AuditFilter(), null, 10)),
        ["AuditQueryService.ActorsAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditQueryService>(s).ActorsAsync()),
        ["AuditQueryService.ResourceTypesAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditQueryService>(s).ResourceTypesAsync()),
        ["AuditQueryService.QueryPageAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditQueryService>(s).QueryPageAsync(new AuditFilter(), 1, 10, 1_000_000)),
        ["AuditQueryService.TimelineAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditQueryService>(s).TimelineAsync(new AuditFilter())),
        ["AuditVerifier.VerifyAsync"] = new(Permission.ViewAudit, (s, f) => S<AuditVerifier>(s).VerifyAsync()),
        // Retention is off in the fixture's tenant: the gate is passed (or not) and nothing is removed.
        ["AuditRetentionService.ApplyAsync"] = new(Permission.ManageSettings, (s, f) => S<AuditRetentionService>(s).ApplyAsync()),
        ["ApiTokenService.ListAsync"] = new(Permission.ManageApiTokens, (s, f) => S<ApiTokenService>(s).ListAsync()),
        ["ApiTokenService.CreateAsync"] = new(Permission.ManageApiTokens, (s, f) => S<ApiTokenService>(s).CreateAsync(Unique("matrix"), ApiTokenScopes.Read, null)),
        // No such token: the gate is passed (or not) before the lookup.
        ["ScheduleService.GetTenantSchedulesAsync"] = new(Permission.ViewDevices, (s, f) => S<ScheduleService>(s).GetTenantSchedulesAsync()),
        ["ScheduleService.GetDeviceScheduleAsync"] = new(Permission.ViewDevices, (s, f) => S<ScheduleService>(s).GetDeviceScheduleAsync(f.Device)),
        // A bad cron: passes the gate and is refused as a validation error, changing nothing.
        ["ScheduleService.SetTenantDefaultAsync"] = new(Permission.ManageSettings, (s, f) => S<ScheduleService>(s).SetTenantDefaultAsync(new ScheduleInput { CronExpression = "not a cron" })),
        ["ScheduleService.SetGroupScheduleAsync"] = new(Permission.ManageSettings, (s, f) => S<ScheduleService>(s).SetGroupScheduleAsync("core", new ScheduleInput { CronExpression = "not a cron" })),
        ["ScheduleService.SetDeviceScheduleAsync"] = new(Permission.ManageSettings, (s, f) => S<ScheduleService>(s).SetDeviceScheduleAsync(f.Device, new ScheduleInput { CronExpression = "not a cron" })),
        // Nothing to remove: passes the gate and changes nothing.
        ["ScheduleService.RemoveTenantDefaultAsync"] = new(Permission.ManageSettings, (s, f) => S<ScheduleService>(s).RemoveTenantDefaultAsync()),
        ["ScheduleService.RemoveGroupScheduleAsync"] = new(Permission.ManageSettings, (s, f) => S<ScheduleService>(s).RemoveGroupScheduleAsync("no-such-group")),
        ["ScheduleService.RemoveDeviceScheduleAsync"] = new(Permission.ManageSettings, (s, f) => S<ScheduleService>(s).RemoveDeviceScheduleAsync(f.Device)),
        ["ApiTokenService.RevokeAsync"] = new(Permission.ManageApiTokens, (s, f) => S<ApiTokenService>(s).RevokeAsync(Missing)),
        ["NotificationChannelService.ListAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).ListAsync()),
        ["NotificationChannelService.GetAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).GetAsync(Missing)),
        ["NotificationChannelService.ListDeliveriesAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).ListDeliveriesAsync()),
        // A bad URL: passes the gate and is refused as a validation error, changing nothing.
        ["NotificationChannelService.CreateAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).CreateAsync(new NotificationChannelInput
        {
            Name = Unique("matrix"), Kind = NotificationChannelKind.Webhook, WebhookUrl = "not a url",
        })),
        ["NotificationChannelService.UpdateAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).UpdateAsync(Missing, new NotificationChannelInput
        {
            Name = Unique("matrix"), Kind = NotificationChannelKind.Webhook, WebhookUrl = "https://hooks.example/x",
        })),
        ["NotificationChannelService.DeleteAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).DeleteAsync(Missing)),
        ["NotificationChannelService.SendTestAsync"] = new(Permission.ManageSettings, (s, f) => S<NotificationChannelService>(s).SendTestAsync(Missing)),
    };

    /// <summary>Public service methods that no caller reaches with a role: the worker's and the platform's.</summary>
    private static readonly Dictionary<string, string> NotCallerFacing = new()
    {
        ["BackupPipeline.ExecuteAsync"] = "the backup worker runs it as the system actor in the run's tenant",
        ["BackupPipeline.MarkInterruptedAsync"] = "the worker marks runs cut off by a restart",
        ["AuditVerifier.VerifyTenantAsync"] = "platform and test use only; no page or endpoint calls it",
        ["AuditRetentionService.TenantsWithRetentionAsync"] = "the daily retention job lists the tenants outside any tenant scope",
    };

    private static readonly Type[] ServiceTypes =
    [
        typeof(DeviceService), typeof(CredentialProfileService), typeof(SnapshotService), typeof(BackupService),
        typeof(BackupPipeline), typeof(AuditQueryService), typeof(AuditVerifier), typeof(AuditRetentionService), typeof(ApiTokenService),
        typeof(DeviceImportService), typeof(TenantUserService), typeof(TenantSettingsService), typeof(ScheduleService),
        typeof(BulkBackupService), typeof(RunQueryService),
        typeof(NotificationChannelService),
        typeof(ChangesFeedService), typeof(ConfigSearchService),
    ];

    private static readonly string[] Callers = ["Auditor", "Operator", "TenantAdmin", "no-membership", "api:read", "api:backup", "api:admin"];

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var caller in Callers)
            {
                foreach (var op in Operations.Keys) data.Add(caller, op);
            }
            return data;
        }
    }

    [Fact]
    public void TheDocumentedMatrixIsTheMatrixTheCodeEnforces()
    {
        var doc = RolesDoc.Parse();

        foreach (var role in Enum.GetValues<TenantRole>())
            Assert.True(doc.Roles[role] == RolePermissions.For(role), $"{role}: docs/roles.md says {doc.Roles[role]}, RolePermissions says {RolePermissions.For(role)}");
        foreach (var (scope, permissions) in doc.Scopes)
            Assert.True(permissions == RolePermissions.ForScopes(scope), $"scope {scope}: docs/roles.md says {permissions}, RolePermissions says {RolePermissions.ForScopes(scope)}");
        // Every permission the code knows has a row.
        Assert.Equal(Enum.GetValues<Permission>().Where(p => p != Permission.None).Order(), RolesDoc.Rows.Values.Order());
    }

    [Fact]
    public void EveryPublicServiceMethodIsInTheMatrixOrNamedAsNotCallerFacing()
    {
        var methods = ServiceTypes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => $"{t.Name}.{m.Name}"))
            .Where(m => !m.EndsWith(".ToString", StringComparison.Ordinal) && !m.EndsWith(".GetHashCode", StringComparison.Ordinal) && !m.EndsWith(".Equals", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        var unknown = methods.Where(m => !Operations.ContainsKey(m) && !NotCallerFacing.ContainsKey(m)).ToList();
        Assert.True(unknown.Count == 0, "Add these to the role matrix test: " + string.Join(", ", unknown));
        Assert.All(Operations.Keys.Concat(NotCallerFacing.Keys), k => Assert.Contains(k, methods));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachCallerMayDoExactlyWhatTheMatrixGrants(string caller, string operation)
    {
        var doc = RolesDoc.Parse();
        var op = Operations[operation];
        var granted = caller switch
        {
            "no-membership" => Permission.None,
            _ when caller.StartsWith("api:", StringComparison.Ordinal) => doc.Scopes[Enum.Parse<ApiTokenScopes>(caller[4..], ignoreCase: true)],
            _ => doc.Roles[Enum.Parse<TenantRole>(caller)],
        };
        var allowed = (granted & op.Needs) == op.Needs;
        var p = f.Portal;
        var before = await p.LastSequenceAsync(p.AcmeId);

        Exception? error = null;
        await using (var scope = Scope(caller))
        {
            try { await op.Call(scope.ServiceProvider, f); }
            catch (Exception ex) { error = ex; }
        }

        if (allowed)
        {
            Assert.True(error is null or NotFoundException or ValidationException, $"{caller} should be allowed to {operation}, got {error}");
        }
        else
        {
            Assert.IsType<AccessDeniedException>(error);
            var denial = Assert.Single(await p.QueryAsync(p.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync()));
            Assert.Equal((AuditActions.AuthorizationDenied, AuditOutcome.Denied, "operation"), (denial.Action, denial.Outcome, denial.ResourceType));
        }
    }

    private AsyncServiceScope Scope(string caller)
    {
        var p = f.Portal;
        switch (caller)
        {
            case "Auditor": return p.ScopeAs(p.AcmeId, "auditor@acme.example");
            case "Operator": return p.ScopeAs(p.AcmeId, "operator@acme.example");
            case "TenantAdmin": return p.ScopeAs(p.AcmeId, "admin@acme.example");
            case "no-membership": return p.ScopeAs(p.AcmeId, "admin@globex.example");
            default:
                var scope = p.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(p.AcmeId);
                var scopes = Enum.Parse<ApiTokenScopes>(caller[4..], ignoreCase: true);
                scope.ServiceProvider.GetRequiredService<CurrentActor>().SetApiToken(Missing, caller, scopes, PortalHost.ClientIp, PortalHost.UserAgent);
                return scope;
        }
    }
}
