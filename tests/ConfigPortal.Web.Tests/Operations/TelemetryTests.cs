using System.Net;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Operations;

public sealed class TelemetryTests : IClassFixture<PrometheusPortalFactory>
{
    private readonly PrometheusPortalFactory _portal;

    public TelemetryTests(PrometheusPortalFactory portal) => _portal = portal;

    [Fact]
    public async Task The_scrape_endpoint_shows_backups_by_outcome_duration_queue_depth_and_sessions_after_a_backup()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = await _portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var api = _portal.ClientWith(token.Secret);
        var deviceId = await _portal.DeviceIdAsync("Acme Networks", "acme-core-sw1");
        var (run, _) = await PortalFactory.BackupAndWaitAsync(api, deviceId);
        Assert.Equal(BackupRunStatus.Succeeded, run.Status);

        // The run's row says "succeeded" a moment before the pipeline counts it (after its commit), and the exporter
        // caches a scrape briefly: scrape until every series is there (or the deadline passes), then check them all.
        string[] expected = ["configportal_backups_completed", "outcome=\"", "configportal_backups_duration_seconds",
            "configportal_backups_queue_depth", "configportal_devices_active_sessions", "configportal_devices_logins_in_progress"];
        using var anonymous = _portal.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        while (true)
        {
            using var response = await anonymous.GetAsync("/metrics", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync(ct);
            if (expected.All(e => text.Contains(e, StringComparison.Ordinal)) || DateTime.UtcNow > deadline) break;
            await Task.Delay(200, ct);
        }

        foreach (var e in expected)
            Assert.Contains(e, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_setting_there_is_no_scrape_endpoint()
    {
        await using var plain = new PortalFactory();
        using var client = plain.CreateClient();
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
