using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Notifications;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ConfigPortal.Infrastructure.Notifications;

/// <summary>Settings of the notification dispatcher (section <c>Notifications</c>, docs/operations.md).</summary>
public sealed class NotificationOptions
{
    /// <summary>Run the dispatcher in this instance; unset follows <c>Backups:RunWorker</c> (worker and all-in-one roles).</summary>
    public bool? RunDispatcher { get; set; }
    /// <summary>How often the outbox is polled for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Attempts per delivery (the first one included) before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 5;
    /// <summary>Base delay of the exponential backoff (with jitter) between attempts.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Time limit of one attempt (connect + send).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a claim holds; a delivery claimed by an instance that died is taken over after it.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Deliveries claimed per poll and sent at the same time by this instance.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;
    /// <summary>The portal's public address (e.g. https://portal.example.com), for absolute links in notifications.</summary>
    public string? PortalBaseUrl { get; set; }
    /// <summary>Sent and failed deliveries older than this (by completion time) are deleted by the dispatcher; zero keeps them forever.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(30);
    /// <summary>
    /// SHA-256 fingerprints (hex, colons allowed) of SMTP server certificates accepted although their chain does not
    /// validate: an internal relay with a self-signed certificate. Every other certificate must validate as usual.
    /// </summary>
    public List<string> SmtpTrustedCertificates { get; set; } = [];
    /// <summary>How often the dispatcher deletes deliveries past <see cref="DeliveryRetention"/>.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Delivers the notification outbox: polls for due deliveries of every tenant, claims each one atomically (a
/// conditional UPDATE: two instances never both win one), sends it in a scope of its tenant with retries (Polly:
/// exponential backoff with jitter, a timeout per attempt), and records the final result on the row and in the
/// audit trail (<c>notification_sent</c> / <c>notification_failed</c>) in one transaction.
/// </summary>
public sealed class NotificationDispatcher(
    IServiceScopeFactory scopes,
    PlatformQueries platform,
    INotificationTransport transport,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger) : BackgroundService, INotificationDispatcher
{
    private readonly string _instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PollInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        DateTime? lastCleanup = null;
        try
        {
            do
            {
                try
                {
                    await DispatchDueAsync(stoppingToken);
                    var now = clock.GetUtcNow().UtcDateTime;
                    if (lastCleanup is null || now - lastCleanup >= options.Value.CleanupInterval)
                    {
                        lastCleanup = now;
                        await CleanupAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Dispatching notifications failed: {ErrorType}", ex.GetType().FullName);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One poll: claims up to MaxConcurrentDeliveries due deliveries and sends them; returns how many it claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct = default)
    {
        var o = options.Value;
        var token = NewClaimToken();
        var claimed = await platform.ClaimNotificationDeliveriesAsync(token, Math.Max(1, o.MaxConcurrentDeliveries), o.ClaimLease, ct);
        await Task.WhenAll(claimed.Select(c => DeliverClaimedAsync(c.Id, c.TenantId, token, ct)));
        return claimed.Count;
    }

    /// <summary>
    /// Deletes sent and failed deliveries completed before now − <see cref="NotificationOptions.DeliveryRetention"/>, in
    /// batches; pending and claimed rows are never touched. Their audit entries (<c>notification_sent</c>/<c>_failed</c>)
    /// stay. Returns the number deleted.
    /// </summary>
    public async Task<int> CleanupAsync(CancellationToken ct = default)
    {
        var retention = options.Value.DeliveryRetention;
        if (retention <= TimeSpan.Zero) return 0;
        var before = clock.GetUtcNow().UtcDateTime - retention;
        var total = 0;
        int n;
        do
        {
            n = await platform.DeleteCompletedDeliveriesAsync(before, 1000, ct);
            total += n;
        }
        while (n == 1000);
        if (total > 0)
            logger.LogInformation("Deleted {Count} notification deliveries completed before {Before:o} (retention {Retention})", total, before, retention);
        return total;
    }

    /// <summary>
    /// "Send test": claims the delivery and makes ONE attempt (no retries: the person clicking waits for the answer, and a
    /// failing target should say so at once), recorded like any delivery.
    /// </summary>
    public async Task<bool> DeliverNowAsync(long deliveryId, int tenantId, CancellationToken ct = default)
    {
        var token = NewClaimToken();
        var now = clock.GetUtcNow().UtcDateTime;
        var lease = now + options.Value.ClaimLease;
        await using (var scope = SystemScope(tenantId))
        {
            var db = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync(ct);
            await using (db)
            {
                var n = await db.NotificationDeliveries
                    .Where(d => d.Id == deliveryId && (d.Status == NotificationDeliveryStatus.Pending || (d.Status == NotificationDeliveryStatus.Sending && d.LeaseUntilUtc < now)))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, NotificationDeliveryStatus.Sending)
                        .SetProperty(d => d.LeaseUntilUtc, lease).SetProperty(d => d.ClaimToken, token), ct);
                if (n == 0) return false;
            }
        }
        await DeliverClaimedAsync(deliveryId, tenantId, token, ct, maxAttempts: 1);
        return true;
    }

    private string NewClaimToken() => _instance + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private AsyncServiceScope SystemScope(int tenantId)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        return scope;
    }

    private async Task DeliverClaimedAsync(long deliveryId, int tenantId, string token, CancellationToken ct, int? maxAttempts = null)
    {
        try
        {
            await using var scope = SystemScope(tenantId);
            var sp = scope.ServiceProvider;
            var dbFactory = sp.GetRequiredService<IPortalDbFactory>();
            NotificationDelivery? delivery;
            NotificationChannel? channel;
            await using (var db = await dbFactory.CreateAsync(ct))
            {
                delivery = await db.NotificationDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId && d.ClaimToken == token, ct);
                channel = delivery is null ? null : await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == delivery.ChannelId, ct);
            }
            if (delivery is null || channel is null) return; // taken over, or its channel was deleted (with it)

            var (attempts, result) = await SendWithRetriesAsync(sp, channel, delivery, maxAttempts ?? options.Value.MaxAttempts, ct);
            await RecordAsync(dbFactory, sp.GetRequiredService<IAuditService>(), delivery, channel, token, attempts, result);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the claim expires after its lease and another instance (or this one on restart) sends it.
        }
        catch (Exception ex)
        {
            logger.LogError("Notification delivery {DeliveryId} crashed: {ErrorType} {StackTrace}", deliveryId, ex.GetType().FullName, ex.StackTrace);
        }
    }

