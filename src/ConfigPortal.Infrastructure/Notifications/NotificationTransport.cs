using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ConfigPortal.Domain.Notifications;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ConfigPortal.Infrastructure.Notifications;

/// <summary>
/// Sends a message by e-mail (MailKit SMTP) or as a signed webhook (HttpClient). Returns a short, storable result;
/// never throws for a delivery problem (only when cancelled), and never puts a secret or the body into a result.
/// </summary>
public sealed class NotificationTransport(IHttpClientFactory httpClients, TimeProvider clock, Microsoft.Extensions.Options.IOptionsMonitor<NotificationOptions> options) : INotificationTransport
{
    public const string HttpClientName = "ConfigPortal.Notifications";

    /// <summary>
    /// The webhook client's handler: every connection (the first request and each redirect) resolves the host itself and
    /// connects only to addresses the <see cref="WebhookTargetPolicy"/> allows, so the check happens at send time on the
    /// very address used (DNS may have changed since the channel was saved). A proxy, if configured, is what is checked.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(WebhookTargetPolicy policy) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await policy.ResolveAllowedAsync(context.DnsEndPoint.Host, ct);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public Task<TransportResult> SendAsync(NotificationTarget target, NotificationMessage message, CancellationToken ct) =>
        target.Kind == NotificationChannelKind.Email ? SendEmailAsync(target, message, ct) : SendWebhookAsync(target, message, ct);

    private async Task<TransportResult> SendWebhookAsync(NotificationTarget target, NotificationMessage message, CancellationToken ct)
    {
        if (target.WebhookUrl is null || target.WebhookSecret is null)
            return new TransportResult(false, false, "channel misconfigured (no URL or secret)");
        var body = Encoding.UTF8.GetBytes(message.JsonBody);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.WebhookUrl)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(target.WebhookSecret, timestamp, body));
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventHeader, message.EventName);
        request.Headers.TryAddWithoutValidation(WebhookSignature.DeliveryHeader, message.DeliveryId.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            var result = $"HTTP {code}";
            if (response.IsSuccessStatusCode) return new TransportResult(true, false, result);
            // 408, 429 and 5xx may pass on a later attempt; other 4xx will not (wrong URL, rejected signature).
            var retryable = code is 408 or 429 or >= 500;
            return new TransportResult(false, retryable, result);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException refused)
        {
            return new TransportResult(false, false, "target refused: " + refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return new TransportResult(false, true, ex.HttpRequestError == HttpRequestError.Unknown && ex.InnerException is SocketException se
                ? "connection failed: " + se.SocketErrorCode
                : "connection failed: " + ex.HttpRequestError);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new TransportResult(false, true, "timeout");
        }
    }

    private async Task<TransportResult> SendEmailAsync(NotificationTarget target, NotificationMessage message, CancellationToken ct)
    {
        if (target.SmtpHost is null || target.FromAddress is null || target.Recipients.Count == 0)
            return new TransportResult(false, false, "channel misconfigured (no host, sender or recipients)");
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(target.FromAddress));
        foreach (var r in target.Recipients) mail.To.Add(MailboxAddress.Parse(r));
        mail.Subject = message.Subject;
        mail.Headers.Add("X-ConfigPortal-Event", message.EventName);
        mail.Headers.Add("X-ConfigPortal-Delivery", message.DeliveryId.ToString(CultureInfo.InvariantCulture));
        mail.Body = new TextPart("plain") { Text = message.TextBody };

        using var smtp = new SmtpClient();
        smtp.Timeout = 30_000;
        var pinned = options.CurrentValue.SmtpTrustedCertificates
            .Select(f => f.Replace(":", "", StringComparison.Ordinal).Trim()).Where(f => f.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var certificateRejected = false;
        smtp.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == System.Net.Security.SslPolicyErrors.None) return true;
            if (certificate is not null && pinned.Contains(Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))))
                return true;
            certificateRejected = true;
            return false;
        };
        try
        {
            var tls = target.SmtpTls switch
            {
                SmtpTlsMode.None => SecureSocketOptions.None,
                SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
                SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTlsWhenAvailable,
            };
            await smtp.ConnectAsync(target.SmtpHost, target.SmtpPort ?? 25, tls, ct);
            if (!string.IsNullOrEmpty(target.SmtpUsername))
                await smtp.AuthenticateAsync(target.SmtpUsername, target.SmtpPassword ?? "", ct);
            var reply = await smtp.SendAsync(mail, ct);
            await smtp.DisconnectAsync(true, ct);
            return new TransportResult(true, false, Short("250 " + reply));
        }
        catch (AuthenticationException)
        {
            return new TransportResult(false, false, "SMTP authentication failed");
        }
        catch (SmtpCommandException ex)
        {
            // 4xx replies are transient by definition; 5xx are permanent.
            var code = (int)ex.StatusCode;
            return new TransportResult(false, code is >= 400 and < 500, Short($"SMTP {code} {ex.ErrorCode}"));
        }
        catch (SmtpProtocolException)
        {
            return new TransportResult(false, true, "SMTP protocol error");
        }
        catch (SslHandshakeException)
        {
            return new TransportResult(false, false, certificateRejected
                ? "TLS handshake failed: the server's certificate is not trusted (pin it in Notifications:SmtpTrustedCertificates)"
                : "TLS handshake failed");
        }
        catch (NotSupportedException)
        {
            // MailKit: SecureSocketOptions.StartTls against a server that does not offer STARTTLS. Never sent in plain text.
            return new TransportResult(false, false, "STARTTLS required but the SMTP server does not offer it");
        }
        catch (SocketException ex)
        {
            return new TransportResult(false, true, "connection failed: " + ex.SocketErrorCode);
        }
        catch (IOException)
        {
            return new TransportResult(false, true, "connection lost");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new TransportResult(false, true, "timeout");
        }
        catch (TimeoutException)
        {
            return new TransportResult(false, true, "timeout");
        }
        catch (ServiceNotConnectedException)
        {
            return new TransportResult(false, true, "connection lost");
        }
    }

    private static string Short(string s)
    {
        s = s.ReplaceLineEndings(" ").Trim();
        return s.Length > 200 ? s[..200] : s;
    }
}
