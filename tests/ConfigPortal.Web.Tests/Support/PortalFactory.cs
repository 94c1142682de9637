using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Support;

/// <summary>
/// The whole portal in process over a fresh SQLite file in its own temp folder, seeded with the demo (Development).
/// The simulator answers at once unless a subclass asks for latency.
/// </summary>
/// <remarks>
/// At start the portal queues a baseline backup of every demo device, which its worker runs in the background. As a
/// fixture (<see cref="InitializeAsync"/>) the factory starts the portal and waits until those runs have finished,
/// so the tests meet the settled demo they assume: every device idle, with its baseline snapshot (or its failed
/// baseline run). Otherwise a test's backup request joins a baseline run still in flight — a run of trigger
/// "schedule", not the test's "api", and the device's first snapshot, not an unchanged one — or not, depending on
/// how fast the machine ran the baseline and on the order xunit runs the tests in (which depends on the test
/// assembly's path, so CI's differs from a local run's).
/// </remarks>
public class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cp-web-tests-" + Guid.NewGuid().ToString("N"));

    protected virtual string SimulatorLatency => "00:00:00";

    /// <summary>Whether <see cref="InitializeAsync"/> waits for the demo's baseline runs (not where they take long on purpose).</summary>
    protected virtual bool SettleDemoBaseline => true;

    public async ValueTask InitializeAsync()
    {
        if (!SettleDemoBaseline) return;
        var platform = Services.GetRequiredService<PlatformQueries>(); // starts the portal
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var pending = await platform.PendingRunsAsync(TestContext.Current.CancellationToken);
            if (pending.Count == 0) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The demo's baseline runs did not finish: {string.Join(", ", pending.Select(p => $"run {p.RunId} {p.Status}"))}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:DataDirectory", DataDirectory);
        builder.UseSetting("Audit:KeyFile", Path.Combine(DataDirectory, "audit-chain.key"));
        builder.UseSetting("Simulator:Latency", SimulatorLatency);
        builder.UseSetting("SkipDemoSeed", "false");
    }

    public async Task<int> TenantIdAsync(string tenantName)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Tenants.Where(t => t.Name == tenantName).Select(t => t.Id).SingleAsync();
    }

    public async Task<int> DeviceIdAsync(string tenantName, string deviceName)
    {
        var tenantId = await TenantIdAsync(tenantName);
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Devices.Where(d => d.Name == deviceName).Select(d => d.Id).SingleAsync();
    }

    /// <summary>Creates a token the way a tenant admin does, acting as the system in that tenant.</summary>
    public async Task<CreatedApiToken> CreateTokenAsync(string tenantName, ApiTokenScopes scopes, DateTime? expiresAtUtc = null)
    {
        var tenantId = await TenantIdAsync(tenantName);
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        return await scope.ServiceProvider.GetRequiredService<ApiTokenService>()
            .CreateAsync("test-" + Guid.NewGuid().ToString("N")[..8], scopes, expiresAtUtc);
    }

    public async Task RevokeTokenAsync(string tenantName, int tokenId)
    {
        var tenantId = await TenantIdAsync(tenantName);
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        await scope.ServiceProvider.GetRequiredService<ApiTokenService>().RevokeAsync(tokenId);
    }

    public HttpClient ClientWith(string? bearer)
    {
        var client = CreateClient();
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Polls GET /runs/{id} until the run has succeeded or failed.</summary>
    public static async Task<BackupRunView> WaitForRunAsync(HttpClient client, long runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = await client.GetFromJsonAsync<BackupRunView>($"/api/v1/runs/{runId}", Json, TestContext.Current.CancellationToken)
                ?? throw new InvalidOperationException("Empty run.");
            if (run.IsFinished) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} is still {run.Status}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>POST /devices/{id}/backup and wait for the run. A joined run (the demo's baseline) is followed too.</summary>
    public static async Task<(BackupRunView Run, bool Joined)> BackupAndWaitAsync(HttpClient client, int deviceId)
    {
        var response = await client.PostAsync($"/api/v1/devices/{deviceId}/backup", null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TriggerResponse>(Json, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("Empty trigger response.");
        return (await WaitForRunAsync(client, body.Run.Id), body.Joined);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>A portal whose simulated devices take seconds to answer, so a run stays in flight while a test pokes at it.</summary>
public sealed class SlowDevicesPortalFactory : PortalFactory
{
    protected override string SimulatorLatency => "00:00:20";

    /// <summary>Its baseline takes 20 s a device; its tests use a device of their own.</summary>
    protected override bool SettleDemoBaseline => false;
}

public sealed record TriggerResponse(bool Joined, BackupRunView Run);

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<PortalFactory>
{
    public const string Name = "api";
}
