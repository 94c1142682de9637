using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Notifications;

/// <summary>What a page may see of a channel: never a secret, only whether one is set.</summary>
public sealed record NotificationChannelView(
    int Id, string Name, NotificationChannelKind Kind, bool Enabled, IReadOnlyList<string> Groups,
    bool OnConfigChanged, bool OnBackupsFailing, int FailureThreshold,
    string? SmtpHost, int? SmtpPort, SmtpTlsMode SmtpTls, string? SmtpUsername, bool HasSmtpPassword, string? FromAddress, IReadOnlyList<string> Recipients,
    string? WebhookUrl, bool HasWebhookSecret, DateTime UpdatedAtUtc)
{
    /// <summary>One line for the list: the recipients or the webhook's host.</summary>
    public string Target => Kind == NotificationChannelKind.Email
        ? string.Join(", ", Recipients)
        : WebhookUrl ?? "";
}

public sealed record NotificationDeliveryView(
    long Id, int ChannelId, string ChannelName, NotificationEvent Event, int? DeviceId, string? DeviceName,
    NotificationDeliveryStatus Status, int Attempts, DateTime CreatedAtUtc, DateTime? CompletedAtUtc, string? Result);

/// <summary>The result of a save: the channel id, and a webhook secret the portal generated (shown once, never again).</summary>
public sealed record NotificationChannelSaved(int Id, string? GeneratedWebhookSecret);

public sealed class NotificationChannelInput
{
    public string Name { get; set; } = "";
    public NotificationChannelKind Kind { get; set; } = NotificationChannelKind.Email;
    public bool Enabled { get; set; } = true;
    /// <summary>Device groups, one per line (or comma separated); empty for every device.</summary>
    public string? Groups { get; set; }
    public bool OnConfigChanged { get; set; } = true;
    public bool OnBackupsFailing { get; set; } = true;
    public int FailureThreshold { get; set; } = NotificationChannel.DefaultFailureThreshold;

    public string? SmtpHost { get; set; }
    public int? SmtpPort { get; set; } = 587;
    public SmtpTlsMode SmtpTls { get; set; } = SmtpTlsMode.Auto;
    public string? SmtpUsername { get; set; }
    /// <summary>Null keeps the stored value (on update), a value replaces it, empty clears it.</summary>
    public string? SmtpPassword { get; set; }
    public string? FromAddress { get; set; }
    /// <summary>Addresses, one per line (or comma separated).</summary>
    public string? Recipients { get; set; }

    public string? WebhookUrl { get; set; }
    /// <summary>Null keeps the stored secret (generates one on create), a value replaces it.</summary>
    public string? WebhookSecret { get; set; }
    /// <summary>Replace the stored secret with a new generated one (returned once).</summary>
    public bool RegenerateWebhookSecret { get; set; }

    public override string ToString() => $"NotificationChannelInput {{ Name = {Name}, Kind = {Kind} }}";
}

