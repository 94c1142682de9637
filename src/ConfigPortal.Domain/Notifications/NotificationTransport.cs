namespace ConfigPortal.Domain.Notifications;

/// <summary>A channel's destination with its secrets decrypted, for one delivery only; never logged.</summary>
public sealed record NotificationTarget(
    NotificationChannelKind Kind,
    string? SmtpHost,
    int? SmtpPort,
    SmtpTlsMode SmtpTls,
    string? SmtpUsername,
    string? SmtpPassword,
    string? FromAddress,
    IReadOnlyList<string> Recipients,
    string? WebhookUrl,
    string? WebhookSecret)
{
    public override string ToString() => $"NotificationTarget {{ Kind = {Kind} }}";
}

/// <summary>One message: the JSON body (webhooks) and a subject and text (e-mail).</summary>
public sealed record NotificationMessage(long DeliveryId, string EventName, string Subject, string TextBody, string JsonBody);

/// <summary>
/// The answer of one attempt. <see cref="Result"/> is safe to store and audit ("HTTP 500", an SMTP reply, an error
/// class); <see cref="Retryable"/> is false when another attempt cannot help (a 4xx other than 408/429, bad config).
/// </summary>
public sealed record TransportResult(bool Success, bool Retryable, string Result);

/// <summary>Sends one message over e-mail or HTTP (implemented in the infrastructure).</summary>
public interface INotificationTransport
{
    Task<TransportResult> SendAsync(NotificationTarget target, NotificationMessage message, CancellationToken ct);
}

/// <summary>Delivers a delivery row now (the "Send test" button): one attempt, no retries.</summary>
public interface INotificationDispatcher
{
    /// <summary>Claims the delivery and makes one attempt; returns false when another instance holds it.</summary>
    Task<bool> DeliverNowAsync(long deliveryId, int tenantId, CancellationToken ct = default);
}
