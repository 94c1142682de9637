using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>
/// The portal's real infrastructure (AddInfrastructure, migrations, the real audit writer) over a fresh SQLite file in a
/// temp folder. No hosted worker, no demo seed. Raw SQL plays the attacker with database access (and no chain key).
/// </summary>
public sealed class AuditTestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private AuditTestDatabase(string dir, ServiceProvider services)
    {
        DataDirectory = dir;
        _services = services;
    }

    public string DataDirectory { get; }
    public string DatabaseFile => Path.Combine(DataDirectory, "configportal.db");
    public string KeyFile => Path.Combine(DataDirectory, "audit-chain.key");
    public IServiceProvider Services => _services;

    public static async Task<AuditTestDatabase> CreateAsync(TimeProvider? clock = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cp-audit-tests-" + Guid.NewGuid().ToString("N"));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = dir,
            ["Audit:KeyFile"] = Path.Combine(dir, "audit-chain.key"),
        });
        builder.AddInfrastructure();
        IServiceCollection services = new ServiceCollection();
        foreach (var d in builder.Services.Where(d => d.ServiceType != typeof(IHostedService) && d.ServiceType != typeof(IHostLifetime)))
            services.Add(d);
        if (clock is not null)
        {
            foreach (var d in services.Where(d => d.ServiceType == typeof(TimeProvider)).ToList()) services.Remove(d);
            services.AddSingleton(clock);
        }
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync(seedDemo: false);
        return new AuditTestDatabase(dir, provider);
    }

    /// <summary>A scope acting as the scheduler (system) in a tenant: it may read, verify and export that tenant's audit log.</summary>
    public AsyncServiceScope Scope(int tenantId)
    {
        var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        return scope;
    }

    /// <summary>Appends entries through the one audit writer, in transactions of up to 1,000.</summary>
    public async Task AppendAsync(int tenantId, int count, Func<int, AuditRecord>? make = null, int startAt = 1)
    {
        make ??= i => Sample(tenantId, i);
        await using var scope = Scope(tenantId);
        var audit = scope.ServiceProvider.GetRequiredService<IAuditService>();
        var factory = scope.ServiceProvider.GetRequiredService<IPortalDbFactory>();
        for (var done = 0; done < count; done += 1000)
        {
            var records = Enumerable.Range(startAt + done, Math.Min(1000, count - done)).Select(make).ToList();
            await using var db = await factory.CreateAsync();
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.True(await audit.AppendAsync(db, records));
            await tx.CommitAsync();
        }
    }

    public static AuditRecord Sample(int tenantId, int i) => new()
    {
        TenantId = tenantId,
        Action = (i % 3) switch { 0 => AuditActions.DeviceUpdated, 1 => AuditActions.ConfigSnapshotCreated, _ => AuditActions.SnapshotDownloaded },
        ResourceType = "device",
        ResourceId = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        DeviceId = i % 7 + 1,
        DeviceName = $"sw-{i % 7 + 1}",
        Details = new { i, changes = new { description = new { before = "old " + i, after = "new " + i } } },
    };

    /// <summary>Raw SQL on the file, outside the application: what an attacker with database access can do.</summary>
    public async Task<int> SqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var c = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return await cmd.ExecuteNonQueryAsync();
    }

    public async Task<ChainVerification> VerifyInDatabaseAsync(int tenantId)
    {
        await using var scope = Scope(tenantId);
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyTenantAsync(tenantId);
    }

    /// <summary>Exports through the application's export service (as the system in the tenant) into memory.</summary>
    public async Task<byte[]> ExportAsync(int tenantId, AuditExportFormat format, AuditFilter? filter = null)
    {
        await using var scope = Scope(tenantId);
        var export = await scope.ServiceProvider.GetRequiredService<AuditExportService>().PrepareAsync(filter ?? new AuditFilter(), format);
        using var ms = new MemoryStream();
        await export.WriteAsync(ms);
        return ms.ToArray();
    }

    public async Task<SignedChainHead> SignedHeadAsync(int tenantId)
    {
        await using var scope = Scope(tenantId);
        var (v, head) = await scope.ServiceProvider.GetRequiredService<AuditExportService>().SignedHeadAsync();
        Assert.True(v.Intact, v.Problem);
        return head!;
    }

    /// <summary>Creates the tenant row (the audit tests otherwise need none) with an optional retention setting.</summary>
    public async Task CreateTenantAsync(int tenantId, int? auditRetentionDays = null)
    {
        await SqlAsync("INSERT INTO Tenants (Id, Name, Slug, IsSuspended, SecretMaskingEnabled, CreatedAt, AuditRetentionDays) VALUES ($id, $name, $slug, 0, 1, '2026-01-01 00:00:00', $days)",
            ("$id", tenantId), ("$name", "Tenant " + tenantId), ("$slug", "tenant-" + tenantId), ("$days", (object?)auditRetentionDays ?? DBNull.Value));
    }

    public AuditHasher Hasher => _services.GetRequiredService<AuditHasher>();

    public async Task<OfflineVerification> VerifyOfflineAsync(byte[] jsonl, SignedChainHead? head = null)
    {
        using var reader = new StreamReader(new MemoryStream(jsonl), System.Text.Encoding.UTF8);
        // A fresh hasher from the key file, as the command line does.
        return await OfflineAuditVerifier.VerifyAsync(reader, new AuditHasher(OfflineAuditVerifier.ReadKeyFile(KeyFile)), head);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