/// <summary>
/// Notification channels of the active tenant (Settings → Notifications) and their recent deliveries. Tenant admins
/// only (<see cref="Permission.ManageSettings"/>). Secrets are write-only: protected with the tenant's purpose, audited
/// as booleans, never returned.
/// </summary>
public sealed class NotificationChannelService(
    IPortalDbFactory dbFactory,
    TenantAccess access,
    ISecretProtector protector,
    IAuditService audit,
    INotificationDispatcher dispatcher,
    WebhookTargetPolicy targets,
    TimeProvider clock)
{
    public const int MaxRecipients = 50;
    public const int MaxUrlLength = 2000;
    private const string Operation = "manage notification channels";

    public async Task<IReadOnlyList<NotificationChannelView>> ListAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var rows = await db.NotificationChannels.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
        return rows.Select(View).ToList();
    }

    public async Task<NotificationChannelView> GetAsync(int id, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var c = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw await access.NotFoundAsync("notification_channel", id, ct);
        return View(c);
    }

    /// <summary>The latest deliveries (of one channel, or all), newest first.</summary>
    public async Task<IReadOnlyList<NotificationDeliveryView>> ListDeliveriesAsync(int? channelId = null, int take = 50, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        take = Math.Clamp(take, 1, 200);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = db.NotificationDeliveries.AsNoTracking();
        if (channelId is { } cid) q = q.Where(d => d.ChannelId == cid);
        return await (
            from d in q
            join c in db.NotificationChannels on d.ChannelId equals c.Id
            orderby d.Id descending
            select new NotificationDeliveryView(d.Id, d.ChannelId, c.Name, d.Event, d.DeviceId, d.DeviceName, d.Status, d.Attempts, d.CreatedAtUtc, d.CompletedAtUtc, d.Result))
            .Take(take)
            .ToListAsync(ct);
    }

    public async Task<NotificationChannelSaved> CreateAsync(NotificationChannelInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var v = await ValidateAsync(db, input, null, targets, ct);
        string? generated = null;
        string? secret = null;
        if (input.Kind == NotificationChannelKind.Webhook)
        {
            secret = string.IsNullOrEmpty(input.WebhookSecret) || input.RegenerateWebhookSecret ? generated = WebhookSignature.GenerateSecret() : input.WebhookSecret;
        }
        // Encrypted before the transaction (the key ring may write a key through another context).
        var protectedPassword = input.Kind == NotificationChannelKind.Email ? Protect(grant.TenantId, input.SmtpPassword) : null;
        var protectedSecret = Protect(grant.TenantId, secret);

        var id = await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var c = new NotificationChannel { TenantId = grant.TenantId, Name = v.Name, CreatedAtUtc = now, UpdatedAtUtc = now };
            Apply(c, input, v);
            c.ProtectedSmtpPassword = protectedPassword;
            c.ProtectedWebhookSecret = protectedSecret;
            db.NotificationChannels.Add(c);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.NotificationChannelCreated, c.Id,
                new { after = AuditView(c), secrets = new { smtpPassword = c.ProtectedSmtpPassword != null, webhookSecret = c.ProtectedWebhookSecret != null, webhookSecretGenerated = generated != null } })], ct);
            return c.Id;
        }, ct);
        return new NotificationChannelSaved(id, generated);
    }

    /// <summary>
    /// Changes a channel. The SMTP password: null keeps, a value replaces, empty clears. The webhook secret: null keeps,
    /// a value replaces, <see cref="NotificationChannelInput.RegenerateWebhookSecret"/> generates a new one (returned once).
    /// </summary>
    public async Task<NotificationChannelSaved> UpdateAsync(int id, NotificationChannelInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var current = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw await access.NotFoundAsync("notification_channel", id, ct);
        var v = await ValidateAsync(db, input, current, targets, ct);

        string? generated = null;
        string? newSecret = null;
        if (input.Kind == NotificationChannelKind.Webhook)
        {
            if (input.RegenerateWebhookSecret || (current.ProtectedWebhookSecret is null && string.IsNullOrEmpty(input.WebhookSecret)))
                newSecret = generated = WebhookSignature.GenerateSecret();
            else if (!string.IsNullOrEmpty(input.WebhookSecret))
                newSecret = input.WebhookSecret;
        }
        var protectedSecret = Protect(grant.TenantId, newSecret);
        var protectedPassword = Protect(grant.TenantId, input.SmtpPassword);

        await db.ExecuteInTransactionAsync(async ct =>
        {
            var c = await db.NotificationChannels.SingleAsync(c => c.Id == id, ct);
            var before = AuditView(c);
            var hadPassword = c.ProtectedSmtpPassword != null;
            var hadSecret = c.ProtectedWebhookSecret != null;
            Apply(c, input, v);
            var passwordChanged = false;
            var secretChanged = false;
            if (input.Kind == NotificationChannelKind.Email)
            {
                if (input.SmtpPassword is not null)
                {
                    c.ProtectedSmtpPassword = protectedPassword;
                    passwordChanged = input.SmtpPassword.Length > 0 || hadPassword;
                }
                c.ProtectedWebhookSecret = null;
                secretChanged = hadSecret;
            }
            else
            {
                if (protectedSecret is not null)
                {
                    c.ProtectedWebhookSecret = protectedSecret;
                    secretChanged = true;
                }
                passwordChanged = hadPassword;
                c.ProtectedSmtpPassword = null;
            }
            var after = AuditView(c);
            var changes = Changes(before, after);
            if (changes.Count == 0 && !passwordChanged && !secretChanged) return;
            c.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.NotificationChannelUpdated, c.Id, new
            {
                c.Name,
                changes,
                secretsChanged = new { smtpPassword = passwordChanged, webhookSecret = secretChanged, webhookSecretGenerated = generated != null },
                secretsSet = new { smtpPassword = c.ProtectedSmtpPassword != null, webhookSecret = c.ProtectedWebhookSecret != null },
            })], ct);
        }, ct);
        return new NotificationChannelSaved(id, generated);
    }

    /// <summary>Deletes a channel and its delivery history (pending deliveries are dropped; audit entries stay).</summary>
    public async Task DeleteAsync(int id, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        await using var db = await dbFactory.CreateAsync(ct);
        _ = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw await access.NotFoundAsync("notification_channel", id, ct);
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var c = await db.NotificationChannels.SingleAsync(c => c.Id == id, ct);
            var before = AuditView(c);
            await db.NotificationDeliveries.Where(d => d.ChannelId == id).ExecuteDeleteAsync(ct);
            db.NotificationChannels.Remove(c);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.NotificationChannelDeleted, id, new { before })], ct);
        }, ct);
    }

    /// <summary>
    /// Sends a test notification through the channel now (one attempt, no retries) and returns the delivery
    /// with its result; it is recorded like any delivery (<c>notification_sent</c> / <c>notification_failed</c>).
    /// </summary>
    public async Task<NotificationDeliveryView> SendTestAsync(int id, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, Operation, ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var channel = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw await access.NotFoundAsync("notification_channel", id, ct);
        var tenantName = await db.Tenants.AsNoTracking().Where(t => t.Id == grant.TenantId).Select(t => t.Name).FirstAsync(ct);
        var deliveryId = await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var d = new NotificationDelivery
            {
                TenantId = grant.TenantId,
                ChannelId = id,
                Event = NotificationEvent.Test,
                Payload = NotificationOutbox.TestPayload(grant.TenantId, tenantName, channel, now),
                CreatedAtUtc = now,
                // Not picked up by a polling dispatcher before this call claims it.
                NextAttemptAtUtc = now.AddMinutes(1),
            };
            db.NotificationDeliveries.Add(d);
            await db.SaveChangesAsync(ct);
            return d.Id;
        }, ct);

        await dispatcher.DeliverNowAsync(deliveryId, grant.TenantId, ct);
        await using var db2 = await dbFactory.CreateAsync(ct);
        return await db2.NotificationDeliveries.AsNoTracking().Where(d => d.Id == deliveryId)
            .Select(d => new NotificationDeliveryView(d.Id, d.ChannelId, channel.Name, d.Event, d.DeviceId, d.DeviceName, d.Status, d.Attempts, d.CreatedAtUtc, d.CompletedAtUtc, d.Result))
            .SingleAsync(ct);
    }

    private sealed record Validated(string Name, IReadOnlyList<string> Groups, IReadOnlyList<string> Recipients);

    private static async Task<Validated> ValidateAsync(IPortalDb db, NotificationChannelInput input, NotificationChannel? current, WebhookTargetPolicy targets, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var e) ? [.. e, message] : [message];

        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > NotificationChannel.MaxNameLength) Add(nameof(input.Name), $"Name is required (at most {NotificationChannel.MaxNameLength} characters).");
        else if (await db.NotificationChannels.AnyAsync(c => c.Name == name && (current == null || c.Id != current.Id), ct))
            Add(nameof(input.Name), $"A channel named '{name}' already exists.");
        if (!Enum.IsDefined(input.Kind)) Add(nameof(input.Kind), "Choose e-mail or webhook.");
        if (current is not null && current.Kind != input.Kind) Add(nameof(input.Kind), "The kind of a channel cannot change; add a new channel.");

        var groups = NotificationChannel.SplitLines(input.Groups);
        foreach (var g in groups)
        {
            if (DeviceService.GroupError(g) is { } ge) { Add(nameof(input.Groups), ge); break; }
        }
        if (input.FailureThreshold is < 1 or > 100) Add(nameof(input.FailureThreshold), "The failure threshold is between 1 and 100 consecutive failures.");
        if (!input.OnConfigChanged && !input.OnBackupsFailing) Add(nameof(input.OnConfigChanged), "Choose at least one event.");

        IReadOnlyList<string> recipients = [];
        if (input.Kind == NotificationChannelKind.Email)
        {
            var host = input.SmtpHost?.Trim() ?? "";
            if (host.Length is 0 or > 253 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
                Add(nameof(input.SmtpHost), "Give the SMTP server's host name or IP address.");
            if (input.SmtpPort is not (>= 1 and <= 65535)) Add(nameof(input.SmtpPort), "The port is a number from 1 to 65535.");
            if (!Enum.IsDefined(input.SmtpTls)) Add(nameof(input.SmtpTls), "Choose a TLS mode.");
            if ((input.SmtpUsername?.Trim().Length ?? 0) > 200) Add(nameof(input.SmtpUsername), "The username is at most 200 characters.");
            if ((input.SmtpPassword?.Length ?? 0) > 500) Add(nameof(input.SmtpPassword), "The password is at most 500 characters.");
            if (!IsEmail(input.FromAddress?.Trim())) Add(nameof(input.FromAddress), "Give a valid sender address (name@example.com).");
            recipients = NotificationChannel.SplitLines(input.Recipients);
            if (recipients.Count == 0) Add(nameof(input.Recipients), "Give at least one recipient address.");
            else if (recipients.Count > MaxRecipients) Add(nameof(input.Recipients), $"At most {MaxRecipients} recipients.");
            else if (recipients.FirstOrDefault(r => !IsEmail(r)) is { } bad) Add(nameof(input.Recipients), $"'{Shorten(bad)}' is not a valid e-mail address.");
        }
        else if (input.Kind == NotificationChannelKind.Webhook)
        {
            var url = input.WebhookUrl?.Trim() ?? "";
            if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
                Add(nameof(input.WebhookUrl), "Give an absolute http:// or https:// URL (without user:password@).");
            else if (await targets.CheckAsync(uri, ct) is { } refused)
                Add(nameof(input.WebhookUrl), refused);
            if (!string.IsNullOrEmpty(input.WebhookSecret) && input.WebhookSecret.Length is < WebhookSignature.MinSecretLength or > WebhookSignature.MaxSecretLength)
                Add(nameof(input.WebhookSecret), $"A signing secret has {WebhookSignature.MinSecretLength} to {WebhookSignature.MaxSecretLength} characters (or leave it empty to generate one).");
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return new Validated(name, groups, recipients);
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    /// <summary>An address with one @, a local part and a dotted domain, no spaces or display name.</summary>
    public static bool IsEmail(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 254 || value.Any(char.IsWhiteSpace) || value.IndexOfAny(['<', '>', ',', ';', '"']) >= 0)
            return false;
        if (!System.Net.Mail.MailAddress.TryCreate(value, out var a) || a.Address != value) return false;
        var at = value.LastIndexOf('@');
        var domain = value[(at + 1)..];
        return at > 0 && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.');
    }

    private static void Apply(NotificationChannel c, NotificationChannelInput input, Validated v)
    {
        c.Name = v.Name;
        c.Kind = input.Kind;
        c.Enabled = input.Enabled;
        c.Groups = v.Groups.Count == 0 ? null : string.Join('\n', v.Groups);
        c.OnConfigChanged = input.OnConfigChanged;
        c.OnBackupsFailing = input.OnBackupsFailing;
        c.FailureThreshold = input.FailureThreshold;
        if (input.Kind == NotificationChannelKind.Email)
        {
            c.SmtpHost = input.SmtpHost?.Trim();
            c.SmtpPort = input.SmtpPort;
            c.SmtpTls = input.SmtpTls;
            c.SmtpUsername = string.IsNullOrWhiteSpace(input.SmtpUsername) ? null : input.SmtpUsername.Trim();
            c.FromAddress = input.FromAddress?.Trim();
            c.Recipients = string.Join('\n', v.Recipients);
            c.WebhookUrl = null;
        }
        else
        {
            c.WebhookUrl = input.WebhookUrl?.Trim();
            c.SmtpHost = null;
            c.SmtpPort = null;
            c.SmtpTls = SmtpTlsMode.Auto;
            c.SmtpUsername = null;
            c.FromAddress = null;
            c.Recipients = null;
        }
    }

    private static NotificationChannelView View(NotificationChannel c) => new(
        c.Id, c.Name, c.Kind, c.Enabled, c.GroupList(), c.OnConfigChanged, c.OnBackupsFailing, c.FailureThreshold,
        c.SmtpHost, c.SmtpPort, c.SmtpTls, c.SmtpUsername, c.ProtectedSmtpPassword != null, c.FromAddress, c.RecipientList(),
        c.WebhookUrl, c.ProtectedWebhookSecret != null, c.UpdatedAtUtc);

    /// <summary>
    /// The audited fields of a channel. A webhook URL is recorded as its origin only (scheme, host, port): chat-service
    /// webhook URLs carry a token in the path. Secrets never; the UI and the audit show only whether they are set.
    /// </summary>
    private static Dictionary<string, object?> AuditView(NotificationChannel c) => new()
    {
        ["name"] = c.Name,
        ["kind"] = c.Kind.ToString().ToLowerInvariant(),
        ["enabled"] = c.Enabled,
        ["groups"] = c.Groups,
        ["onConfigChanged"] = c.OnConfigChanged,
        ["onBackupsFailing"] = c.OnBackupsFailing,
        ["failureThreshold"] = c.FailureThreshold,
        ["smtpHost"] = c.SmtpHost,
        ["smtpPort"] = c.SmtpPort,
        ["smtpTls"] = c.Kind == NotificationChannelKind.Email ? c.SmtpTls.ToString() : null,
        ["smtpUsername"] = c.SmtpUsername,
        ["fromAddress"] = c.FromAddress,
        ["recipients"] = c.Recipients,
        ["webhookOrigin"] = UrlOrigin(c.WebhookUrl),
    };

    public static string? UrlOrigin(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.GetLeftPart(UriPartial.Authority) : null;

    private static Dictionary<string, object> Changes(Dictionary<string, object?> before, Dictionary<string, object?> after)
    {
        var changes = new Dictionary<string, object>();
        foreach (var (k, b) in before)
        {
            var a = after[k];
            if (!Equals(a, b)) changes[k] = new { before = b, after = a };
        }
        return changes;
    }

    private static AuditRecord Record(int tenantId, string action, int channelId, object details) => new()
    {
        TenantId = tenantId,
        Action = action,
        ResourceType = "notification_channel",
        ResourceId = channelId.ToString(CultureInfo.InvariantCulture),
        Details = details,
    };

    private string? Protect(int tenantId, string? value) => string.IsNullOrEmpty(value) ? null : protector.Protect(tenantId, value);
}
