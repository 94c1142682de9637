using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Backups;
using ConfigPortal.Infrastructure.Collectors.Simulator;
using ConfigPortal.Infrastructure.Collectors.Ssh;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Scheduling;
using ConfigPortal.Infrastructure.Security;
using ConfigPortal.Infrastructure.Seeding;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string? ConnectionString { get; set; }
    /// <summary>Folder for the SQLite file and the audit key file when no connection string is given.</summary>
    public string DataDirectory { get; set; } = "data";
    /// <summary>Apply migrations at start (on by default; production may apply scripts instead).</summary>
    public bool MigrateOnStart { get; set; } = true;
    /// <summary>SQLite only: <c>PRAGMA synchronous</c> of every connection (ADR-012; Normal under WAL by default).</summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Normal;

    public string ResolveConnectionString() => ConnectionString is { Length: > 0 } cs
        ? cs
        : $"Data Source={Path.Combine(DataDirectory, "configportal.db")};Default Timeout={SqliteBusyTimeoutSeconds}";

    /// <summary>
    /// How long a SQLite command waits for another writer (another instance on the same file) before failing:
    /// Microsoft.Data.Sqlite retries SQLITE_BUSY until this elapses; transactions begin IMMEDIATE, so a writer waits
    /// at BEGIN instead of failing on a stale read snapshot.
    /// </summary>
    public const int SqliteBusyTimeoutSeconds = 30;
}

public static class DependencyInjection
{
    public const string SqliteMigrationsAssembly = "ConfigPortal.Migrations.Sqlite";
    public const string SqlServerMigrationsAssembly = "ConfigPortal.Migrations.SqlServer";

