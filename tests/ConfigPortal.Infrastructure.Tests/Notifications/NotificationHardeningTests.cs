using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Notifications;
using ConfigPortal.Infrastructure.Notifications;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Notifications;

/// <summary>
/// Webhook target rules (refused on save and at send time), "Send test" as one attempt, the retention of finished
/// deliveries, and SMTP TLS modes (none / STARTTLS / implicit TLS, a pinned self-signed certificate) against the real
/// loopback test servers. Each test starts its own host (real SQLite file) with the settings it checks.
/// </summary>
public sealed class NotificationHardeningTests
{
    private const string Admin = "admin@acme.example";

    private static Task<PortalHost> HostAsync(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Notifications:AllowPrivateTargets", "false"); // the default of a real deployment
        settings.TryAdd("Notifications:AttemptTimeout", "00:00:20");
        return PortalHost.StartAsync(runBaselineBackups: false, settings);
    }

    private static NotificationChannelInput Webhook(string name, string url) => new()
    {
        Name = name, Kind = NotificationChannelKind.Webhook, WebhookUrl = url, WebhookSecret = "test-signing-secret-0123456789",
    };

    private static NotificationChannelInput Mail(string name, int port, SmtpTlsMode tls) => new()
    {
        Name = name, Kind = NotificationChannelKind.Email, SmtpHost = "127.0.0.1", SmtpPort = port, SmtpTls = tls,
        FromAddress = "portal@acme.example", Recipients = "noc@acme.example", OnBackupsFailing = false,
    };

    private static async Task<T> AsAdmin<T>(PortalHost p, Func<NotificationChannelService, Task<T>> call)
    {
        await using var scope = p.ScopeAs(p.AcmeId, Admin);
        return await call(scope.ServiceProvider.GetRequiredService<NotificationChannelService>());
    }

    private static async Task<NotificationDeliveryView> SendTestAsync(PortalHost p, NotificationChannelInput input) =>
        await AsAdmin(p, async s => await s.SendTestAsync((await s.CreateAsync(input)).Id));

    [Fact]
    public async Task Webhooks_to_loopback_link_local_and_private_addresses_are_refused_on_save_with_a_field_error()
    {
        await using var p = await HostAsync(new());
        var refused = new Dictionary<string, string>
        {
            ["http://127.0.0.1:8080/hook"] = "loopback",
            ["http://localhost:8080/hook"] = "loopback", // by name: resolved at save
            ["http://[::1]/hook"] = "loopback",
            ["http://169.254.169.254/latest/meta-data"] = "link-local",
            ["http://10.20.30.40/hook"] = "private",
            ["https://192.168.1.10/hook"] = "private",
            ["http://172.20.0.5/hook"] = "private",
            ["http://[fd00::5]/hook"] = "private",
            ["http://[::ffff:127.0.0.1]/hook"] = "loopback",
            ["http://0.0.0.0:80/"] = "unspecified",
        };
        foreach (var (url, what) in refused)
        {
            var e = await Assert.ThrowsAsync<ValidationException>(() => AsAdmin(p, s => s.CreateAsync(Webhook("Internal", url))));
            Assert.Equal(["WebhookUrl"], e.Errors.Keys);
            Assert.Contains(what, e.Errors["WebhookUrl"][0], StringComparison.Ordinal);
            Assert.Contains("Notifications:AllowedTargets", e.Errors["WebhookUrl"][0], StringComparison.Ordinal);
        }
        // Public addresses, and names that do not resolve now (checked again at send time), are accepted.
        await AsAdmin(p, s => s.CreateAsync(Webhook("Public", "https://203.0.113.9/hook")));
        await AsAdmin(p, s => s.CreateAsync(Webhook("By name", "https://hooks.acme.example/hook")));
        Assert.Equal(2, (await AsAdmin(p, s => s.ListAsync())).Count);
        // An update to an internal address is refused the same way.
        var first = (await AsAdmin(p, s => s.ListAsync())).First();
        var update = await Assert.ThrowsAsync<ValidationException>(() => AsAdmin(p, s => s.UpdateAsync(first.Id, Webhook(first.Name, "http://127.0.0.2/x"))));
        Assert.Equal(["WebhookUrl"], update.Errors.Keys);
    }

