using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.SqlServer.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Production;

/// <summary>
/// SQL Server runs with EnableRetryOnFailure, a retrying execution strategy. No SQL Server runs on this machine kind,
/// so these tests give SQLite a retrying strategy of the same EF Core base class (it refuses user-initiated
/// transactions exactly as SQL Server's does) plus an interceptor that fails commits with a "transient" fault, and
/// drive the domain services through it: every write must run, retry and commit exactly once.
/// </summary>
public sealed partial class RetryingTransactionTests
{
    [Fact]
    public void The_SQL_Server_configuration_retries_on_transient_faults()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        DependencyInjection.ConfigureDb(options, new DatabaseOptions
        {
            Provider = DatabaseProvider.SqlServer,
            ConnectionString = "Server=tcp:sql.invalid,1433;Database=ConfigPortal;User Id=portal;Password=not-a-real-one;TrustServerCertificate=true",
        });
        using var db = new PortalDbContext(options.Options, new TenantContext());

        var strategy = db.Database.CreateExecutionStrategy();

        Assert.True(strategy.RetriesOnFailure);
#pragma warning disable EF1001 // the concrete type names what EnableRetryOnFailure installs
        Assert.IsType<SqlServerRetryingExecutionStrategy>(strategy);
#pragma warning restore EF1001
    }

    [Fact]
    public async Task A_retrying_strategy_refuses_a_transaction_begun_outside_it()
    {
        // The failure every service had on SQL Server before the helper: proves the test strategy reproduces it.
        var faults = new TransientCommitFaults();
        await using var portal = await StartAsync(faults);
        await using var scope = portal.SystemScope(portal.AcmeId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Tenants.Add(new Tenant { Name = "Initech", Slug = "initech", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        });
        Assert.Contains("does not support user-initiated transactions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_create_and_update_retry_after_a_transient_commit_fault_and_write_once()
    {
        var faults = new TransientCommitFaults();
        await using var portal = await StartAsync(faults);

        faults.Armed = true;
        var id = await portal.CreateDeviceAsync(portal.AcmeId, "retry-edge-01", SimulatorBehavior.Static);
        Assert.Equal(1, faults.Injected);

        DeviceInput input;
        await using (var scope = portal.ScopeAs(portal.AcmeId, "admin@acme.example"))
        {
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            input = await devices.GetForEditAsync(id);
            input.Address = "198.51.100.77";
            await devices.UpdateAsync(id, input);
        }
        faults.Armed = false;
        Assert.Equal(2, faults.Injected);

        var rows = await portal.QueryAsync(portal.AcmeId, db => db.Devices.AsNoTracking().Where(d => d.Name == "retry-edge-01").ToListAsync());
        var device = Assert.Single(rows);
        Assert.Equal("198.51.100.77", device.Address);
        Assert.Single(await portal.EntriesAsync(portal.AcmeId, AuditActions.DeviceCreated, id));
        Assert.Single(await portal.EntriesAsync(portal.AcmeId, AuditActions.DeviceUpdated, id));
        await AssertChainIntactAsync(portal, portal.AcmeId);
    }

    [Fact]
    public async Task A_backup_retries_its_trigger_and_its_store_and_records_one_snapshot()
    {
        var faults = new TransientCommitFaults();
        await using var portal = await StartAsync(faults);
        var id = await portal.CreateDeviceAsync(portal.AcmeId, "retry-core-01", SimulatorBehavior.Static);

        faults.Armed = true;
        var run = await portal.BackupAsync(portal.AcmeId, id);
        faults.Armed = false;

        Assert.Equal(2, faults.Injected); // the trigger's transaction and the store's transaction each failed once
        Assert.Equal(BackupRunStatus.Succeeded, run.Status);
        var device = await portal.QueryAsync(portal.AcmeId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == id));
        Assert.Equal(1, device.SnapshotCount);
        Assert.Equal(1, device.RunCount);
        Assert.Equal(1, await portal.QueryAsync(portal.AcmeId, db => db.Snapshots.CountAsync(s => s.DeviceId == id)));
        Assert.Equal(1, await portal.QueryAsync(portal.AcmeId, db => db.BackupRuns.CountAsync(r => r.DeviceId == id)));
        Assert.Single(await portal.EntriesAsync(portal.AcmeId, AuditActions.ConfigBackupManualTrigger, id));
        Assert.Single(await portal.EntriesAsync(portal.AcmeId, AuditActions.ConfigSnapshotCreated, id));
        await AssertChainIntactAsync(portal, portal.AcmeId);
    }

    [GeneratedRegex(@"\.BeginTransaction(Async)?\s*\(")]
    private static partial Regex BeginTransaction();

    [Fact]
    public void Every_transaction_in_src_is_opened_by_the_retry_aware_helper()
    {
        const string helper = "src/ConfigPortal.Domain/Data/PortalDbTransactions.cs";
        var root = RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "Migrations"))
            .ToList();
        Assert.True(files.Count > 50, "the source walk found too few files to be meaningful");

        var openers = files
            .Where(f => BeginTransaction().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();

        Assert.Equal([helper], openers);
        var helperText = File.ReadAllText(Path.Combine(root, helper));
        Assert.Contains("CreateExecutionStrategy()", helperText, StringComparison.Ordinal);
        Assert.Contains("ChangeTracker.Clear()", helperText, StringComparison.Ordinal);
    }

    private static async Task AssertChainIntactAsync(PortalHost portal, int tenantId)
    {
        await using var scope = portal.SystemScope(tenantId);
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyTenantAsync(tenantId);
        Assert.True(result.Intact, result.Problem);
    }

    private static Task<PortalHost> StartAsync(TransientCommitFaults faults) =>
        PortalHost.StartAsync(runBaselineBackups: false, configure: b => b.Services.ConfigureDbContext<PortalDbContext>(o =>
        {
            o.UseSqlite(s => s.ExecutionStrategy(d => new TestRetryingStrategy(d)));
            o.AddInterceptors(faults);
        }));

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConfigPortal.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("ConfigPortal.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class TransientTestException() : Exception("A transient fault injected by the test.");

    /// <summary>Retries like SqlServerRetryingExecutionStrategy, on the test's fault only, without waiting.</summary>
    private sealed class TestRetryingStrategy(ExecutionStrategyDependencies dependencies)
        : ExecutionStrategy(dependencies, maxRetryCount: 3, maxRetryDelay: TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => exception is TransientTestException;
    }

    /// <summary>While armed, the first commit of each context fails once (before anything is committed).</summary>
    private sealed class TransientCommitFaults : DbTransactionInterceptor
    {
        private readonly ConditionalWeakTable<DbContext, object> _failed = [];
        private int _injected;

        public volatile bool Armed;
        public int Injected => Volatile.Read(ref _injected);

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Armed && eventData.Context is { } context && _failed.TryAdd(context, new object()))
            {
                Interlocked.Increment(ref _injected);
                throw new TransientTestException();
            }
            return ValueTask.FromResult(result);
        }
    }
}
