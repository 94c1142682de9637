using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Tenancy;

public sealed class RoleTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    private static DeviceInput NewDevice(string name) => new()
    {
        Name = name, Address = "192.0.2.10", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static,
    };

    private Task<int> AcmeDeviceAsync() =>
        Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw2").Select(d => d.Id).SingleAsync());

    private async Task<AuditEntry> DeniedAsync(string email, Func<IServiceProvider, Task> call)
    {
        var before = await Portal.LastSequenceAsync(Portal.AcmeId);
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, email))
            await Assert.ThrowsAsync<AccessDeniedException>(() => call(scope.ServiceProvider));
        var entry = Assert.Single(await Portal.QueryAsync(Portal.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync()));
        Assert.Equal((AuditActions.AuthorizationDenied, AuditOutcome.Denied, "operation"), (entry.Action, entry.Outcome, entry.ResourceType));
        Assert.Equal(Portal.User(email).Id, entry.ActorId);
        return entry;
    }

    [Fact]
    public async Task AnAuditorCannotTriggerABackupAndTheDenialIsAudited()
    {
        var deviceId = await AcmeDeviceAsync();
        var runsBefore = await Portal.QueryAsync(Portal.AcmeId, db => db.BackupRuns.CountAsync(r => r.DeviceId == deviceId));

        var entry = await DeniedAsync("auditor@acme.example", s => s.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Manual));

        Assert.Equal("trigger a backup", entry.ResourceId);
        Assert.Contains("Auditor", entry.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(runsBefore, await Portal.QueryAsync(Portal.AcmeId, db => db.BackupRuns.CountAsync(r => r.DeviceId == deviceId)));
    }

    [Fact]
    public async Task AnAuditorCannotCreateADeviceAndTheDenialIsAudited()
    {
        await DeniedAsync("auditor@acme.example", s => s.GetRequiredService<DeviceService>().CreateAsync(NewDevice("auditor-made")));

        Assert.False(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AnyAsync(d => d.Name == "auditor-made")));
    }

    [Fact]
    public async Task AnOperatorCannotCreateOrEditDevices()
    {
        var deviceId = await AcmeDeviceAsync();

        await DeniedAsync("operator@acme.example", s => s.GetRequiredService<DeviceService>().CreateAsync(NewDevice("operator-made")));
        await DeniedAsync("operator@acme.example", s => s.GetRequiredService<DeviceService>().SetEnabledAsync(deviceId, false));

        Assert.False(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AnyAsync(d => d.Name == "operator-made")));
    }

    [Fact]
    public async Task AnOperatorCannotManageApiTokens()
    {
        await DeniedAsync("operator@acme.example", s => s.GetRequiredService<ApiTokenService>().CreateAsync("mine", ApiTokenScopes.Read, null));
    }

    [Fact]
    public async Task AGlobexUserActingInAcmeHasNoRoleThere()
    {
        // A scope whose tenant the user is not a member of: the membership is read from the database, not trusted.
        var deviceId = await AcmeDeviceAsync();
        var before = await Portal.LastSequenceAsync(Portal.AcmeId);
        await using var scope = Portal.ScopeAs(Portal.AcmeId, "admin@globex.example");

        await Assert.ThrowsAsync<AccessDeniedException>(() => scope.ServiceProvider.GetRequiredService<DeviceService>().GetAsync(deviceId));

        var entry = Assert.Single(await Portal.QueryAsync(Portal.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync()));
        Assert.Equal(AuditActions.AuthorizationDenied, entry.Action);
    }

    [Fact]
    public async Task AnAuditorCanReadDevicesAndTheAuditLog()
    {
        await using var scope = Portal.ScopeAs(Portal.AcmeId, "auditor@acme.example");

        var devices = await scope.ServiceProvider.GetRequiredService<DeviceService>().ListAsync(new DeviceQuery());
        var audit = await scope.ServiceProvider.GetRequiredService<AuditQueryService>().QueryAsync(new AuditFilter(), 0, 10);

        Assert.NotEmpty(devices.Items);
        Assert.NotNull(audit);
    }
}
