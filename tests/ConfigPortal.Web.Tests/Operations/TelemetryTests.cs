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

        using var anonymous = _portal.CreateClient();
        string text = "";
        for (var i = 0; i < 20 && !text.Contains("configportal_backups_completed", StringComparison.Ordinal); i++)
        {
            if (i > 0) await Task.Delay(200, ct); // the exporter caches a scrape briefly
            using var response = await anonymous.GetAsync("/metrics", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync(ct);
        }

        Assert.Contains("configportal_backups_completed", text, StringComparison.Ordinal);
        Assert.Contains("outcome=\"", text, StringComparison.Ordinal);
        Assert.Contains("configportal_backups_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("configportal_backups_queue_depth", text, StringComparison.Ordinal);
        Assert.Contains("configportal_devices_active_sessions", text, StringComparison.Ordinal);
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
