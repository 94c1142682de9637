using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>A seeded portal whose SSH driver fails fast (short timeouts, no retries), for the pipeline-level SSH tests.</summary>
public sealed class SshPortalFixture : IAsyncLifetime
{
    private PortalHost? _portal;

    public PortalHost Portal => _portal ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync() => _portal = await PortalHost.StartAsync(runBaselineBackups: false, new Dictionary<string, string?>
    {
        ["Ssh:ConnectTimeout"] = "00:00:05",
        ["Ssh:CommandTimeout"] = "00:00:05",
        ["Ssh:RetryCount"] = "0",
        ["Ssh:PromptSettleTime"] = "00:00:00.100",
    });

    public async ValueTask DisposeAsync()
    {
        if (_portal is not null) await _portal.DisposeAsync();
    }
}

/// <summary>
/// Real device rows with Driver=Ssh, pointing at the sshd emulators, backed up through the real <see cref="BackupPipeline"/>
/// on a real SQLite file: snapshots, duplicates, faults that store nothing, credential fallback and host-key pinning.
/// </summary>
[Collection(SshLabCollection.Name)]
public sealed class SshPipelineTests(SshDeviceLab lab, SshPortalFixture fixture) : IClassFixture<SshPortalFixture>
{
    private const string Admin = "admin@acme.example";
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private async Task<int> CredentialAsync(string name, string password, string? enableSecret = null, string? privateKey = null, string? passphrase = null)
    {
        await using var scope = Portal.ScopeAs(Acme, Admin);
        return await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
        {
            Name = name, Username = SshDeviceLab.User, Password = password, EnableSecret = enableSecret, PrivateKey = privateKey, Passphrase = passphrase,
        });
    }

    private async Task<int> SshDeviceAsync(string name, string vendor, int port, params int[] credentials)
    {
        await using var scope = Portal.ScopeAs(Acme, Admin);
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = name, Address = "127.0.0.1", Port = port, Vendor = vendor, Driver = DeviceDriver.Ssh, CredentialProfileIds = [.. credentials],
        });
    }

    private async Task EditDeviceAsync(int id, Action<DeviceInput> change)
    {
        await using var scope = Portal.ScopeAs(Acme, Admin);
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var input = await devices.GetForEditAsync(id);
        change(input);
        await devices.UpdateAsync(id, input);
    }

    private Task<Device> DeviceAsync(int id) => Portal.QueryAsync(Acme, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == id));

    private Task<int> SnapshotCountAsync(int id) => Portal.QueryAsync(Acme, db => db.Snapshots.CountAsync(s => s.DeviceId == id));

    private Task<string> LatestTextAsync(int id) => Portal.QueryAsync(Acme, async db =>
    {
        var device = await db.Devices.AsNoTracking().SingleAsync(d => d.Id == id);
        return await SnapshotContentStore.LoadTextAsync(db, (long)device.LatestSnapshotId!);
    });

    private static string IosEnable => VendorEmulations.Get("cisco_ios").Spec.EnableSecret!;

    [Fact]
    public async Task First_backup_stores_a_snapshot_and_a_second_with_only_volatile_changes_is_a_duplicate()
    {
        var cred = await CredentialAsync("pipe-ios", SshDeviceLab.Password, IosEnable);
        var id = await SshDeviceAsync("pipe-ios-1", "cisco_ios", lab.Port("cisco_ios"), cred);

        var first = await Portal.BackupAsync(Acme, id);

        Assert.True(first.Outcome == RunOutcome.Created, $"{first.FailureKind}: {first.Message}");
        var device = await DeviceAsync(id);
        Assert.Equal(first.SnapshotId, device.LatestSnapshotId);
        Assert.Equal(lab.HostKeyFingerprint, device.HostKeyFingerprint); // trust on first use
        Assert.Equal(cred, device.LastWorkingCredentialProfileId);
        var text = await LatestTextAsync(id);
        Assert.Contains("hostname core-rtr1", text, StringComparison.Ordinal);
        foreach (var secret in VendorEmulations.Get("cisco_ios").Secrets)
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var created = (await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, id)).Single();
        Assert.Equal("pipe-ios", created.Details().GetProperty("credentialProfile").GetString());

        var second = await Portal.BackupAsync(Acme, id);

        Assert.Equal(RunOutcome.Unchanged, second.Outcome);
        Assert.Equal(first.SnapshotId, second.SnapshotId);
        Assert.Equal(1, await SnapshotCountAsync(id));
        var skipped = (await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotSkippedDuplicate, id)).Single();
        Assert.Equal(2, skipped.Details().GetProperty("seenCount").GetInt32());
    }

    [Fact]
    public async Task Cut_output_and_a_rejected_password_store_nothing_and_keep_the_latest_snapshot()
    {
        var good = await CredentialAsync("pipe-nxos", SshDeviceLab.Password);
        var wrong = await CredentialAsync("pipe-nxos-wrong", "Wrong-Pass-1");
        var id = await SshDeviceAsync("pipe-nxos-1", "cisco_nxos", lab.Port("cisco_nxos"), good);
        var baseline = await Portal.BackupAsync(Acme, id);
        Assert.True(baseline.Outcome == RunOutcome.Created, $"{baseline.FailureKind}: {baseline.Message}");

        // The same device starts cutting its output mid-config.
        await EditDeviceAsync(id, d => d.Port = lab.Port("nxos-cut"));
        var cut = await Portal.BackupAsync(Acme, id);

        Assert.Equal(RunOutcome.Failed, cut.Outcome);
        Assert.Equal(FailureKind.TruncatedOutput, cut.FailureKind);
        Assert.Equal(baseline.SnapshotId, (await DeviceAsync(id)).LatestSnapshotId);
        Assert.Equal(1, await SnapshotCountAsync(id));
        var failed = (await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupFailed, id)).Last();
        Assert.Equal("truncated_output", failed.Details().GetProperty("reason").GetString());

        // Back on the healthy port, but with only a wrong password and no fallback.
        await EditDeviceAsync(id, d => { d.Port = lab.Port("cisco_nxos"); d.CredentialProfileIds = [wrong]; });
        var rejected = await Portal.BackupAsync(Acme, id);

        Assert.Equal(FailureKind.AuthenticationFailed, rejected.FailureKind);
        var device = await DeviceAsync(id);
        Assert.Equal(baseline.SnapshotId, device.LatestSnapshotId);
        Assert.Equal(RunOutcome.Failed, device.LastRunOutcome);
        Assert.Equal(1, await SnapshotCountAsync(id));
        failed = (await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupFailed, id)).Last();
        Assert.Equal("authentication_failed", failed.Details().GetProperty("reason").GetString());
        Assert.DoesNotContain("Wrong-Pass-1", failed.DetailsJson, StringComparison.Ordinal);
        Assert.DoesNotContain(SshDeviceLab.Password, rejected.Message!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fallback_credential_that_works_is_remembered_and_tried_first_next_time()
    {
        var old = await CredentialAsync("pipe-fb-old", "Wrong-Pass-1");
        var older = await CredentialAsync("pipe-fb-older", "Wrong-Pass-2");
        var current = await CredentialAsync("pipe-fb-current", SshDeviceLab.Password);
        var id = await SshDeviceAsync("pipe-fallback-1", "juniper_junos", lab.Port("juniper_junos"), old, older, current);

        var first = await Portal.BackupAsync(Acme, id);

        Assert.True(first.Outcome == RunOutcome.Created, $"{first.FailureKind}: {first.Message}");
        Assert.Equal(current, (await DeviceAsync(id)).LastWorkingCredentialProfileId);
        var created = (await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, id)).Single();
        Assert.Equal("pipe-fb-current", created.Details().GetProperty("credentialProfile").GetString());
        int Rejections() => Portal.Logs.GetSnapshot().Count(r => r.Message.Contains("rejected credential profile pipe-fb-", StringComparison.Ordinal)
            && r.Message.Contains($"Device {id} ", StringComparison.Ordinal));
        Assert.Equal(2, Rejections());

        var second = await Portal.BackupAsync(Acme, id);

        Assert.Equal(RunOutcome.Unchanged, second.Outcome);
        Assert.Equal(2, Rejections()); // the remembered profile went first: no login was rejected this time

        // The order the admin set is kept as it was; only the hint moved.
        await using var scope = Portal.ScopeAs(Acme, Admin);
        Assert.Equal([old, older, current], (await scope.ServiceProvider.GetRequiredService<DeviceService>().GetForEditAsync(id)).CredentialProfileIds);
    }

    [Fact]
    public async Task A_changed_host_key_fails_until_a_tenant_admin_accepts_the_offered_fingerprint()
    {
        var cred = await CredentialAsync("pipe-hk", SshDeviceLab.Password, IosEnable);
        var id = await SshDeviceAsync("pipe-hostkey-1", "cisco_ios", lab.Port("cisco_ios"), cred);
        var first = await Portal.BackupAsync(Acme, id);
        Assert.True(first.Outcome == RunOutcome.Created, $"{first.FailureKind}: {first.Message}");
        Assert.Equal(lab.HostKeyFingerprint, (await DeviceAsync(id)).HostKeyFingerprint);

        // The "device" now answers with another host key.
        await EditDeviceAsync(id, d => d.Port = lab.ChangedKeyPort);
        var changed = await Portal.BackupAsync(Acme, id);

        Assert.Equal(FailureKind.HostKeyChanged, changed.FailureKind);
        var device = await DeviceAsync(id);
        Assert.Equal(lab.HostKeyFingerprint, device.HostKeyFingerprint);
        Assert.Equal(lab.OtherHostKeyFingerprint, device.OfferedHostKeyFingerprint);
        Assert.Equal(first.SnapshotId, device.LatestSnapshotId);
        var failed = (await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupFailed, id)).Last();
        Assert.Equal("host_key_changed", failed.Details().GetProperty("reason").GetString());
        Assert.Equal(lab.OtherHostKeyFingerprint, failed.Details().GetProperty("offeredHostKey").GetString());
        Assert.Equal(lab.HostKeyFingerprint, failed.Details().GetProperty("pinnedHostKey").GetString());

        // Still refused on the next run: nothing was accepted by itself.
        Assert.Equal(FailureKind.HostKeyChanged, (await Portal.BackupAsync(Acme, id)).FailureKind);

        // An operator may not accept; an admin may, but only the fingerprint the device offered.
        await using (var scope = Portal.ScopeAs(Acme, "operator@acme.example"))
        {
            await Assert.ThrowsAsync<AccessDeniedException>(() =>
                scope.ServiceProvider.GetRequiredService<DeviceService>().AcceptHostKeyAsync(id, lab.OtherHostKeyFingerprint));
        }
        await using (var scope = Portal.ScopeAs(Acme, Admin))
        {
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            await Assert.ThrowsAsync<ValidationException>(() => devices.AcceptHostKeyAsync(id, lab.HostKeyFingerprint));
            await devices.AcceptHostKeyAsync(id, lab.OtherHostKeyFingerprint);
            var view = await devices.GetAsync(id);
            Assert.Equal(lab.OtherHostKeyFingerprint, view.HostKeyFingerprint);
            Assert.Null(view.OfferedHostKeyFingerprint);
        }
        var accepted = (await Portal.EntriesAsync(Acme, AuditActions.DeviceHostKeyAccepted, id)).Single();
        Assert.Equal(lab.HostKeyFingerprint, accepted.Details().GetProperty("oldFingerprint").GetString());
        Assert.Equal(lab.OtherHostKeyFingerprint, accepted.Details().GetProperty("newFingerprint").GetString());

        var after = await Portal.BackupAsync(Acme, id);
        Assert.True(after.Outcome is RunOutcome.Unchanged or RunOutcome.Created, $"{after.FailureKind}: {after.Message}");
    }

    [Fact]
    public async Task Tenant_and_device_custom_filters_reach_the_normalizer()
    {
        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "admin@globex.example"))
        {
            await scope.ServiceProvider.GetRequiredService<TenantSettingsService>().UpdateFiltersAsync(new TenantFilterInput
            {
                CustomDeleteFilters = "^\\s*server 10\\.0\\.0\\.123;",
            });
        }
        int id;
        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "admin@globex.example"))
        {
            var cred = await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
            {
                Name = "pipe-filters", Username = SshDeviceLab.User, Password = SshDeviceLab.Password,
            });
            id = await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
            {
                Name = "pipe-filters-1", Address = "127.0.0.1", Port = lab.Port("juniper_junos"), Vendor = "juniper_junos", Driver = DeviceDriver.Ssh,
                CredentialProfileIds = [cred], CustomDeleteFilters = "^\\s*host-name ",
            });
        }

        var run = await Portal.BackupAsync(Portal.GlobexId, id, "admin@globex.example");

        Assert.True(run.Outcome == RunOutcome.Created, $"{run.FailureKind}: {run.Message}");
        var text = await Portal.QueryAsync(Portal.GlobexId, async db =>
        {
            return await SnapshotContentStore.LoadTextAsync(db, (long)run.SnapshotId!);
        });
        Assert.DoesNotContain("host-name mx-edge1;", text, StringComparison.Ordinal); // the device's filter
        Assert.DoesNotContain("server 10.0.0.123;", text, StringComparison.Ordinal);  // the tenant's filter
        Assert.Contains("snmp {", text, StringComparison.Ordinal);
    }
}
