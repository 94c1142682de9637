using ConfigPortal.Domain.Common;

namespace ConfigPortal.Domain.Notifications;

public enum NotificationChannelKind
{
    Email = 1,
    Webhook = 2,
}

/// <summary>How the SMTP connection is secured (MailKit's SecureSocketOptions).</summary>
public enum SmtpTlsMode
{
    /// <summary>STARTTLS when the server offers it, plain otherwise.</summary>
    Auto = 0,
    /// <summary>Plain text (a relay on the same host or network only).</summary>
    None = 1,
    /// <summary>STARTTLS is required (usually port 587).</summary>
    StartTls = 2,
    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect = 3,
}

public enum NotificationEvent
{
    /// <summary>A backup stored a new snapshot that differs from the previous one.</summary>
    ConfigChanged = 1,
    /// <summary>A device's backups failed N times in a row (once per failure streak).</summary>
    BackupsFailing = 2,
    /// <summary>The "Send test" button.</summary>
    Test = 3,
}

public enum NotificationDeliveryStatus
{
    Pending = 1,
    /// <summary>Claimed by a dispatcher until <see cref="NotificationDelivery.LeaseUntilUtc"/>.</summary>
    Sending = 2,
    Sent = 3,
    Failed = 4,
}

/// <summary>
/// Where a tenant's notifications go: an e-mail (SMTP) or a webhook, optionally only for some device groups.
/// Secrets (SMTP password, webhook signing secret) are stored only protected with the tenant's purpose.
/// </summary>
public sealed class NotificationChannel : ITenantOwned
{
    public const int MaxNameLength = 100;
    public const int DefaultFailureThreshold = 3;

    public int Id { get; set; }
    public int TenantId { get; set; }
    public required string Name { get; set; }
    public NotificationChannelKind Kind { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>Device groups this channel is limited to, one per line; null for every device of the tenant.</summary>
    public string? Groups { get; set; }

    public bool OnConfigChanged { get; set; } = true;
    public bool OnBackupsFailing { get; set; } = true;
    /// <summary>Consecutive failed backups of one device that send a failure notice (once per streak).</summary>
    public int FailureThreshold { get; set; } = DefaultFailureThreshold;

    // E-mail
    public string? SmtpHost { get; set; }
    public int? SmtpPort { get; set; }
    public SmtpTlsMode SmtpTls { get; set; }
    public string? SmtpUsername { get; set; }
    public string? ProtectedSmtpPassword { get; set; }
    public string? FromAddress { get; set; }
    /// <summary>Recipient addresses, one per line.</summary>
    public string? Recipients { get; set; }

    // Webhook
    public string? WebhookUrl { get; set; }
    public string? ProtectedWebhookSecret { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }

    /// <summary>The groups as a list (empty: every device).</summary>
    public IReadOnlyList<string> GroupList() => SplitLines(Groups);

    public IReadOnlyList<string> RecipientList() => SplitLines(Recipients);

    public bool Covers(string? deviceGroup)
    {
        var groups = GroupList();
        return groups.Count == 0 || (deviceGroup is not null && groups.Contains(deviceGroup, StringComparer.OrdinalIgnoreCase));
    }

    internal static IReadOnlyList<string> SplitLines(string? text) => string.IsNullOrWhiteSpace(text)
        ? []
        : text.Split(['\n', '\r', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}

/// <summary>
/// One notification to one channel (the outbox row). Created in the transaction that commits the event (a changed
/// snapshot, a failure crossing the threshold), delivered by the dispatcher, which claims it atomically.
/// </summary>
public sealed class NotificationDelivery : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; set; }
    public int ChannelId { get; set; }
    public NotificationEvent Event { get; set; }
    public int? DeviceId { get; set; }
    public string? DeviceName { get; set; }
    public string? CorrelationId { get; set; }

    /// <summary>The event as JSON (the webhook body without its delivery id and absolute link); carries the masked diff only.</summary>
    public required string Payload { get; set; }

    public NotificationDeliveryStatus Status { get; set; } = NotificationDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    /// <summary>Not before this time (a test delivery is sent at once; others as soon as a dispatcher polls).</summary>
    public DateTime NextAttemptAtUtc { get; set; }
    /// <summary>While <see cref="NotificationDeliveryStatus.Sending"/>: the claim holds until then; after it another instance may take over.</summary>
    public DateTime? LeaseUntilUtc { get; set; }
    /// <summary>The claim of the dispatcher instance that sends it.</summary>
    public string? ClaimToken { get; set; }
    public DateTime? CompletedAtUtc { get; set; }
    /// <summary>The last answer: "HTTP 200", the SMTP reply, or the error class. Never a secret or the body.</summary>
    public string? Result { get; set; }
}
