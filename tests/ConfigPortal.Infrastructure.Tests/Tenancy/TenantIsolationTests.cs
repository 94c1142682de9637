using System.Globalization;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Tenancy;

/// <summary>Ids of both tenants, prepared once: Globex has two snapshots and a diff, a run and an API token.</summary>
public sealed class IsolationFixture : IAsyncLifetime
{
    public PortalHost Portal { get; private set; } = null!;
    public int AcmeDevice { get; private set; }
    public long AcmeSnapshot { get; private set; }
    public int GlobexDevice { get; private set; }
    public long GlobexOldSnapshot { get; private set; }
    public long GlobexNewSnapshot { get; private set; }
    public long GlobexRun { get; private set; }
    public int GlobexToken { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Portal = await PortalHost.StartAsync();
        var p = Portal;
        AcmeDevice = await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw1").Select(d => d.Id).SingleAsync());
        AcmeSnapshot = await p.QueryAsync(p.AcmeId, db => db.Snapshots.Where(s => s.DeviceId == AcmeDevice).Select(s => s.Id).SingleAsync());
        GlobexDevice = await p.QueryAsync(p.GlobexId, db => db.Devices.Where(d => d.Name == "globex-core1").Select(d => d.Id).SingleAsync());
        var run = await p.BackupAsync(p.GlobexId, GlobexDevice, "operator@globex.example");
        GlobexRun = run.Id;
        GlobexNewSnapshot = run.SnapshotId!.Value;
        GlobexOldSnapshot = await p.QueryAsync(p.GlobexId, db => db.Snapshots.Where(s => s.DeviceId == GlobexDevice && s.Id != GlobexNewSnapshot).Select(s => s.Id).SingleAsync());
        await using var scope = p.ScopeAs(p.GlobexId, "admin@globex.example");
        GlobexToken = (await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync("globex automation", ApiTokenScopes.Read | ApiTokenScopes.Backup, null)).Token.Id;
    }

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}

public sealed class TenantIsolationTests(IsolationFixture f) : IClassFixture<IsolationFixture>
{
    private const int Missing = 987_654;

    private delegate Task Call(IServiceProvider services, IsolationFixture f, bool otherTenant);

