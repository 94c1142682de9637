using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;

namespace ConfigPortal.Infrastructure.Tests.Backups;

/// <summary>The trace of a backup run: one backup.run span and its steps as children (what an OTLP backend shows).</summary>
public sealed class BackupTracingTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    [Fact]
    public async Task A_changed_config_is_one_run_span_with_claim_collect_normalize_and_store_and_store_holds_diff_and_commit()
    {
        var deviceId = await Portal.CreateDeviceAsync(Portal.AcmeId, "traced-sw", SimulatorBehavior.Drifting);
        await Portal.BackupAsync(Portal.AcmeId, deviceId); // the first snapshot: no diff yet

        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BackupPipeline.Activity.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var run = await Portal.BackupAsync(Portal.AcmeId, deviceId);
        Assert.Equal(RunOutcome.Created, run.Outcome);

        // Other tests of the process may run backups meanwhile: take this run's span and its descendants.
        var root = Assert.Single(stopped, a => a.OperationName == "backup.run"
            && (string?)a.GetTagItem("run.id")?.ToString() == run.Id.ToString(CultureInfo.InvariantCulture));
        var children = stopped.Where(a => a.ParentSpanId == root.SpanId).Select(a => a.OperationName).Order().ToList();
        Assert.Equal(["backup.claim", "backup.collect", "backup.normalize", "backup.store", "backup.wait_session"], children);
        var store = stopped.Single(a => a.ParentSpanId == root.SpanId && a.OperationName == "backup.store");
        var storeChildren = stopped.Where(a => a.ParentSpanId == store.SpanId).Select(a => a.OperationName).Order().ToList();
        Assert.Equal(["backup.commit", "backup.diff"], storeChildren);
        // A run committing alone leads its own batch: the shared transaction's span sits under its commit.
        var commit = stopped.Single(a => a.ParentSpanId == store.SpanId && a.OperationName == "backup.commit");
        var batch = Assert.Single(stopped, a => a.ParentSpanId == commit.SpanId && a.OperationName == "backup.commit_batch");
        Assert.Equal(1, batch.GetTagItem("batch.runs"));
        Assert.All(stopped.Where(a => a.TraceId == root.TraceId), a => Assert.True(a.Duration <= root.Duration));
    }
}
