using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ApiBackupTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_unified_diff_of_two_backups_applied_by_gnu_patch_reproduces_the_newer_config_byte_for_byte()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);
        var deviceId = await portal.DeviceIdAsync("Acme Networks", "acme-core-sw1"); // Drifting: changes on every backup

        // The first call may join the demo's baseline run; keep going until two runs of ours have stored snapshots.
        var stored = new List<BackupRunView>();
        for (var i = 0; i < 4 && stored.Count < 2; i++)
        {
            var (run, joined) = await PortalFactory.BackupAndWaitAsync(client, deviceId);
            Assert.Equal(BackupRunStatus.Succeeded, run.Status);
            if (!joined)
            {
                Assert.Equal(RunOutcome.Created, run.Outcome);
                stored.Add(run);
            }
        }
        Assert.Equal(2, stored.Count);
        var older = stored[0].SnapshotId!.Value;
        var newer = stored[1].SnapshotId!.Value;

        var oldBytes = await client.GetByteArrayAsync($"/api/v1/snapshots/{older}/raw", Ct);
        var newBytes = await client.GetByteArrayAsync($"/api/v1/snapshots/{newer}/raw", Ct);
        var diffResponse = await client.GetAsync($"/api/v1/devices/{deviceId}/diff?from={older}&to={newer}", Ct);
        Assert.Equal(HttpStatusCode.OK, diffResponse.StatusCode);
        Assert.Equal("text/x-diff", diffResponse.Content.Headers.ContentType?.MediaType);
        var diffBytes = await diffResponse.Content.ReadAsByteArrayAsync(Ct);
        Assert.NotEqual(oldBytes, newBytes);
        Assert.StartsWith("--- ", System.Text.Encoding.UTF8.GetString(diffBytes), StringComparison.Ordinal);

        var work = Path.Combine(portal.DataDirectory, "patch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var target = Path.Combine(work, "config.txt");
        await File.WriteAllBytesAsync(target, oldBytes, Ct);
        await File.WriteAllBytesAsync(Path.Combine(work, "change.diff"), diffBytes, Ct);

        var (exit, output) = await RunAsync("patch", work, "--batch", "--forward", "--no-backup-if-mismatch", "--reject-file=-", "-i", "change.diff", "config.txt");

        Assert.True(exit == 0, "patch failed: " + output);
        Assert.Equal(newBytes, await File.ReadAllBytesAsync(target, Ct));
    }

    [Fact]
    public async Task The_snapshot_list_of_a_device_shows_the_added_and_removed_counts_of_its_diff()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);
        var deviceId = await portal.DeviceIdAsync("Acme Networks", "acme-dc-leaf1"); // Drifting
        await PortalFactory.BackupAndWaitAsync(client, deviceId);
        await PortalFactory.BackupAndWaitAsync(client, deviceId);

        using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/devices/{deviceId}/snapshots", Ct));
        var items = json.RootElement.GetProperty("items").Deserialize<List<SnapshotListItem>>(PortalFactory.Json)!;

        Assert.True(items.Count >= 2);
        Assert.True(items[0].Id > items[1].Id, "newest first");
        Assert.Equal(items[1].Id, items[0].PreviousSnapshotId);
        Assert.True(items[0].AddedLines + items[0].RemovedLines > 0);
    }

    /// <summary>One static device of every vendor: however often other tests back it up, only volatile lines change.</summary>
    [Theory]
    [InlineData("Acme Networks", "acme-dc-leaf2")]   // arista_eos, static
    [InlineData("Acme Networks", "acme-edge-r2")]    // juniper_junos, static
    [InlineData("Acme Networks", "acme-branch-rt2")] // mikrotik_routeros, static
    [InlineData("Acme Networks", "acme-dc-nx1")]     // cisco_nxos, static
    [InlineData("Acme Networks", "acme-fw1")]        // fortinet_fortios, static
    [InlineData("Globex", "globex-core2")]           // cisco_ios, static
    [InlineData("Globex", "globex-asa1")]            // cisco_asa, static
    [InlineData("Globex", "globex-cx1")]             // aruba_aoscx, static
    public async Task Backing_up_an_unchanged_device_again_is_unchanged_despite_its_clock_lines(string tenant, string device)
    {
        var token = await portal.CreateTokenAsync(tenant, ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);
        var deviceId = await portal.DeviceIdAsync(tenant, device);

        // First a run of our own that succeeded, so the device surely has a snapshot taken by us: the demo's baseline
        // may have failed, and a run still in flight (joined) is not ours. Which outcome that run has (Created for the
        // device's first snapshot, Unchanged after the baseline) depends on what ran before; it is not the point here.
        var first = await OwnSucceededRunAsync(client, deviceId);
        Assert.True(first is not null, $"{device}: no run of ours succeeded");

        // Then backing up again gives the same configuration apart from its clock lines: unchanged.
        var again = await OwnSucceededRunAsync(client, deviceId);
        Assert.True(again is not null, $"{device}: no second run of ours succeeded");
        Assert.True(again.Outcome == RunOutcome.Unchanged, $"{device}: {again.Outcome} {again.Message} (after run {first.Id}: {first.Outcome})");
        Assert.Equal(first.SnapshotId, again.SnapshotId);
    }

    /// <summary>Backs up until a run of ours (not one joined) succeeded; null when none did in a few attempts.</summary>
    private static async Task<BackupRunView?> OwnSucceededRunAsync(HttpClient client, int deviceId)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var (run, joined) = await PortalFactory.BackupAndWaitAsync(client, deviceId);
            if (!joined && run.Status == BackupRunStatus.Succeeded) return run;
        }
        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>Join semantics need a run that stays queued or collecting: devices here answer after 20 s.</summary>
public sealed class ApiBackupJoinTests(SlowDevicesPortalFactory portal) : IClassFixture<SlowDevicesPortalFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_quick_backup_requests_for_one_device_give_one_run_and_the_second_says_joined()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read | ApiTokenScopes.Backup | ApiTokenScopes.Admin);
        using var client = portal.ClientWith(token.Secret);
        // A device of our own: the demo's baseline runs (still in flight here) do not cover it.
        var deviceId = await CreateSimulatedDeviceAsync(portal, "acme-join-test");

        var first = await client.PostAsync($"/api/v1/devices/{deviceId}/backup", null, Ct);
        var second = await client.PostAsync($"/api/v1/devices/{deviceId}/backup", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<TriggerResponse>(PortalFactory.Json, Ct);
        var b = await second.Content.ReadFromJsonAsync<TriggerResponse>(PortalFactory.Json, Ct);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.False(a.Joined);
        Assert.True(b.Joined);
        Assert.Equal(a.Run.Id, b.Run.Id);
        Assert.Equal($"/api/v1/runs/{a.Run.Id}", first.Headers.Location?.OriginalString);
        Assert.False(b.Run.IsFinished);
    }

    private static async Task<int> CreateSimulatedDeviceAsync(PortalFactory portal, string name)
    {
        var tenantId = await portal.TenantIdAsync("Acme Networks");
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = name,
            Address = "10.10.9.9",
            Port = 22,
            Vendor = "cisco_ios",
            Driver = DeviceDriver.Simulator,
            SimulatorBehavior = SimulatorBehavior.Static,
        }, Ct);
    }
}