    /// <summary>Every service method that takes an id, called as Acme's admin with a Globex id or a missing one.</summary>
    private static readonly Dictionary<string, Call> Calls = new()
    {
        ["DeviceService.GetAsync"] = (s, f, other) => s.GetRequiredService<DeviceService>().GetAsync(other ? f.GlobexDevice : Missing),
        ["DeviceService.GetForEditAsync"] = (s, f, other) => s.GetRequiredService<DeviceService>().GetForEditAsync(other ? f.GlobexDevice : Missing),
        ["DeviceService.UpdateAsync"] = (s, f, other) => s.GetRequiredService<DeviceService>().UpdateAsync(other ? f.GlobexDevice : Missing,
            new DeviceInput { Name = "hijacked", Address = "192.0.2.66", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static }),
        ["DeviceService.SetEnabledAsync"] = (s, f, other) => s.GetRequiredService<DeviceService>().SetEnabledAsync(other ? f.GlobexDevice : Missing, false),
        ["SnapshotService.ListAsync"] = (s, f, other) => s.GetRequiredService<SnapshotService>().ListAsync(other ? f.GlobexDevice : Missing, 0, 50),
        ["SnapshotService.GetTextAsync"] = (s, f, other) => s.GetRequiredService<SnapshotService>().GetTextAsync(other ? f.GlobexNewSnapshot : Missing),
        ["SnapshotService.GetTextAsync for download"] = (s, f, other) => s.GetRequiredService<SnapshotService>().GetTextAsync(other ? f.GlobexNewSnapshot : Missing, forDownload: true),
        ["SnapshotService.CompareAsync on the other device"] = (s, f, other) => s.GetRequiredService<SnapshotService>().CompareAsync(other ? f.GlobexDevice : Missing, null, null),
        ["SnapshotService.CompareAsync with other snapshots on an own device"] = (s, f, other) =>
            s.GetRequiredService<SnapshotService>().CompareAsync(f.AcmeDevice, other ? f.GlobexOldSnapshot : Missing, other ? f.GlobexNewSnapshot : Missing),
        ["SnapshotService.CompareAsync with one own and one other snapshot"] = (s, f, other) =>
            s.GetRequiredService<SnapshotService>().CompareAsync(f.AcmeDevice, other ? f.GlobexOldSnapshot : Missing, f.AcmeSnapshot),
        ["SnapshotService.GetUnifiedDiffAsync"] = (s, f, other) => s.GetRequiredService<SnapshotService>().GetUnifiedDiffAsync(other ? f.GlobexDevice : Missing, f.GlobexOldSnapshot, f.GlobexNewSnapshot),
        ["SnapshotService.GetUnifiedDiffAsync with other snapshots on an own device"] = (s, f, other) =>
            s.GetRequiredService<SnapshotService>().GetUnifiedDiffAsync(f.AcmeDevice, other ? f.GlobexOldSnapshot : Missing, other ? f.GlobexNewSnapshot : Missing),
        ["SnapshotService.GetSectionsAsync"] = (s, f, other) => s.GetRequiredService<SnapshotService>().GetSectionsAsync(other ? f.GlobexDevice : Missing),
        ["SnapshotService.GetSectionsAsync with another snapshot on an own device"] = (s, f, other) =>
            s.GetRequiredService<SnapshotService>().GetSectionsAsync(f.AcmeDevice, other ? f.GlobexNewSnapshot : Missing),
        ["SnapshotService.CompareSectionAsync with the other device"] = (s, f, other) =>
            s.GetRequiredService<SnapshotService>().CompareSectionAsync(f.AcmeDevice, other ? f.GlobexDevice : Missing, "interface GigabitEthernet1/0/1"),
        ["SnapshotService.CompareSectionAsync with another snapshot on the other side"] = (s, f, other) =>
            s.GetRequiredService<SnapshotService>().CompareSectionAsync(f.AcmeDevice, f.AcmeDevice, "interface GigabitEthernet1/0/1", f.AcmeSnapshot, other ? f.GlobexNewSnapshot : Missing),
        ["BackupService.TriggerAsync"] = (s, f, other) => s.GetRequiredService<BackupService>().TriggerAsync(other ? f.GlobexDevice : Missing, BackupTrigger.Manual),
        ["BackupService.GetRunAsync"] = (s, f, other) => s.GetRequiredService<BackupService>().GetRunAsync(other ? f.GlobexRun : Missing),
        ["BackupService.GetActiveRunAsync"] = (s, f, other) => s.GetRequiredService<BackupService>().GetActiveRunAsync(other ? f.GlobexDevice : Missing),
        ["BackupService.ListRunsAsync"] = (s, f, other) => s.GetRequiredService<BackupService>().ListRunsAsync(other ? f.GlobexDevice : Missing, 0, 50),
        ["ApiTokenService.RevokeAsync"] = (s, f, other) => s.GetRequiredService<ApiTokenService>().RevokeAsync(other ? f.GlobexToken : Missing),
    };

