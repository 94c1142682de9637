using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Notifications;
using ConfigPortal.Infrastructure.Notifications;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Notifications;

/// <summary>
/// Notifications end to end against real servers on loopback: an SMTP server (in-process, speaking SMTP over TCP) and
/// a Kestrel webhook endpoint. Backups run through the real pipeline (with a scripted collector); the outbox rows it
/// writes are delivered by the real dispatcher, with short retry delays.
/// </summary>
public sealed class NotificationDeliveryTests : IAsyncLifetime
{
    private const string Admin = "admin@acme.example";
    private const string PlantedEnable = "PLANTED-enable-Secret-7f3a";
    private const string PlantedCommunity = "PLANTEDcommunity91";
    private const string PlantedUserSecret = "PLANTED-user-pw-55c1";

    private readonly ScriptedCollector _collector = new();
    private PortalHost _portal = null!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalHost.StartAsync(runBaselineBackups: false, settings: new Dictionary<string, string?>
        {
            ["Notifications:MaxAttempts"] = "3",
            ["Notifications:RetryDelay"] = "00:00:00.020",
            ["Notifications:MaxRetryDelay"] = "00:00:00.100",
            ["Notifications:AttemptTimeout"] = "00:00:20",
            ["Notifications:PortalBaseUrl"] = "https://portal.test/",
        }, configure: b => b.Services.Insert(0, ServiceDescriptor.Singleton<IDeviceCollector>(_collector)));
    }

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    private NotificationDispatcher Dispatcher => _portal.Services.GetRequiredService<NotificationDispatcher>();

    private static string Config(int version) => $"""
        hostname edge-{version}
        !
        enable secret 9 {PlantedEnable}{version}
        username netops privilege 15 secret 9 {PlantedUserSecret}{version}
        snmp-server community {PlantedCommunity}{version} RO
        !
        interface GigabitEthernet0/1
         description uplink-to-core-{version}
        !
        end
        """;

    private async Task<int> DeviceAsync(string name, string? group = null)
    {
        await using var scope = _portal.SystemScope(_portal.AcmeId);
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = name, Address = "192.0.2.10", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator,
            SimulatorBehavior = SimulatorBehavior.Static, Group = group,
        });
    }

    private async Task<NotificationChannelSaved> ChannelAsync(NotificationChannelInput input, string email = Admin, int? tenantId = null)
    {
        await using var scope = _portal.ScopeAs(tenantId ?? _portal.AcmeId, email);
        return await scope.ServiceProvider.GetRequiredService<NotificationChannelService>().CreateAsync(input);
    }

    private static NotificationChannelInput Webhook(string name, string url, string? secret = "test-signing-secret-0123456789") => new()
    {
        Name = name, Kind = NotificationChannelKind.Webhook, WebhookUrl = url, WebhookSecret = secret,
    };

    /// <summary>Two backups of a device whose config changes between them (planted secrets in both versions).</summary>
    private async Task ChangeAsync(int deviceId, int fromVersion = 1)
    {
        _collector.Texts[deviceId] = Config(fromVersion);
        Assert.Equal(RunOutcome.Created, (await _portal.BackupAsync(_portal.AcmeId, deviceId)).Outcome);
        _collector.Texts[deviceId] = Config(fromVersion + 1);
        Assert.Equal(RunOutcome.Created, (await _portal.BackupAsync(_portal.AcmeId, deviceId)).Outcome);
    }

    private Task DispatchUntilAsync(Func<bool> done) => DispatchUntilAsync(() => Task.FromResult(done()));

    private async Task DispatchUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met within 60 s");
            if (await Dispatcher.DispatchDueAsync() == 0) await Task.Delay(50);
        }
    }

    private Task<List<NotificationDelivery>> DeliveriesAsync() =>
        _portal.QueryAsync(_portal.AcmeId, db => db.NotificationDeliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync());

    private static void AssertNoPlantedSecret(string text)
    {
        Assert.DoesNotContain("PLANTED", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<removed>", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_config_is_mailed_through_a_real_smtp_server_with_the_masked_diff_only()
    {
        await using var smtp = new SmtpTestServer();
        await ChannelAsync(new NotificationChannelInput
        {
            Name = "NOC mail", Kind = NotificationChannelKind.Email, SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, SmtpTls = SmtpTlsMode.None,
            SmtpUsername = "mailer", SmtpPassword = "smtp-password-of-the-relay", FromAddress = "portal@acme.example",
            Recipients = "noc@acme.example\nops@acme.example", OnBackupsFailing = false,
        });
        var device = await DeviceAsync("edge-mail-1");
        await ChangeAsync(device);

        var delivery = Assert.Single(await DeliveriesAsync());
        Assert.Equal((NotificationEvent.ConfigChanged, NotificationDeliveryStatus.Pending), (delivery.Event, delivery.Status));
        Assert.DoesNotContain("PLANTED", delivery.Payload, StringComparison.Ordinal);

        await DispatchUntilAsync(() => !smtp.Messages.IsEmpty);
        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("portal@acme.example", mail.From);
        Assert.Equal(["noc@acme.example", "ops@acme.example"], mail.To.Order());
        Assert.Equal(("mailer", "smtp-password-of-the-relay"), (mail.AuthUser, mail.AuthPassword));
        Assert.Contains("edge-mail-1: configuration changed", mail.Subject, StringComparison.Ordinal);
        var body = mail.Body;
        Assert.Contains("+ description uplink-to-core-2", body, StringComparison.Ordinal);
        Assert.Contains("- description uplink-to-core-1", body, StringComparison.Ordinal);
        Assert.Contains("https://portal.test/devices/" + device + "/diff?from=", body, StringComparison.Ordinal);
        AssertNoPlantedSecret(mail.Data);

        var sent = Assert.Single(await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationSent));
        var details = sent.Details();
        Assert.Equal(("email", "config_changed", 1), (details.GetProperty("kind").GetString(), details.GetProperty("event").GetString(), details.GetProperty("attempts").GetInt32()));
        Assert.StartsWith("250", details.GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Equal(device, sent.DeviceId);
        Assert.DoesNotContain("uplink-to-core", sent.DetailsJson, StringComparison.Ordinal);
        Assert.DoesNotContain("smtp-password", sent.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(NotificationDeliveryStatus.Sent, Assert.Single(await DeliveriesAsync()).Status);
    }

    [Fact]
    public async Task A_webhook_carries_the_event_with_a_verifiable_hmac_and_no_secret()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        const string secret = "test-signing-secret-0123456789";
        var given = await ChannelAsync(Webhook("Change hook", hook.Url, secret));
        var generated = await ChannelAsync(Webhook("Generated-secret hook", hook.Url, secret: null));
        Assert.StartsWith(WebhookSignature.SecretPrefix, generated.GeneratedWebhookSecret, StringComparison.Ordinal);
        var device = await DeviceAsync("edge-hook-1");
        await ChangeAsync(device);

        await DispatchUntilAsync(() => hook.Requests.Count >= 2);
        Assert.Equal(2, hook.Requests.Count);
        var channelOf = (await DeliveriesAsync()).ToDictionary(d => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), d => d.ChannelId);
        foreach (var request in hook.Requests)
        {
            var key = channelOf[request.Headers[WebhookSignature.DeliveryHeader]] == given.Id ? secret : generated.GeneratedWebhookSecret!;
            // The receiver's check, written out independently of the portal's own helper.
            var ts = request.Headers[WebhookSignature.TimestampHeader];
            var signed = Encoding.UTF8.GetBytes(ts + ".").Concat(request.Body).ToArray();
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signed));
            Assert.Equal(expected, request.Headers[WebhookSignature.SignatureHeader]);
            Assert.True(WebhookSignature.Verify(key, ts, request.Headers[WebhookSignature.SignatureHeader], request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
            Assert.False(WebhookSignature.Verify(key, ts, request.Headers[WebhookSignature.SignatureHeader], request.Body, DateTimeOffset.UtcNow.AddMinutes(10), TimeSpan.FromMinutes(5)));
            Assert.False(WebhookSignature.Verify("another-secret-0123456789", ts, request.Headers[WebhookSignature.SignatureHeader], request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
            Assert.Equal("config_changed", request.Headers[WebhookSignature.EventHeader]);
            Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);

            var json = JsonDocument.Parse(request.Body).RootElement;
            Assert.Equal("config_changed", json.GetProperty("event").GetString());
            Assert.Equal("Acme Networks", json.GetProperty("tenant").GetProperty("name").GetString());
            Assert.Equal(("edge-hook-1", "cisco_ios", device), (json.GetProperty("device").GetProperty("name").GetString(),
                json.GetProperty("device").GetProperty("vendor").GetString(), json.GetProperty("device").GetProperty("id").GetInt32()));
            var oldId = json.GetProperty("oldSnapshotId").GetInt64();
            var newId = json.GetProperty("newSnapshotId").GetInt64();
            Assert.True(newId > oldId);
            Assert.True(json.GetProperty("added").GetInt32() > 0 && json.GetProperty("removed").GetInt32() > 0);
            Assert.False(json.GetProperty("diffTruncated").GetBoolean());
            Assert.Contains("+ description uplink-to-core-2", json.GetProperty("diff").GetString(), StringComparison.Ordinal);
            Assert.Equal($"https://portal.test/devices/{device}/diff?from={oldId}&to={newId}", json.GetProperty("link").GetString());
            Assert.Equal(request.Headers[WebhookSignature.DeliveryHeader], json.GetProperty("deliveryId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
            var correlation = json.GetProperty("correlationId").GetString();
            Assert.Equal(correlation, await _portal.QueryAsync(_portal.AcmeId, db => db.BackupRuns.Where(r => r.SnapshotId == newId).Select(r => r.CorrelationId).SingleAsync()));
            AssertNoPlantedSecret(request.Text);
        }
    }

    [Fact]
    public async Task A_failing_endpoint_is_retried_with_backoff_and_then_succeeds()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        hook.Status = n => n == 0 ? 500 : 200;
        var channel = await ChannelAsync(Webhook("Flaky hook", hook.Url));
        var device = await DeviceAsync("edge-flaky-1");
        await ChangeAsync(device);

        await DispatchUntilAsync(async () => (await DeliveriesAsync()).All(d => d.Status == NotificationDeliveryStatus.Sent));
        Assert.Equal([500, 200], hook.Requests.Select(r => r.AnsweredWith));
        // The same signed body both times (a new timestamp and signature per attempt).
        Assert.Equal(hook.Requests.First().Text, hook.Requests.Last().Text);
        var d = Assert.Single(await DeliveriesAsync());
        Assert.Equal((NotificationDeliveryStatus.Sent, 2, "HTTP 200", channel.Id), (d.Status, d.Attempts, d.Result, d.ChannelId));
        var sent = Assert.Single(await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationSent));
        Assert.Equal(2, sent.Details().GetProperty("attempts").GetInt32());
        Assert.Empty(await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationFailed));
    }

    [Fact]
    public async Task An_always_failing_endpoint_ends_in_notification_failed_after_the_configured_attempts()
    {
        var failures = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == BackupNotifier.MeterName && i.Name == "configportal.notifications.failures") l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            foreach (var t in tags)
                if (t.Key == "channel" && (string?)t.Value == "webhook") Interlocked.Add(ref failures, v);
        });
        listener.Start();

        await using var hook = await WebhookTestServer.StartAsync();
        hook.Status = _ => 503;
        var channel = await ChannelAsync(Webhook("Dead hook", hook.Url));
        var device = await DeviceAsync("edge-dead-1");
        await ChangeAsync(device);
        await DispatchUntilAsync(async () => (await DeliveriesAsync()).All(d => d.Status == NotificationDeliveryStatus.Failed));
        var row = Assert.Single(await DeliveriesAsync());
        Assert.Equal((NotificationDeliveryStatus.Failed, 3, "HTTP 503", NotificationEvent.ConfigChanged, channel.Id), (row.Status, row.Attempts, row.Result, row.Event, row.ChannelId));
        Assert.Equal(3, hook.Requests.Count);
        Assert.All(hook.Requests, r => Assert.Equal("config_changed", r.Headers[WebhookSignature.EventHeader]));
        var failed = Assert.Single(await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationFailed));
        Assert.Equal(AuditOutcome.Failure, failed.Outcome);
        var details = failed.Details();
        Assert.Equal(("webhook", "config_changed", 3, "HTTP 503"), (details.GetProperty("kind").GetString(), details.GetProperty("event").GetString(),
            details.GetProperty("attempts").GetInt32(), details.GetProperty("result").GetString()));
        Assert.DoesNotContain("test-signing-secret", failed.DetailsJson, StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref failures) >= 1, "the failure counter did not move");
    }

    [Fact]
    public async Task A_failure_notice_is_sent_once_per_streak_when_the_threshold_is_reached()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        var input = Webhook("Failures hook", hook.Url);
        input.OnConfigChanged = false;
        input.FailureThreshold = 2;
        await ChannelAsync(input);
        var device = await DeviceAsync("edge-down-1");
        _collector.Texts[device] = Config(1);

        async Task<int> NoticesAfterAsync(bool fail)
        {
            _collector.Failing[device] = fail;
            var run = await _portal.BackupAsync(_portal.AcmeId, device);
            if (fail) Assert.Equal(RunOutcome.Failed, run.Outcome);
            else Assert.NotEqual(RunOutcome.Failed, run.Outcome);
            return (await DeliveriesAsync()).Count(d => d.Event == NotificationEvent.BackupsFailing);
        }

        Assert.Equal(0, await NoticesAfterAsync(fail: true));
        Assert.Equal(1, await NoticesAfterAsync(fail: true));  // the second in a row reaches the threshold
        Assert.Equal(1, await NoticesAfterAsync(fail: true));  // the same streak: no second notice
        Assert.Equal(1, await NoticesAfterAsync(fail: false)); // a success ends the streak
        Assert.Equal(1, await NoticesAfterAsync(fail: true));
        Assert.Equal(2, await NoticesAfterAsync(fail: true));  // a new streak, a new notice

        await DispatchUntilAsync(() => hook.Requests.Count >= 2);
        var json = JsonDocument.Parse(hook.Requests.First().Body).RootElement;
        Assert.Equal(("backups_failing", 2, 2, "unreachable"), (json.GetProperty("event").GetString(), json.GetProperty("consecutiveFailures").GetInt32(),
            json.GetProperty("threshold").GetInt32(), json.GetProperty("reason").GetString()));
        Assert.Equal("edge-down-1", json.GetProperty("device").GetProperty("name").GetString());
        Assert.Equal($"https://portal.test/devices/{device}", json.GetProperty("link").GetString());
        Assert.Equal(2, (await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationSent)).Count);
    }

    [Fact]
    public async Task A_channel_scoped_to_groups_hears_only_devices_of_those_groups()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        var core = await ChannelAsync(With(Webhook("Core only", hook.Url), "core"));
        var all = await ChannelAsync(Webhook("Every device", hook.Url));
        var edge = await ChannelAsync(With(Webhook("Edge and dmz", hook.Url), "edge, dmz"));
        var coreDevice = await DeviceAsync("core-sw-9", group: "core");
        var ungrouped = await DeviceAsync("lab-sw-9");

        await ChangeAsync(coreDevice);
        await ChangeAsync(ungrouped);

        var deliveries = await DeliveriesAsync();
        Assert.Equal([core.Id, all.Id], deliveries.Where(d => d.DeviceId == coreDevice).Select(d => d.ChannelId).Order());
        Assert.Equal([all.Id], deliveries.Where(d => d.DeviceId == ungrouped).Select(d => d.ChannelId));
        Assert.DoesNotContain(deliveries, d => d.ChannelId == edge.Id);

        static NotificationChannelInput With(NotificationChannelInput i, string groups)
        {
            i.Groups = groups;
            return i;
        }
    }

    [Fact]
    public async Task Two_dispatchers_racing_for_the_outbox_never_send_a_delivery_twice()
    {
        await using var hook = await WebhookTestServer.StartAsync();
        for (var i = 0; i < 12; i++) await ChannelAsync(Webhook($"Race hook {i}", hook.Url));
        var device = await DeviceAsync("edge-race-1");
        await ChangeAsync(device);
        Assert.Equal(12, (await DeliveriesAsync()).Count);

        var other = ActivatorUtilities.CreateInstance<NotificationDispatcher>(_portal.Services);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await DeliveriesAsync()).Any(d => d.Status != NotificationDeliveryStatus.Sent))
        {
            Assert.True(DateTime.UtcNow < deadline);
            await Task.WhenAll(Dispatcher.DispatchDueAsync(), other.DispatchDueAsync(), Dispatcher.DispatchDueAsync(), other.DispatchDueAsync());
        }

        var ids = hook.Requests.Select(r => r.Headers[WebhookSignature.DeliveryHeader]).ToList();
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, ids.Distinct().Count());
        Assert.Equal(12, (await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationSent)).Count);
    }

    [Fact]
    public async Task Another_tenant_can_neither_see_nor_change_a_channel()
    {
        var channel = await ChannelAsync(Webhook("Acme private hook", "https://hooks.acme.example/portal"));
        await using var scope = _portal.ScopeAs(_portal.GlobexId, "admin@globex.example");
        var service = scope.ServiceProvider.GetRequiredService<NotificationChannelService>();

        Assert.DoesNotContain(await service.ListAsync(), c => c.Id == channel.Id);
        Assert.Empty(await service.ListDeliveriesAsync(channel.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(channel.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => service.UpdateAsync(channel.Id, Webhook("Stolen", "https://evil.example/x")));
        await Assert.ThrowsAsync<NotFoundException>(() => service.SendTestAsync(channel.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => service.DeleteAsync(channel.Id));

        await using var acme = _portal.ScopeAs(_portal.AcmeId, Admin);
        var still = await acme.ServiceProvider.GetRequiredService<NotificationChannelService>().GetAsync(channel.Id);
        Assert.Equal(("Acme private hook", "https://hooks.acme.example/portal"), (still.Name, still.WebhookUrl));
    }

    [Fact]
    public async Task Bad_urls_addresses_and_ports_are_refused_with_field_errors()
    {
        await using var scope = _portal.ScopeAs(_portal.AcmeId, Admin);
        var service = scope.ServiceProvider.GetRequiredService<NotificationChannelService>();

        var bad = await Assert.ThrowsAsync<ValidationException>(() => service.CreateAsync(new NotificationChannelInput
        {
            Name = "Bad mail", Kind = NotificationChannelKind.Email, SmtpHost = "smtp.acme.example", SmtpPort = 70000,
            FromAddress = "not an address", Recipients = "noc@acme.example, ops-at-acme",
        }));
        Assert.Equal(["FromAddress", "Recipients", "SmtpPort"], bad.Errors.Keys.Order());
        Assert.Contains("ops-at-acme", bad.Errors["Recipients"][0], StringComparison.Ordinal);

        foreach (var url in new[] { "ftp://hooks.acme.example/x", "hooks.acme.example/x", "https://user:pw@hooks.acme.example/x", "" })
        {
            var e = await Assert.ThrowsAsync<ValidationException>(() => service.CreateAsync(Webhook("Bad hook", url)));
            Assert.Equal(["WebhookUrl"], e.Errors.Keys);
        }
        var shortSecret = await Assert.ThrowsAsync<ValidationException>(() => service.CreateAsync(Webhook("Short secret", "https://hooks.acme.example/x", "short")));
        Assert.Equal(["WebhookSecret"], shortSecret.Errors.Keys);
        Assert.Empty(await service.ListAsync());
    }

    [Fact]
    public async Task Channel_changes_are_audited_with_before_and_after_and_never_a_secret()
    {
        await using var scope = _portal.ScopeAs(_portal.AcmeId, Admin);
        var service = scope.ServiceProvider.GetRequiredService<NotificationChannelService>();
        var mail = new NotificationChannelInput
        {
            Name = "Audited mail", Kind = NotificationChannelKind.Email, SmtpHost = "smtp.acme.example", SmtpPort = 587,
            SmtpUsername = "mailer", SmtpPassword = "first-smtp-password", FromAddress = "portal@acme.example", Recipients = "noc@acme.example",
        };
        var saved = await service.CreateAsync(mail);
        var view = await service.GetAsync(saved.Id);
        Assert.True(view.HasSmtpPassword);

        mail.SmtpPassword = "second-smtp-password";
        mail.Recipients = "noc@acme.example\nsec@acme.example";
        await service.UpdateAsync(saved.Id, mail);
        mail.SmtpPassword = null; // keep
        await service.UpdateAsync(saved.Id, mail); // nothing changed: no entry
        var hook = await service.CreateAsync(Webhook("Audited hook", "https://hooks.acme.example/T0KEN/in-the-path?k=query-token"));
        await service.UpdateAsync(hook.Id, new NotificationChannelInput
        {
            Name = "Audited hook", Kind = NotificationChannelKind.Webhook, WebhookUrl = "https://hooks.acme.example/T0KEN/in-the-path?k=query-token", RegenerateWebhookSecret = true,
        });
        await service.DeleteAsync(saved.Id);

        var created = await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationChannelCreated);
        var updated = await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationChannelUpdated);
        var deleted = Assert.Single(await _portal.EntriesAsync(_portal.AcmeId, AuditActions.NotificationChannelDeleted));
        Assert.Equal(2, created.Count);
        Assert.Equal(2, updated.Count);
        var change = updated[0].Details();
        Assert.Equal("noc@acme.example\nsec@acme.example", change.GetProperty("changes").GetProperty("recipients").GetProperty("after").GetString());
        Assert.True(change.GetProperty("secretsChanged").GetProperty("smtpPassword").GetBoolean());
        Assert.True(updated[1].Details().GetProperty("secretsChanged").GetProperty("webhookSecretGenerated").GetBoolean());
        Assert.Equal("https://hooks.acme.example", created[1].Details().GetProperty("after").GetProperty("webhookOrigin").GetString());
        Assert.Equal("Audited mail", deleted.Details().GetProperty("before").GetProperty("name").GetString());
        foreach (var e in created.Concat(updated).Append(deleted))
        {
            Assert.DoesNotContain("smtp-password", e.DetailsJson, StringComparison.Ordinal);
            Assert.DoesNotContain("test-signing-secret", e.DetailsJson, StringComparison.Ordinal);
            Assert.DoesNotContain("T0KEN", e.DetailsJson, StringComparison.Ordinal);
            Assert.DoesNotContain("query-token", e.DetailsJson, StringComparison.Ordinal);
        }
    }
}
