using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Tenancy;

/// <summary>
/// A Blazor event carries whatever the client sends: a select's value can be any integer or any id. The services must
/// reject values outside the lists the UI offers, whatever the UI did.
/// </summary>
public sealed class ForgedInputTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    private static DeviceInput Valid(string name) => new()
    {
        Name = name, Address = "192.0.2.40", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static,
    };

    private async Task<ValidationException> RejectedAsync(string email, Func<IServiceProvider, Task> call)
    {
        await using var scope = Portal.ScopeAs(Portal.AcmeId, email);
        return await Assert.ThrowsAsync<ValidationException>(() => call(scope.ServiceProvider));
    }

    private async Task<int> GlobexCredentialAsync()
    {
        await using var scope = Portal.SystemScope(Portal.GlobexId);
        return await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
        {
            Name = "globex-" + Guid.NewGuid().ToString("N")[..8], Username = "backup", Password = "globex-only",
        });
    }

    public static TheoryData<string> ForgedDeviceFields => new() { "driver", "behavior", "vendor", "port" };

    [Theory]
    [MemberData(nameof(ForgedDeviceFields))]
    public async Task AForgedSelectValueOnTheDeviceFormIsAFieldError(string field)
    {
        var input = Valid("forged-" + field);
        var expected = field switch
        {
            "driver" => Set(() => input.Driver = (DeviceDriver)42, nameof(DeviceInput.Driver)),
            "behavior" => Set(() => input.SimulatorBehavior = (SimulatorBehavior)99, nameof(DeviceInput.SimulatorBehavior)),
            "vendor" => Set(() => input.Vendor = "../../etc/passwd", nameof(DeviceInput.Vendor)),
            _ => Set(() => input.Port = 70000, nameof(DeviceInput.Port)),
        };

        var ex = await RejectedAsync("admin@acme.example", s => s.GetRequiredService<DeviceService>().CreateAsync(input));

        Assert.Equal([expected], ex.Errors.Keys);
        Assert.False(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AnyAsync(d => d.Name == input.Name)));
    }

    [Fact]
    public async Task AnotherTenantsCredentialProfileIdIsRejectedOnCreateAndUpdate()
    {
        var globexCredential = await GlobexCredentialAsync();
        var input = Valid("forged-credential");
        input.CredentialProfileIds = [globexCredential];
        var ownDevice = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw2").Select(d => d.Id).SingleAsync());

        var create = await RejectedAsync("admin@acme.example", s => s.GetRequiredService<DeviceService>().CreateAsync(input));
        var update = await RejectedAsync("admin@acme.example", async s =>
        {
            var devices = s.GetRequiredService<DeviceService>();
            var current = await devices.GetForEditAsync(ownDevice);
            current.CredentialProfileIds = [globexCredential];
            await devices.UpdateAsync(ownDevice, current);
        });

        Assert.Equal([nameof(DeviceInput.CredentialProfileIds)], create.Errors.Keys);
        Assert.Equal([nameof(DeviceInput.CredentialProfileIds)], update.Errors.Keys);
        Assert.DoesNotContain(globexCredential, await Portal.QueryAsync(Portal.AcmeId, db => db.DeviceCredentialProfiles.Where(x => x.DeviceId == ownDevice).Select(x => x.CredentialProfileId).ToListAsync()));
    }

    [Fact]
    public async Task AnUndefinedBackupTriggerIsRejectedAndQueuesNothing()
    {
        var device = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw2").Select(d => d.Id).SingleAsync());
        var runsBefore = await Portal.QueryAsync(Portal.AcmeId, db => db.BackupRuns.CountAsync());

        await RejectedAsync("operator@acme.example", s => s.GetRequiredService<BackupService>().TriggerAsync(device, (BackupTrigger)77));

        Assert.Equal(runsBefore, await Portal.QueryAsync(Portal.AcmeId, db => db.BackupRuns.CountAsync()));
    }

    [Fact]
    public async Task AUserCannotPassOffABackupAsTheScheduler()
    {
        // "Schedule" skips the manual-trigger audit entry and attributes the run to the system: only the scheduler may.
        var device = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw2").Select(d => d.Id).SingleAsync());
        var runsBefore = await Portal.QueryAsync(Portal.AcmeId, db => db.BackupRuns.CountAsync());

        await RejectedAsync("operator@acme.example", s => s.GetRequiredService<BackupService>().TriggerAsync(device, BackupTrigger.Schedule));

        Assert.Equal(runsBefore, await Portal.QueryAsync(Portal.AcmeId, db => db.BackupRuns.CountAsync()));
        await using var system = Portal.SystemScope(Portal.AcmeId);
        Assert.NotNull((await system.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(device, BackupTrigger.Schedule)).Run);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(64)]
    public async Task ForgedApiTokenScopesAreRejected(int scopes)
    {
        var ex = await RejectedAsync("admin@acme.example", s => s.GetRequiredService<ApiTokenService>().CreateAsync("forged", (ApiTokenScopes)scopes, null));

        Assert.Equal(["scopes"], ex.Errors.Keys);
    }

    private static string Set(Action apply, string field)
    {
        apply();
        return field;
    }
}