    private async Task<(int Attempts, TransportResult Result)> SendWithRetriesAsync(IServiceProvider sp, NotificationChannel channel, NotificationDelivery delivery, int maxAttempts, CancellationToken ct)
    {
        NotificationTarget target;
        try
        {
            target = Target(sp.GetRequiredService<ISecretProtector>(), channel);
        }
        catch (CryptographicException)
        {
            return (0, new TransportResult(false, false, "channel secret cannot be decrypted (key ring changed?)"));
        }
        var message = Compose(delivery, channel);
        var o = options.Value;
        var attempts = 0;
        TransportResult? last = null;
        var builder = new ResiliencePipelineBuilder<TransportResult> { TimeProvider = clock };
        if (maxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<TransportResult>
            {
                MaxRetryAttempts = maxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryDelay,
                MaxDelay = o.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is TimeoutRejectedException || args.Outcome.Result is { Success: false, Retryable: true }),
                OnRetry = args =>
                {
                    logger.LogInformation("Notification delivery {DeliveryId} to channel {ChannelId}: attempt {Attempt} failed ({Result}); retry in {DelayMs} ms",
                        delivery.Id, channel.Id, args.AttemptNumber + 1, args.Outcome.Result?.Result ?? "timeout", (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddTimeout(o.AttemptTimeout);
        var pipeline = builder.Build();
        try
        {
            var result = await pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                last = await transport.SendAsync(target, message, token);
                return last;
            }, ct);
            return (attempts, result);
        }
        catch (TimeoutRejectedException)
        {
            return (attempts, new TransportResult(false, true, "timeout"));
        }
    }

    private async Task RecordAsync(IPortalDbFactory dbFactory, IAuditService audit, NotificationDelivery delivery, NotificationChannel channel, string token, int attempts, TransportResult result)
    {
        await using var db = await dbFactory.CreateAsync(CancellationToken.None);
        var recorded = await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var row = await db.NotificationDeliveries.FirstOrDefaultAsync(d => d.Id == delivery.Id && d.ClaimToken == token, ct);
            if (row is null) return false;
            row.Status = result.Success ? NotificationDeliveryStatus.Sent : NotificationDeliveryStatus.Failed;
            row.Attempts += attempts;
            row.CompletedAtUtc = now;
            row.LeaseUntilUtc = null;
            row.Result = result.Result.Length > 500 ? result.Result[..500] : result.Result;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = delivery.TenantId,
                Action = result.Success ? AuditActions.NotificationSent : AuditActions.NotificationFailed,
                ResourceType = "notification_delivery",
                ResourceId = delivery.Id.ToString(CultureInfo.InvariantCulture),
                DeviceId = delivery.DeviceId,
                DeviceName = delivery.DeviceName,
                CorrelationId = delivery.CorrelationId,
                Outcome = result.Success ? AuditOutcome.Success : AuditOutcome.Failure,
                // Never a secret or the body (which holds the diff): the channel, the event, the attempts, the answer.
                Details = new
                {
                    deliveryId = delivery.Id,
                    channelId = channel.Id,
                    channel = channel.Name,
                    kind = channel.Kind.ToString().ToLowerInvariant(),
                    @event = NotificationOutbox.EventName(delivery.Event),
                    attempts = row.Attempts,
                    result = row.Result,
                },
            }], ct);
            return true;
        }, CancellationToken.None);
        if (!recorded) return;
        if (result.Success)
        {
            logger.LogInformation("Notification delivery {DeliveryId} ({Event}) sent to channel {ChannelId} after {Attempts} attempt(s): {Result}",
                delivery.Id, delivery.Event, channel.Id, attempts, result.Result);
        }
        else
        {
            BackupNotifier.CountFailure(channel.Kind == NotificationChannelKind.Email ? "email" : "webhook");
            logger.LogWarning("Notification delivery {DeliveryId} ({Event}) to channel {ChannelId} failed after {Attempts} attempt(s): {Result}",
                delivery.Id, delivery.Event, channel.Id, attempts, result.Result);
        }
    }

    private static NotificationTarget Target(ISecretProtector protector, NotificationChannel c) => new(
        c.Kind, c.SmtpHost, c.SmtpPort, c.SmtpTls, c.SmtpUsername,
        c.ProtectedSmtpPassword is null ? null : protector.Unprotect(c.TenantId, c.ProtectedSmtpPassword),
        c.FromAddress, c.RecipientList(), c.WebhookUrl,
        c.ProtectedWebhookSecret is null ? null : protector.Unprotect(c.TenantId, c.ProtectedWebhookSecret));

    /// <summary>The webhook body (the stored payload with the delivery id and an absolute link) and the e-mail.</summary>
    internal NotificationMessage Compose(NotificationDelivery delivery, NotificationChannel channel)
    {
        var node = JsonNode.Parse(delivery.Payload)!.AsObject();
        var body = new JsonObject { ["deliveryId"] = delivery.Id };
        foreach (var (k, v) in node.ToList())
        {
            node.Remove(k);
            body[k] = v;
        }
        var link = body["link"]?.GetValue<string>();
        if (link is not null && options.Value.PortalBaseUrl is { Length: > 0 } baseUrl)
            body["link"] = link = baseUrl.TrimEnd('/') + link;
        var json = body.ToJsonString(JsonOptions);

        var evt = NotificationOutbox.EventName(delivery.Event);
        var device = body["device"]?["name"]?.GetValue<string>() ?? delivery.DeviceName ?? "";
        var tenant = body["tenant"]?["name"]?.GetValue<string>() ?? "";
        var text = new StringBuilder();
        string subject;
        switch (delivery.Event)
        {
            case NotificationEvent.ConfigChanged:
                var added = body["added"]?.GetValue<int>() ?? 0;
                var removed = body["removed"]?.GetValue<int>() ?? 0;
                subject = $"[ConfigPortal] {device}: configuration changed (+{added} −{removed})";
                text.AppendLine(CultureInfo.InvariantCulture, $"The configuration of {device} ({body["device"]?["vendor"]}) in {tenant} changed: {added} line(s) added, {removed} removed.");
                text.AppendLine(CultureInfo.InvariantCulture, $"Snapshots: {body["oldSnapshotId"]} → {body["newSnapshotId"]}; backup run correlation id {body["correlationId"]}.");
                if (link is not null) text.AppendLine(CultureInfo.InvariantCulture, $"Compare in the portal: {link}");
                text.AppendLine();
                text.AppendLine("Secrets in the configuration are masked before storage; this diff is the stored (masked) one.");
                text.AppendLine();
                text.Append(body["diff"]?.GetValue<string>());
                if (body["diffTruncated"]?.GetValue<bool>() == true)
                    text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"[diff truncated at {NotificationOutbox.MaxDiffBytes / 1024} KiB; open the link for all of it]");
                break;
            case NotificationEvent.BackupsFailing:
                var count = body["consecutiveFailures"]?.GetValue<int>() ?? 0;
                subject = $"[ConfigPortal] {device}: {count} backups in a row failed";
                text.AppendLine(CultureInfo.InvariantCulture, $"The last {count} backups of {device} in {tenant} failed.");
                text.AppendLine(CultureInfo.InvariantCulture, $"Last reason: {body["reason"]}: {body["message"]}");
                text.AppendLine(CultureInfo.InvariantCulture, $"Backup run correlation id {body["correlationId"]}.");
                if (link is not null) text.AppendLine(CultureInfo.InvariantCulture, $"Device: {link}");
                text.AppendLine("You get this notice once per failure streak; the next one after a successful backup.");
                break;
            default:
                subject = $"[ConfigPortal] Test notification ({channel.Name})";
                text.AppendLine(CultureInfo.InvariantCulture, $"A test notification from ConfigPortal for the channel '{channel.Name}' of {tenant}.");
                if (link is not null) text.AppendLine(CultureInfo.InvariantCulture, $"Settings: {link}");
                break;
        }
        return new NotificationMessage(delivery.Id, evt, subject, text.ToString(), json);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
