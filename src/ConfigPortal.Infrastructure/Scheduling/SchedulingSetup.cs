using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace ConfigPortal.Infrastructure.Scheduling;

/// <summary>
/// Quartz.NET with its ADO job store, clustered, on the portal's own database (tables QRTZ_*, created by the
/// <c>Schedules</c> EF migration). It holds one durable job, the planner, fired every
/// <see cref="SchedulingOptions.PlannerInterval"/>; <see cref="DisallowConcurrentExecutionAttribute"/> plus the
/// clustered store make one instance of the cluster run each firing (ADR-011).
/// </summary>
public static class SchedulingSetup
{
    public const string SchedulerName = "ConfigPortal";
    public static readonly JobKey PlannerJob = new("schedule-planner", "configportal");
    public static readonly TriggerKey PlannerTrigger = new("schedule-planner-every-interval", "configportal");

    public static void AddScheduling(this IHostApplicationBuilder builder, DatabaseOptions db, bool runWorker)
    {
        var services = builder.Services;
        services.Configure<SchedulingOptions>(builder.Configuration.GetSection("Scheduling"));
        services.AddSingleton<SchedulerHealth>();
        services.TryAddSingleton(new SchedulingClock(TimeProvider.System));
        services.AddSingleton<SchedulePlanner>();
        var instance = new PortalInstance();
        services.AddSingleton(instance);
        var options = new SchedulingOptions();
        builder.Configuration.GetSection("Scheduling").Bind(options);
        if (!runWorker || !options.Enabled) return;

        services.AddSingleton(new SchedulerMarker());
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                o.InstanceId = instance.Id;
            });
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 2);
            // Quartz keeps its own clock: a test's fake TimeProvider drives the planner's slots, not Quartz's firing.
            q.UseTimeProvider(TimeProvider.System);
            q.UsePersistentStore(s =>
            {
                // Job data as strings (there is none), and the schema is the migration's: Quartz only validates it.
                s.ConfigureStore(o =>
                {
                    o.StoreJobDataAsStrings = true;
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                });
                // Quartz refuses clustering on SQLite ("cannot be used as clustered mode due to locking problems"):
                // there every instance runs the same persistent store unclustered; trigger acquisition still goes
                // through Quartz's SQLite lock, and the planner's unique index keeps slots exactly-once (ADR-011).
                if (db.Provider == DatabaseProvider.SqlServer)
                {
                    s.UseClustering(c =>
                    {
                        c.CheckinInterval = options.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = options.ClusterCheckinInterval * 2;
                    });
                }
                var cs = db.ResolveConnectionString();
                if (db.Provider == DatabaseProvider.SqlServer)
                    s.UseSqlServer(cs);
                else
                    s.UseSqlite(cs); // Microsoft.Data.Sqlite ("SQLite-Microsoft")
                s.UseSystemTextJsonSerializer();
            });
            // Clustered (SQL Server): one firing at a time across the cluster, a dead node's firing recovered by check-in.
            // Unclustered (SQLite): no "blocked" trigger state a dead instance could leave behind for good.
            if (db.Provider == DatabaseProvider.SqlServer)
                q.AddJob<SchedulePlannerJob>(j => j.WithIdentity(PlannerJob).StoreDurably().WithDescription("Plans due backup slots"));
            else
                q.AddJob<SchedulePlannerSqliteJob>(j => j.WithIdentity(PlannerJob).StoreDurably().WithDescription("Plans due backup slots"));
            q.AddTrigger(t => t
                .ForJob(PlannerJob)
                .WithIdentity(PlannerTrigger)
                .StartNow()
                .WithSimpleSchedule(x => x.WithInterval(options.PlannerInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }
}

/// <summary>Registered when this instance runs the scheduler (the readiness check is added only then).</summary>
public sealed class SchedulerMarker;

/// <summary>The planner as a Quartz job: one firing at a time across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class SchedulePlannerJob(SchedulePlanner planner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await planner.PlanAsync(cancellationToken);
}

/// <summary>
/// The planner as a Quartz job on SQLite (unclustered store): concurrent firings on several instances are possible in
/// rare cases (a trigger reset by a restarting instance); each instance plans one pass at a time and the unique index
/// makes a second pass a no-op.
/// </summary>
public sealed class SchedulePlannerSqliteJob(SchedulePlanner planner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await planner.PlanAsync(cancellationToken);
}

/// <summary>
/// The clock the planner reads slots from and run leases are measured on: the system clock. Kept apart from the
/// container's <see cref="TimeProvider"/> because Quartz takes that one for its own firing: a test steps this clock
/// through slots while Quartz keeps firing the planner on real time.
/// </summary>
public sealed class SchedulingClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;
}

/// <summary>This process's identity in leases and in the Quartz cluster (host, process id and a random part).</summary>
public sealed class PortalInstance
{
    public PortalInstance() =>
        Id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public string Id { get; }
}