    public static TheoryData<string, bool> Cases
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var name in Calls.Keys)
            {
                data.Add(name, true);
                data.Add(name, false);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnAcmeUserAskingForAGlobexOrMissingIdGetsNotFoundAndTheDenialIsAuditedInAcme(string method, bool globexId)
    {
        var p = f.Portal;
        var acmeBefore = await p.LastSequenceAsync(p.AcmeId);
        var globexBefore = await p.LastSequenceAsync(p.GlobexId);
        var globexFingerprint = await GlobexFingerprintAsync();

        await using (var scope = p.ScopeAs(p.AcmeId, "admin@acme.example"))
            await Assert.ThrowsAsync<NotFoundException>(() => Calls[method](scope.ServiceProvider, f, globexId));

        var newEntries = await p.QueryAsync(p.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > acmeBefore).ToListAsync());
        var denial = Assert.Single(newEntries);
        Assert.Equal((AuditActions.AuthorizationDenied, AuditOutcome.Denied), (denial.Action, denial.Outcome));
        Assert.Equal(p.User("admin@acme.example").Id, denial.ActorId);
        Assert.Equal(PortalHost.ClientIp, denial.ClientIp);
        Assert.Equal(globexBefore, await p.LastSequenceAsync(p.GlobexId));
        Assert.Equal(globexFingerprint, await GlobexFingerprintAsync());
    }

    [Fact]
    public async Task TheDenialNamesTheIdThatWasAskedFor()
    {
        var p = f.Portal;
        var before = await p.LastSequenceAsync(p.AcmeId);

        await using (var scope = p.ScopeAs(p.AcmeId, "operator@acme.example"))
            await Assert.ThrowsAsync<NotFoundException>(() => scope.ServiceProvider.GetRequiredService<DeviceService>().GetAsync(f.GlobexDevice));

        var denial = Assert.Single(await p.QueryAsync(p.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync()));
        Assert.Equal(("device", f.GlobexDevice.ToString(CultureInfo.InvariantCulture)), (denial.ResourceType, denial.ResourceId));
    }

    [Fact]
    public async Task ListingAndTheAuditLogOfAcmeShowNothingOfGlobex()
    {
        var p = f.Portal;
        await using var scope = p.ScopeAs(p.AcmeId, "admin@acme.example");

        var devices = await scope.ServiceProvider.GetRequiredService<DeviceService>().ListAsync(new DeviceQuery(Take: 500));
        var audit = await scope.ServiceProvider.GetRequiredService<AuditQueryService>().QueryAsync(new AuditFilter(), 0, 500);
        var tokens = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().ListAsync();

        Assert.NotEmpty(devices.Items);
        Assert.DoesNotContain(devices.Items, d => d.Name.StartsWith("globex", StringComparison.Ordinal));
        Assert.DoesNotContain(audit.Items, e => e.DeviceName?.StartsWith("globex", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(tokens, t => t.Id == f.GlobexToken);
    }

    [Fact]
    public async Task SavingANewGlobexRowFromAnAcmeScopeThrowsTenantIsolation()
    {
        var p = f.Portal;
        await using var scope = p.ScopeAs(p.AcmeId, "admin@acme.example");
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Devices.Add(new Device { TenantId = p.GlobexId, Name = "planted", Address = "192.0.2.1", Vendor = "cisco_ios" });

        await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());

        Assert.False(await p.QueryAsync(p.GlobexId, d => d.Devices.AnyAsync(x => x.Name == "planted")));
    }

    [Fact]
    public async Task ModifyingOrDeletingAGlobexRowFromAnAcmeScopeThrowsTenantIsolation()
    {
        var p = f.Portal;
        var globexDevice = await p.QueryAsync(p.GlobexId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == f.GlobexDevice));
        await using var scope = p.ScopeAs(p.AcmeId, "admin@acme.example");
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();

        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Devices.Attach(globexDevice);
            globexDevice.Name = "renamed-by-acme";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }
        await using (var db = await factory.CreateDbContextAsync())
        {
            var copy = await p.QueryAsync(p.GlobexId, d => d.Devices.AsNoTracking().SingleAsync(x => x.Id == f.GlobexDevice));
            db.Devices.Remove(copy);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }
        await using (var db = await factory.CreateDbContextAsync())
        {
            // Moving an own row into the other tenant is a write of another tenant's row too.
            var own = await db.Devices.SingleAsync(d => d.Id == f.AcmeDevice);
            own.TenantId = p.GlobexId;
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.Equal("globex-core1", (await p.QueryAsync(p.GlobexId, d => d.Devices.AsNoTracking().SingleAsync(x => x.Id == f.GlobexDevice))).Name);
    }

    [Fact]
    public async Task BulkUpdatesFromAnAcmeScopeDoNotReachGlobexRows()
    {
        var p = f.Portal;
        await using var scope = p.ScopeAs(p.AcmeId, "admin@acme.example");
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

        var touched = await db.Devices.Where(d => d.Id == f.GlobexDevice).ExecuteUpdateAsync(s => s.SetProperty(d => d.Name, "bulk-renamed"));

        Assert.Equal(0, touched);
        Assert.Null(await db.Snapshots.FirstOrDefaultAsync(s => s.Id == f.GlobexNewSnapshot));
    }

    [Fact]
    public async Task AScopeWithoutATenantSeesNoTenantRows()
    {
        await using var scope = f.Portal.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

        Assert.Equal(0, await db.Devices.CountAsync());
        Assert.Equal(0, await db.AuditEntries.CountAsync());
        Assert.Equal(0, await db.SnapshotContents.CountAsync());
    }

    private Task<string> GlobexFingerprintAsync() => f.Portal.QueryAsync(f.Portal.GlobexId, async db =>
    {
        var d = await db.Devices.AsNoTracking().SingleAsync(x => x.Id == f.GlobexDevice);
        var token = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == f.GlobexToken);
        var runs = await db.BackupRuns.CountAsync(r => r.DeviceId == f.GlobexDevice);
        return $"{d.Name}|{d.Address}|{d.Enabled}|{d.UpdatedAtUtc:O}|{token.RevokedAtUtc:O}|{runs}";
    });
}
