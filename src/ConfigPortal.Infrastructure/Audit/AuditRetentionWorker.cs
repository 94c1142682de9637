using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Audit;

public sealed class AuditRetentionOptions
{
    /// <summary>How often the retention job runs (daily by default).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Delay after start before the first run, so a restart does not compete with start-up work.</summary>
    public TimeSpan RetentionStartDelay { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The daily audit retention job (worker and all-in-one roles): for every tenant with "keep audit entries N days" set, it
/// calls <see cref="AuditRetentionService.ApplyAsync"/> as the system actor in that tenant's scope. A failure in one tenant
/// is logged and the others go on; a ledger database (no deletes) is reported once per run.
/// </summary>
public sealed class AuditRetentionWorker(IServiceScopeFactory scopes, IOptions<AuditRetentionOptions> options, ILogger<AuditRetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.RetentionStartDelay, stoppingToken);
            using var timer = new PeriodicTimer(options.Value.RetentionInterval);
            do
            {
                await RunOnceAsync(scopes, logger, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over the tenants with retention set; returns the results by tenant.</summary>
    public static async Task<IReadOnlyDictionary<int, AuditRetentionResult>> RunOnceAsync(IServiceScopeFactory scopes, ILogger logger, CancellationToken ct = default)
    {
        IReadOnlyList<int> tenants;
        await using (var scope = scopes.CreateAsyncScope())
            tenants = await scope.ServiceProvider.GetRequiredService<AuditRetentionService>().TenantsWithRetentionAsync(ct);
        var results = new Dictionary<int, AuditRetentionResult>();
        foreach (var tenantId in tenants)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
                scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
                results[tenantId] = await scope.ServiceProvider.GetRequiredService<AuditRetentionService>().ApplyAsync(ct);
            }
            catch (AuditRetentionUnavailableException ex)
            {
                logger.LogWarning("Audit retention skipped: {Reason}", ex.Message);
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError("Audit retention failed for tenant {TenantId}: {ErrorType}", tenantId, ex.GetType().FullName);
            }
        }
        return results;
    }
}
