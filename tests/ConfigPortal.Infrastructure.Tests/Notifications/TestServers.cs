using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Infrastructure.Tests.Notifications;

/// <summary>One mail as the SMTP server received it.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Data, string? AuthUser, string? AuthPassword, bool OverTls = false)
{
    public string Subject => Header("Subject");

    public string Header(string name) => Data.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";

    /// <summary>The body after the headers, with quoted-printable soft breaks and escapes undone.</summary>
    public string Body
    {
        get
        {
            var i = Data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var body = i < 0 ? "" : Data[(i + 4)..];
            if (!Data.Contains("quoted-printable", StringComparison.OrdinalIgnoreCase)) return body;
            var mime = MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Data)));
            return mime.TextBody ?? body;
        }
    }
}

/// <summary>How the test SMTP server offers TLS.</summary>
public enum SmtpTestTls
{
    /// <summary>Plain text only (no STARTTLS in EHLO).</summary>
    None,
    /// <summary>Plain text, with STARTTLS offered in EHLO.</summary>
    StartTls,
    /// <summary>TLS from the first byte (as on port 465).</summary>
    Implicit,
}

/// <summary>
/// A minimal SMTP server on 127.0.0.1 (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT, and STARTTLS or implicit
/// TLS with a self-signed certificate for "localhost"/127.0.0.1 when asked): enough for MailKit to deliver a message
/// that the test then reads.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly SmtpTestTls _tls;

    public ConcurrentQueue<ReceivedMail> Messages { get; } = new();
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    /// <summary>The self-signed server certificate (when TLS is offered).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; }
    /// <summary>Its SHA-256 fingerprint (hex), as an operator would pin it.</summary>
    public string? CertificateSha256 => Certificate?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);

    public SmtpTestServer(SmtpTestTls tls = SmtpTestTls.None)
    {
        _tls = tls;
        if (tls != SmtpTestTls.None) Certificate = SelfSigned();
        _listener.Start();
        _accept = AcceptAsync();
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Re-imported from PKCS#12 so that SslStream can use the private key on every platform.
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
    }

    private async Task<System.Net.Security.SslStream> ServerTlsAsync(Stream inner)
    {
        var ssl = new System.Net.Security.SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(Certificate!, clientCertificateRequired: false, checkCertificateRevocation: false);
        return ssl;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            var overTls = false;
            if (_tls == SmtpTestTls.Implicit)
            {
                stream = await ServerTlsAsync(stream);
                overTls = true;
            }
            var reader = new StreamReader(stream, Encoding.UTF8);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost ConfigPortal test SMTP");
            string? from = null, user = null, password = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteAsync(_tls == SmtpTestTls.StartTls && !overTls
                            ? "250-localhost\r\n250-STARTTLS\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                            : "250-localhost\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
                        break;
                    case "STARTTLS" when _tls == SmtpTestTls.StartTls && !overTls:
                        await writer.WriteLineAsync("220 2.0.0 Ready to start TLS");
                        stream = await ServerTlsAsync(stream);
                        overTls = true;
                        reader = new StreamReader(stream, Encoding.UTF8);
                        writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                        break;
                    case "STARTTLS":
                        await writer.WriteLineAsync("502 5.5.1 STARTTLS not offered");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "AUTH":
                        var parts = line.Split(' ');
                        var b64 = parts.Length > 2 ? parts[2] : null;
                        if (b64 is null)
                        {
                            await writer.WriteLineAsync("334 ");
                            b64 = await reader.ReadLineAsync();
                        }
                        var fields = Encoding.UTF8.GetString(Convert.FromBase64String(b64 ?? "")).Split('\0');
                        (user, password) = (fields.ElementAtOrDefault(1), fields.ElementAtOrDefault(2));
                        await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 2.1.5 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } d && d != ".")
                            data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append("\r\n");
                        Messages.Enqueue(new ReceivedMail(from ?? "", to.ToList(), data.ToString(), user, password, overTls));
                        await writer.WriteLineAsync("250 2.0.0 Ok: queued as TEST" + Messages.Count);
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        catch (System.Security.Authentication.AuthenticationException) { } // the client refused the certificate
    }

    private static string Address(string line)
    {
        var a = line.IndexOf('<', StringComparison.Ordinal);
        var b = line.IndexOf('>', StringComparison.Ordinal);
        return a >= 0 && b > a ? line[(a + 1)..b] : "";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}

/// <summary>One request as the webhook endpoint received it: the raw body bytes and the headers.</summary>
public sealed record ReceivedHook(byte[] Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A real HTTP endpoint (Kestrel on 127.0.0.1, port 0) that records each POST and answers with the status the test chooses.</summary>
public sealed class WebhookTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    public ConcurrentQueue<ReceivedHook> Requests { get; } = new();
    /// <summary>The status for the n-th request (0-based); 200 by default.</summary>
    public Func<int, int> Status { get; set; } = _ => 200;
    public string Url { get; }

    private WebhookTestServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookTestServer? server = null;
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            var n = Interlocked.Increment(ref server!._calls) - 1;
            var status = server.Status(n);
            server.Requests.Enqueue(new ReceivedHook(ms.ToArray(),
                ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), status));
            ctx.Response.StatusCode = status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new WebhookTestServer(app, address.TrimEnd('/') + "/hook");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A collector the test scripts: the config text per device, or an unreachable failure.</summary>
public sealed class ScriptedCollector : IDeviceCollector
{
    public ConcurrentDictionary<int, string> Texts { get; } = new();
    public ConcurrentDictionary<int, bool> Failing { get; } = new();

    public DeviceDriver Driver => DeviceDriver.Simulator;

    public Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken)
    {
        if (Failing.TryGetValue(request.DeviceId, out var failing) && failing)
            throw new BackupFailedException(FailureKind.Unreachable, "No route to the device (scripted).");
        return Task.FromResult(new CollectedConfig(Texts.TryGetValue(request.DeviceId, out var t) ? t : $"hostname {request.DeviceName}\n!\nend\n"));
    }
}
