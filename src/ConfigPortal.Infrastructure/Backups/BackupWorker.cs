using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Backups;

/// <summary>
/// Executes queued runs, at most <see cref="BackupOptions.MaxConcurrentSessions"/> at a time, each in its own DI scope
/// bound to the run's tenant. On start it re-queues runs left queued and fails runs left running (interrupted).
/// </summary>
public sealed class BackupWorker(
    BackupQueue queue,
    IServiceScopeFactory scopes,
    PlatformQueries platform,
    IOptions<BackupOptions> options,
    ILogger<BackupWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        var poll = PollAsync(stoppingToken);
        using var slots = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentSessions));
        var running = new HashSet<Task>();
        try
        {
            await foreach (var (runId, tenantId) in queue.Reader.ReadAllAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                var task = Task.Run(async () =>
                {
                    try { await RunOneAsync(runId, tenantId, stoppingToken); }
                    finally { slots.Release(); }
                }, CancellationToken.None);
                lock (running) running.Add(task);
                _ = task.ContinueWith(t => { lock (running) running.Remove(t); }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Task[] pending;
        lock (running) pending = running.ToArray();
        await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await poll.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Picks up runs queued by other instances (a web-only instance queues rows, not messages). A run queued twice
    /// executes once: the pipeline claims it atomically.
    /// </summary>
    private async Task PollAsync(CancellationToken ct)
    {
        var interval = options.Value.PollInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    var pending = await platform.PendingRunsAsync(ct);
                    queue.Retain(pending.Select(p => p.RunId).ToHashSet());
                    foreach (var (runId, tenantId, status, _) in pending)
                    {
                        if (status == BackupRunStatus.Queued)
                            await queue.EnqueueIfNewAsync(runId, tenantId, ct);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Polling for queued backup runs failed: {ErrorType}", ex.GetType().FullName);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RunOneAsync(long runId, int tenantId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            await scope.ServiceProvider.GetRequiredService<BackupPipeline>().ExecuteAsync(runId, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError("Backup run {RunId} crashed: {ErrorType} {StackTrace}", runId, ex.GetType().FullName, ex.StackTrace);
        }
    }

    private async Task RecoverAsync(CancellationToken ct)
    {
        try
        {
            foreach (var (runId, tenantId, status, _) in await platform.PendingRunsAsync(ct))
            {
                if (status == BackupRunStatus.Queued)
                {
                    await queue.EnqueueAsync(runId, tenantId, ct);
                }
                else
                {
                    await using var scope = scopes.CreateAsyncScope();
                    scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
                    scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
                    await scope.ServiceProvider.GetRequiredService<BackupPipeline>().MarkInterruptedAsync(runId);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Recovering pending backup runs failed: {ErrorType}", ex.GetType().FullName);
        }
    }
}