    [Fact]
    public async Task The_allow_list_lets_an_internal_receiver_through_and_deny_rules_win()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        await using var p = await HostAsync(new()
        {
            ["Notifications:AllowedTargets:0"] = "127.0.0.1/32",
            ["Notifications:DeniedTargets:0"] = "*.blocked.example",
            ["Notifications:DeniedTargets:1"] = "203.0.113.0/24",
        });
        var result = await SendTestAsync(p, Webhook("Internal receiver", hook.Url));
        Assert.Equal((NotificationDeliveryStatus.Sent, 1), (result.Status, result.Attempts));
        Assert.Single(hook.Requests);

        foreach (var url in new[] { "https://hooks.blocked.example/x", "http://203.0.113.9/x" })
        {
            var e = await Assert.ThrowsAsync<ValidationException>(() => AsAdmin(p, s => s.CreateAsync(Webhook("Denied", url))));
            Assert.Contains("Notifications:DeniedTargets", e.Errors["WebhookUrl"][0], StringComparison.Ordinal);
        }
        // Not on the allow list: another loopback address is still refused.
        await Assert.ThrowsAsync<ValidationException>(() => AsAdmin(p, s => s.CreateAsync(Webhook("Other", "http://127.0.0.2/x"))));
    }

    [Fact]
    public async Task A_target_that_turned_internal_after_saving_is_refused_at_send_time_without_a_request()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        await using var p = await HostAsync(new());
        var saved = await AsAdmin(p, s => s.CreateAsync(Webhook("Was public", "https://hooks.acme.example/x")));
        // The name now points at the portal's own host (DNS changed, or rebinding): the stored URL is the loopback server's.
        var localUrl = hook.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        await p.QueryAsync(p.AcmeId, db => db.NotificationChannels.Where(c => c.Id == saved.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.WebhookUrl, localUrl)));

        var result = await AsAdmin(p, s => s.SendTestAsync(saved.Id));
        Assert.Equal((NotificationDeliveryStatus.Failed, 1), (result.Status, result.Attempts));
        Assert.StartsWith("target refused: ", result.Result, StringComparison.Ordinal);
        Assert.Contains("loopback", result.Result, StringComparison.Ordinal);
        Assert.Empty(hook.Requests);
        var failed = Assert.Single(await p.EntriesAsync(p.AcmeId, Domain.Audit.AuditActions.NotificationFailed));
        Assert.Contains("target refused", failed.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_test_makes_one_attempt_and_says_what_the_target_answered()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        hook.Status = _ => 503;
        await using var p = await HostAsync(new()
        {
            ["Notifications:AllowPrivateTargets"] = "true",
            ["Notifications:MaxAttempts"] = "5",
            ["Notifications:RetryDelay"] = "00:00:02",
        });
        var result = await SendTestAsync(p, Webhook("Down", hook.Url));
        Assert.Equal((NotificationDeliveryStatus.Failed, 1, "HTTP 503", NotificationEvent.Test), (result.Status, result.Attempts, result.Result, result.Event));
        Assert.Single(hook.Requests);
        var failed = Assert.Single(await p.EntriesAsync(p.AcmeId, Domain.Audit.AuditActions.NotificationFailed));
        Assert.Equal(1, failed.Details().GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Finished_deliveries_older_than_the_retention_are_deleted_in_every_tenant_and_nothing_else()
    {
        await using var p = await HostAsync(new() { ["Notifications:DeliveryRetention"] = "30.00:00:00" });
        var now = DateTime.UtcNow;
        async Task<int> ChannelIn(int tenant) => await p.QueryAsync(tenant, async db =>
        {
            var c = new NotificationChannel { TenantId = tenant, Name = "old", Kind = NotificationChannelKind.Webhook, WebhookUrl = "https://hooks.acme.example/x", CreatedAtUtc = now, UpdatedAtUtc = now };
            db.NotificationChannels.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });
        var rows = new List<(int Tenant, NotificationDeliveryStatus Status, DateTime? Completed, bool Kept)>
        {
            (p.AcmeId, NotificationDeliveryStatus.Sent, now.AddDays(-31), false),
            (p.AcmeId, NotificationDeliveryStatus.Failed, now.AddDays(-45), false),
            (p.GlobexId, NotificationDeliveryStatus.Sent, now.AddDays(-90), false),
            (p.AcmeId, NotificationDeliveryStatus.Sent, now.AddDays(-29), true),
            (p.AcmeId, NotificationDeliveryStatus.Pending, null, true),
            (p.AcmeId, NotificationDeliveryStatus.Sending, null, true),
        };
        var channels = new Dictionary<int, int> { [p.AcmeId] = await ChannelIn(p.AcmeId), [p.GlobexId] = await ChannelIn(p.GlobexId) };
        var ids = new List<long>();
        foreach (var r in rows)
        {
            ids.Add(await p.QueryAsync(r.Tenant, async db =>
            {
                var d = new NotificationDelivery
                {
                    TenantId = r.Tenant, ChannelId = channels[r.Tenant], Event = NotificationEvent.Test, Payload = "{}", Status = r.Status,
                    CreatedAtUtc = now.AddDays(-100), NextAttemptAtUtc = now.AddDays(-100), CompletedAtUtc = r.Completed,
                };
                db.NotificationDeliveries.Add(d);
                await db.SaveChangesAsync();
                return d.Id;
            }));
        }

        Assert.Equal(3, await p.Services.GetRequiredService<NotificationDispatcher>().CleanupAsync());
        Assert.Equal(0, await p.Services.GetRequiredService<NotificationDispatcher>().CleanupAsync());
        var left = (await p.QueryAsync(p.AcmeId, db => db.NotificationDeliveries.Select(d => d.Id).ToListAsync()))
            .Concat(await p.QueryAsync(p.GlobexId, db => db.NotificationDeliveries.Select(d => d.Id).ToListAsync())).Order();
        Assert.Equal(ids.Where((_, i) => rows[i].Kept).Order(), left);
    }

    [Fact]
    public async Task Smtp_starttls_and_implicit_tls_deliver_over_tls_to_a_pinned_self_signed_relay()
    {
        await using var starttls = new SmtpTestServer(SmtpTestTls.StartTls);
        await using var implicitTls = new SmtpTestServer(SmtpTestTls.Implicit);
        await using var p = await HostAsync(new()
        {
            ["Notifications:SmtpTrustedCertificates:0"] = starttls.CertificateSha256,
            // Colons and lower case are accepted, as fingerprints are often written.
            ["Notifications:SmtpTrustedCertificates:1"] = string.Join(':', implicitTls.CertificateSha256!.Chunk(2).Select(c => new string(c))).ToLowerInvariant(),
        });

        var required = await SendTestAsync(p, Mail("Relay 587", starttls.Port, SmtpTlsMode.StartTls));
        Assert.Equal(NotificationDeliveryStatus.Sent, required.Status);
        var auto = await SendTestAsync(p, Mail("Relay auto", starttls.Port, SmtpTlsMode.Auto));
        Assert.Equal(NotificationDeliveryStatus.Sent, auto.Status);
        var onConnect = await SendTestAsync(p, Mail("Relay 465", implicitTls.Port, SmtpTlsMode.SslOnConnect));
        Assert.Equal(NotificationDeliveryStatus.Sent, onConnect.Status);
        Assert.Equal(2, starttls.Messages.Count);
        Assert.All(starttls.Messages, m => Assert.True(m.OverTls));
        Assert.True(Assert.Single(implicitTls.Messages).OverTls);

        // "None" stays plain even where the server offers STARTTLS.
        var plain = await SendTestAsync(p, Mail("Relay plain", starttls.Port, SmtpTlsMode.None));
        Assert.Equal(NotificationDeliveryStatus.Sent, plain.Status);
        Assert.False(starttls.Messages.Last().OverTls);
    }

    [Fact]
    public async Task Smtp_tls_failures_are_classified_and_nothing_is_sent_in_plain_text()
    {
        await using var plainServer = new SmtpTestServer();
        await using var untrusted = new SmtpTestServer(SmtpTestTls.StartTls);
        await using var p = await HostAsync(new());

        // STARTTLS required, the server does not offer it: refused before any mail command, not retried.
        var noStartTls = await SendTestAsync(p, Mail("Needs TLS", plainServer.Port, SmtpTlsMode.StartTls));
        Assert.Equal((NotificationDeliveryStatus.Failed, 1, "STARTTLS required but the SMTP server does not offer it"), (noStartTls.Status, noStartTls.Attempts, noStartTls.Result));
        Assert.Empty(plainServer.Messages);

        // A self-signed certificate that nobody pinned.
        var notTrusted = await SendTestAsync(p, Mail("Untrusted", untrusted.Port, SmtpTlsMode.StartTls));
        Assert.Equal(NotificationDeliveryStatus.Failed, notTrusted.Status);
        Assert.StartsWith("TLS handshake failed: the server's certificate is not trusted", notTrusted.Result, StringComparison.Ordinal);
        Assert.Empty(untrusted.Messages);
    }
}