    /// <summary>Adds the database, Identity stores, Data Protection, the domain services and the backup worker.</summary>
    public static IHostApplicationBuilder AddInfrastructure(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        var db = new DatabaseOptions();
        config.GetSection("Database").Bind(db);
        if (config["provider"] is { Length: > 0 } p) db.Provider = Enum.Parse<DatabaseProvider>(p, ignoreCase: true);
        if (config.GetConnectionString("Portal") is { Length: > 0 } cs) db.ConnectionString = cs;
        services.AddSingleton(Options.Create(db));
        if (db.Provider == DatabaseProvider.Sqlite && db.ConnectionString is null)
            Directory.CreateDirectory(db.DataDirectory);

        services.AddSingleton(TimeProvider.System);
        services.AddScoped<TenantContext>();
        services.AddScoped<ITenantContext>(sp => sp.GetRequiredService<TenantContext>());
        services.AddScoped<CurrentActor>();
        services.AddScoped<ICurrentActor>(sp => sp.GetRequiredService<CurrentActor>());

        services.AddDbContextFactory<PortalDbContext>(o => ConfigureDb(o, db), ServiceLifetime.Scoped);
        // Identity and Data Protection resolve the context itself from a scope.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        if (db.Provider == DatabaseProvider.Sqlite)
            services.AddSingleton(_ => new SqliteConnectionPool(db.ResolveConnectionString(), db.SqliteSynchronous));
        services.AddScoped<IPortalDbFactory>(sp => new PortalDbFactory(
            sp.GetRequiredService<IDbContextFactory<PortalDbContext>>(), sp.GetService<SqliteConnectionPool>()));
        services.AddSingleton<PlatformQueries>(sp => new PlatformQueries(
            new RootContextFactory(sp, db), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPlatformUsage>(sp => sp.GetRequiredService<PlatformQueries>());

        services.AddIdentityCore<ApplicationUser>(o =>
            {
                o.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
                o.SignIn.RequireConfirmedAccount = false;
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddPasswordValidator<PortalPasswordValidator>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddDataProtection()
            .SetApplicationName("ConfigPortal")
            .PersistKeysToDbContext<PortalDbContext>();
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();

        // Audit: one service, one key outside the database.
        var auditKey = AuditKeyProvider.Load(config["Audit:ChainKey"], config["Audit:KeyFile"] ?? Path.Combine(db.DataDirectory, "audit-chain.key"));
        services.AddSingleton(new AuditHasher(auditKey));
        services.AddSingleton<AuditHealth>();
        services.AddScoped<IAuditService, AuditService>();
        services.AddScoped<AuditQueryService>();
        services.AddScoped<AuditVerifier>();
        services.AddScoped<AuditExportService>();
        services.AddScoped<AuditRetentionService>();
        services.Configure<Audit.AuditRetentionOptions>(config.GetSection("Audit"));
        services.AddScoped<TenantAccess>();

        // Domain services.
        services.AddScoped<DeviceService>();
        services.AddScoped<SnapshotService>();
        services.AddScoped<BackupService>();
        services.AddScoped<BulkBackupService>();
        services.AddScoped<RunQueryService>();
        services.AddScoped<BackupPipeline>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<ConfigPortal.Domain.Credentials.CredentialProfileService>();
        services.AddScoped<DeviceImportService>();
        services.AddScoped<ConfigPortal.Domain.Snapshots.Browsing.ChangesFeedService>();
        services.AddScoped<ConfigPortal.Domain.Snapshots.Browsing.ConfigSearchService>();
        services.Configure<ConfigPortal.Domain.Snapshots.Browsing.ConfigSearchOptions>(config.GetSection("ConfigSearch"));
        services.AddScoped<ConfigPortal.Domain.Preferences.UserPreferenceService>();
        services.AddScoped<ConfigPortal.Domain.Scheduling.ScheduleService>();

        // Administration: users and roles of a tenant, tenant settings, tenants of the platform.
        services.AddScoped<IUserDirectory, UserDirectory>();
        services.AddScoped<TenantUserService>();
        services.AddScoped<TenantSettingsService>();
        services.AddScoped<PlatformTenantService>();

        // Backups: queue, worker, drivers.
        services.Configure<BackupOptions>(config.GetSection("Backups"));
        services.Configure<SimulatorOptions>(config.GetSection("Simulator"));
        services.AddSingleton<BackupNotifier>();
        services.AddSingleton<Domain.Snapshots.SnapshotTextCache>();
        services.AddSingleton<BackupCommitBatcher>();
        services.AddSingleton<DeviceSessionSlots>();
        services.AddSingleton<BackupQueue>();
        var runWorker = config.GetValue("Backups:RunWorker", true);
        if (runWorker)
            services.AddSingleton<IBackupQueue>(sp => sp.GetRequiredService<BackupQueue>());
        else
            services.AddSingleton<IBackupQueue, DatabaseOnlyBackupQueue>();
        services.AddSingleton<IDeviceCollector, SimulatedDeviceCollector>();
        // A key exchange the SSH library does not implement stops the start with the list of those it does (ADR-019).
        services.AddOptions<SshCollectorOptions>().Bind(config.GetSection("Ssh")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SshCollectorOptions>, SshCollectorOptionsValidation>();
        services.AddSingleton<IDeviceCollector, SshDeviceCollector>();
        if (runWorker)
        {
            // Before the worker: the collectors' one-time costs are paid at start, not by the first backups (ADR-017).
            services.AddSingleton<Collectors.CollectorWarmup>();
            services.AddHostedService(sp => sp.GetRequiredService<Collectors.CollectorWarmup>());
            services.AddHostedService<BackupWorker>();
            // Audit retention runs where the backups run (worker and all-in-one roles).
            services.AddHostedService<Audit.AuditRetentionWorker>();
        }
        builder.AddScheduling(db, runWorker);
        services.AddSingleton<Telemetry.BackupGauges>();

        // Notifications: channels, the outbox dispatcher (worker and all-in-one roles), e-mail and webhook transport.
        services.Configure<Notifications.NotificationOptions>(config.GetSection("Notifications"));
        services.AddScoped<Domain.Notifications.NotificationChannelService>();
        services.Configure<Domain.Notifications.WebhookTargetOptions>(config.GetSection("Notifications"));
        services.AddSingleton<Domain.Notifications.WebhookTargetPolicy>();
        services.AddHttpClient(Notifications.NotificationTransport.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(2))
            .ConfigurePrimaryHttpMessageHandler(sp => Notifications.NotificationTransport.CreateHandler(sp.GetRequiredService<Domain.Notifications.WebhookTargetPolicy>()));
        services.AddSingleton<Domain.Notifications.INotificationTransport, Notifications.NotificationTransport>();
        services.AddSingleton<Notifications.NotificationDispatcher>();
        services.AddSingleton<Domain.Notifications.INotificationDispatcher>(sp => sp.GetRequiredService<Notifications.NotificationDispatcher>());
        if (config.GetValue<bool?>("Notifications:RunDispatcher") ?? runWorker)
            services.AddHostedService(sp => sp.GetRequiredService<Notifications.NotificationDispatcher>());

        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<DatabaseInitializer>();
        return builder;
    }

    internal static void ConfigureDb(DbContextOptionsBuilder o, DatabaseOptions db)
    {
        var cs = db.ResolveConnectionString();
        switch (db.Provider)
        {
            case DatabaseProvider.SqlServer:
                o.UseSqlServer(cs, s =>
                {
                    s.MigrationsAssembly(SqlServerMigrationsAssembly);
                    s.EnableRetryOnFailure(5, TimeSpan.FromSeconds(10), null);
                });
                break;
            default:
                o.UseSqlite(cs, s => s.MigrationsAssembly(SqliteMigrationsAssembly));
                o.AddInterceptors(SqlitePragmaInterceptor.For(db.SqliteSynchronous), SqliteStatementCache.Instance);
                break;
        }
    }

    /// <summary>Contexts outside any tenant scope, for <see cref="PlatformQueries"/> only.</summary>
    private sealed class RootContextFactory(IServiceProvider root, DatabaseOptions db) : IDbContextFactory<PortalDbContext>
    {
        private DbContextOptions<PortalDbContext>? _options;

        public PortalDbContext CreateDbContext()
        {
            _options ??= BuildOptions();
            return new PortalDbContext(_options, new TenantContext());
        }

        private DbContextOptions<PortalDbContext> BuildOptions()
        {
            var b = new DbContextOptionsBuilder<PortalDbContext>();
            ConfigureDb(b, db);
            b.UseApplicationServiceProvider(root);
            return b.Options;
        }
    }
}
