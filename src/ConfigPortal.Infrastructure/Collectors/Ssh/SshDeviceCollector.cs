using System.Diagnostics;
using System.Text;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>
/// Collects a device's config over SSH (SSH.NET): exec channel for devices that answer exec requests cleanly
/// (JunOS, RouterOS), an interactive shell with prompt matching, enable mode and pager handling for the rest.
/// Each attempt tries the credentials in order (the next only on an authentication failure) and checks the host key
/// against the pinned fingerprint (trust on first use when none is pinned). Attempts run under a Polly pipeline:
/// retries with exponential backoff and jitter for transient failures only, a timeout per attempt, and a global cap
/// on concurrent sessions. Register as a singleton: the session cap lives in this instance.
/// </summary>
public sealed class SshDeviceCollector : IDeviceCollector, IDisposable
{
    private static readonly ResiliencePropertyKey<CollectionRequest> RequestKey = new("configportal.ssh.request");
    private static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeoutKey = new("configportal.ssh.attempt-timeout");

    private readonly SshCollectorOptions _options;
    private readonly ILogger<SshDeviceCollector> _logger;
    private readonly SemaphoreSlim _sessions;
    private readonly SshLoginGate _logins;
    private readonly KeyExchangeOffer _keyExchange;
    /// <summary>The session cap (<see cref="SshCollectorOptions.MaxConcurrentSessions"/>, at least 1).</summary>
    private readonly int _capacity;
    private readonly ResiliencePipeline _retry;
    private readonly ResiliencePipeline _attemptTimeout;

    public SshDeviceCollector(IOptions<SshCollectorOptions> options, ILogger<SshDeviceCollector> logger)
    {
        _options = options.Value;
        _logger = logger;
        _capacity = Math.Max(1, _options.MaxConcurrentSessions);
        _sessions = new SemaphoreSlim(_capacity);
        _logins = new SshLoginGate(_options.EffectiveMaxConcurrentLogins, _options.LoginHoldLimit);
        _keyExchange = new KeyExchangeOffer(_options.KeyExchangeAlgorithms);
        ReserveThreads(_options.MaxConcurrentSessions);

        var retry = new ResiliencePipelineBuilder();
        if (_options.RetryCount > 0)
        {
            retry.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.RetryCount,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BackupFailedException { Kind: var kind } && SshFailures.IsRetryable(kind)),
                OnRetry = args =>
                {
                    var request = args.Context.Properties.GetValue(RequestKey, null!);
                    var kind = (args.Outcome.Exception as BackupFailedException)?.Kind;
                    _logger.LogWarning("SSH collection of device {DeviceId} failed ({FailureKind}); retry {Attempt} of {RetryCount} in {DelayMs} ms",
                        request?.DeviceId, kind, args.AttemptNumber + 1, _options.RetryCount, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }
        _retry = retry.Build();

        _attemptTimeout = new ResiliencePipelineBuilder()
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(AttemptTimeoutKey, TimeSpan.FromMinutes(2))),
            })
            .Build();
    }

    public DeviceDriver Driver => DeviceDriver.Ssh;

    /// <summary>
    /// SSH.NET waits synchronously inside its async API (key exchange, authentication, channel open and close), so
    /// every session being set up holds a thread-pool thread for a round trip or more. The pool starts with one thread
    /// per core and adds about one per 500 ms under starvation, which delayed 25 concurrent logins by up to a second
    /// (ADR-014). Raise the pool's floor to the session cap plus the cores, once, never lowering it.
    /// </summary>
    internal static void ReserveThreads(int sessions)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Math.Max(1, sessions) + Environment.ProcessorCount;
        if (workers < wanted) ThreadPool.SetMinThreads(wanted, io);
    }

    /// <summary>Sessions currently open or connecting (for tests and metrics).</summary>
    public int ActiveSessions => _capacity - _sessions.CurrentCount;

    /// <summary>Sessions in their login phase now, holding a place in the login pacing (for tests and metrics).</summary>
    public int LoginsInProgress => _logins.InProgress;

    public async Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Credentials.Count == 0)
            throw new BackupFailedException(FailureKind.Misconfigured, "The device has no credential profile.");

        var attemptTimeout = AttemptTimeout(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        context.Properties.Set(AttemptTimeoutKey, attemptTimeout);
        try
        {
            return await _retry.ExecuteAsync(static (ctx, state) => new ValueTask<CollectedConfig>(state.Self.GuardedAttemptAsync(state.Request, ctx)),
                context, (Self: this, Request: request));
        }
        catch (TimeoutRejectedException ex)
        {
            throw new BackupFailedException(FailureKind.Timeout,
                $"Collecting from {Target(request)} did not finish within {attemptTimeout.TotalSeconds:0} s.", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One attempt: wait for a session slot, then collect under the per-attempt timeout.</summary>
    private async Task<CollectedConfig> GuardedAttemptAsync(CollectionRequest request, ResilienceContext outer)
    {
        using (BackupPipeline.Activity.StartActivity("ssh.wait_slot"))
            await _sessions.WaitAsync(outer.CancellationToken);
        try
        {
            var context = ResilienceContextPool.Shared.Get(outer.CancellationToken);
            context.Properties.Set(AttemptTimeoutKey, outer.Properties.GetValue(AttemptTimeoutKey, TimeSpan.FromMinutes(2)));
            try
            {
                return await _attemptTimeout.ExecuteAsync(static (ctx, state) => new ValueTask<CollectedConfig>(state.Self.AttemptAsync(state.Request, ctx.CancellationToken)),
                    context, (Self: this, Request: request));
            }
            catch (TimeoutRejectedException ex)
            {
                // Classified here so the retry strategy sees a Timeout like any other.
                throw new BackupFailedException(FailureKind.Timeout,
                    $"Collecting from {Target(request)} did not finish within {context.Properties.GetValue(AttemptTimeoutKey, TimeSpan.Zero).TotalSeconds:0} s.", ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        finally
        {
            _sessions.Release();
        }
    }

    /// <summary>A backstop above the individual timeouts, so that they (with their precise reasons) fire first.</summary>
    private TimeSpan AttemptTimeout(CollectionRequest request)
    {
        var profile = request.Profile;
        var steps = 1 + profile.SetupCommands.Count + profile.ConfigCommands.Count + (profile.EnableCommand is null ? 0 : 2);
        return _options.ConnectTimeout * (request.Credentials.Count + 1) + _options.CommandTimeout * steps + TimeSpan.FromSeconds(5);
    }

    private async Task<CollectedConfig> AttemptAsync(CollectionRequest request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var hostKey = new HostKeyCheck(request.PinnedHostKey);
        SshLoginGate.Lease place;
        using (BackupPipeline.Activity.StartActivity("ssh.wait_login"))
            place = await _logins.EnterAsync(ct);
        // Given back after authentication (exec) or at the first prompt (shell); this using covers every failure.
        using var login = place;
        var (client, credential) = await LoginAsync(request, hostKey, ct);
        try
        {
            string raw;
            try
            {
                if (request.Profile.UseExec)
                {
                    login.Dispose();
                    raw = await CollectExecAsync(client, request, ct);
                }
                else
                {
                    raw = await CollectShellAsync(client, request, credential, login, ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw SshFailures.FromSession(ex, Target(request));
            }

            if (request.Profile.Syntax == "braces" && !BracesBalanced(raw))
                throw new BackupFailedException(FailureKind.TruncatedOutput, "The configuration ends inside an open block: the output was cut off.");

            _logger.LogInformation("Collected {Chars} characters from device {DeviceId} over SSH ({Mode}) with credential profile {CredentialProfile} in {ElapsedMs} ms",
                raw.Length, request.DeviceId, request.Profile.UseExec ? "exec" : "shell", credential.ProfileName, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new CollectedConfig(raw, credential.ProfileName, hostKey.Presented);
        }
        finally
        {
            using (BackupPipeline.Activity.StartActivity("ssh.disconnect"))
                client.Dispose();
        }
    }

    /// <summary>Tries the credentials in order; only an authentication failure moves on to the next one.</summary>
    private async Task<(SshClient Client, DeviceCredential Credential)> LoginAsync(CollectionRequest request, HostKeyCheck hostKey, CancellationToken ct)
    {
        var rejected = new List<string>();
        foreach (var credential in request.Credentials)
        {
            var methods = AuthenticationMethods(credential);
            var info = new ConnectionInfo(request.Address, request.Port, credential.Username, [.. methods])
            {
                Timeout = _options.ConnectTimeout,
                RetryAttempts = 1,
                Encoding = Encoding.UTF8,
            };
            _keyExchange.ApplyTo(info);
            var client = new SshClient(info);
            client.HostKeyReceived += hostKey.OnHostKeyReceived;
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connectTimeout.CancelAfter(_options.ConnectTimeout + TimeSpan.FromSeconds(1));
            try
            {
                using (var connect = BackupPipeline.Activity.StartActivity("ssh.connect"))
                {
                    await client.ConnectAsync(connectTimeout.Token);
                    // What the device agreed to (no secret): for tracing, and to see which devices take which exchange.
                    connect?.SetTag("ssh.kex", info.CurrentKeyExchangeAlgorithm);
                    connect?.SetTag("ssh.host_key", info.CurrentHostKeyAlgorithm);
                }
                return (client, credential);
            }
            catch (SshAuthenticationException)
            {
                client.Dispose();
                rejected.Add(credential.ProfileName);
                _logger.LogInformation("Device {DeviceId} rejected credential profile {CredentialProfile}", request.DeviceId, credential.ProfileName);
            }
            catch (Exception ex)
            {
                client.Dispose();
                if (ex is OperationCanceledException && ct.IsCancellationRequested) throw;
                if (hostKey.Mismatch)
                {
                    throw new BackupFailedException(FailureKind.HostKeyChanged,
                        $"The host key of {Target(request)} changed: it presented {hostKey.Presented}, but {hostKey.Pinned} is pinned. " +
                        "Refusing to connect until a tenant admin accepts the new fingerprint.", ex)
                    { OfferedHostKey = hostKey.Presented };
                }
                throw SshFailures.FromConnect(ex, Target(request), _options.ConnectTimeout);
            }
            finally
            {
                foreach (var m in methods) (m as IDisposable)?.Dispose();
            }
        }
        throw new BackupFailedException(FailureKind.AuthenticationFailed,
            $"{Target(request)} rejected every credential (tried: {string.Join(", ", rejected)}).");
    }

    private static List<AuthenticationMethod> AuthenticationMethods(DeviceCredential credential)
    {
        var methods = new List<AuthenticationMethod>();
        if (!string.IsNullOrEmpty(credential.PrivateKey))
        {
            try
            {
                using var keyStream = new MemoryStream(Encoding.UTF8.GetBytes(credential.PrivateKey));
                var key = string.IsNullOrEmpty(credential.Passphrase) ? new PrivateKeyFile(keyStream) : new PrivateKeyFile(keyStream, credential.Passphrase);
                methods.Add(new PrivateKeyAuthenticationMethod(credential.Username, key));
            }
            catch (Exception ex)
            {
                throw new BackupFailedException(FailureKind.Misconfigured,
                    $"The private key of credential profile '{credential.ProfileName}' cannot be read (wrong passphrase or unsupported format).", ex);
            }
        }
        if (!string.IsNullOrEmpty(credential.Password))
        {
            var password = credential.Password;
            methods.Add(new PasswordAuthenticationMethod(credential.Username, password));
            // Many devices only offer keyboard-interactive; answer every prompt with the password.
            var interactive = new KeyboardInteractiveAuthenticationMethod(credential.Username);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts) prompt.Response = password;
            };
            methods.Add(interactive);
        }
        if (methods.Count == 0)
            throw new BackupFailedException(FailureKind.Misconfigured, $"Credential profile '{credential.ProfileName}' has neither a password nor a private key.");
        return methods;
    }

    private async Task<string> CollectExecAsync(SshClient client, CollectionRequest request, CancellationToken ct)
    {
        var output = new StringBuilder();
        foreach (var commandText in request.Profile.ConfigCommands)
        {
            using var command = client.CreateCommand(commandText);
            command.CommandTimeout = _options.CommandTimeout;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.CommandTimeout);
            try
            {
                await command.ExecuteAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new BackupFailedException(FailureKind.TruncatedOutput,
                    $"'{commandText}' did not finish within {_options.CommandTimeout.TotalSeconds:0} s: the output is incomplete.");
            }
            if (command.ExitSignal is { } signal)
                throw new BackupFailedException(FailureKind.TruncatedOutput, $"'{commandText}' was ended by signal {signal} before its output was complete.");

            var result = command.Result;
            if (string.IsNullOrWhiteSpace(result))
            {
                // Let the vendor's error patterns see what the device said; no output and a failure status is a rejection.
                result = command.Error;
                if (string.IsNullOrWhiteSpace(result) && command.ExitStatus is { } status && status != 0)
                    throw new BackupFailedException(FailureKind.CommandRejected, $"The device rejected '{commandText}' (exit status {status}).");
            }
            output.Append(result);
            if (output.Length > 0 && output[^1] != '\n') output.Append('\n');
        }
        return output.ToString();
    }

    /// <summary>
    /// Opens the interactive shell (session channel, pty, shell: three request/reply round trips). While it waits, the
    /// client sends an SSH_MSG_IGNORE every <see cref="SshCollectorOptions.ShellOpenNudgeInterval"/> (SSH.NET's keep-alive),
    /// because an OpenSSH server (also inside JunOS, EOS, AOS-CX) sends its post-authentication host-key announcement
    /// and then the channel-open confirmation as two small TCP segments before it turns Nagle off (it does that once a
    /// pty exists): the confirmation waits until the client acknowledges the first segment, and a Linux client delays
    /// that acknowledgement by 40 ms when it has nothing to send. The ignore message carries the acknowledgement
    /// (ADR-017: 50 ms → 10 ms per session against the lab's sshd).
    /// </summary>
    private ShellStream OpenShell(SshClient client)
    {
        var nudge = _options.ShellOpenNudgeInterval;
        if (nudge > TimeSpan.Zero) client.KeepAliveInterval = nudge;
        try
        {
            return client.CreateShellStream("vt100", _options.TerminalColumns, 0, 0, 0, 64 * 1024);
        }
        finally
        {
            if (nudge > TimeSpan.Zero) client.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        }
    }

    /// <summary>The login's place in the gate is given back at the first prompt, before enable mode and the commands.</summary>
    private async Task<string> CollectShellAsync(SshClient client, CollectionRequest request, DeviceCredential credential, SshLoginGate.Lease login, CancellationToken ct)
    {
        var profile = request.Profile;
        var shellActivity = BackupPipeline.Activity.StartActivity("ssh.shell");
        using var shell = OpenShell(client);
        shellActivity?.Dispose();
        var reader = new ShellReader(shell, Encoding.UTF8);
        try
        {
            var dialog = new ShellDialog(shell, reader, profile, _options);
            using (BackupPipeline.Activity.StartActivity("ssh.prompt"))
            {
                await dialog.LoginAsync(ct);
                login.Dispose();
                await dialog.EnableIfNeededAsync(credential.EnableSecret, credential.ProfileName, ct);
            }
            using (BackupPipeline.Activity.StartActivity("ssh.setup"))
            {
                foreach (var setup in profile.SetupCommands)
                    await dialog.SetupAsync(setup, ct);
            }
            var output = new StringBuilder();
            using (BackupPipeline.Activity.StartActivity("ssh.commands"))
            {
                foreach (var command in profile.ConfigCommands)
                {
                    output.Append(await dialog.RunAsync(command, ct));
                    if (output.Length > 0 && output[^1] != '\n') output.Append('\n');
                }
            }
            return output.ToString();
        }
        finally
        {
            using (BackupPipeline.Activity.StartActivity("ssh.close"))
                shell.Close();
        }
    }

    private static bool BracesBalanced(string text)
    {
        var depth = 0;
        var inQuote = false;
        foreach (var line in text.Split('\n'))
        {
            // JunOS comments ("## ...", "/* ... */") never hold structural braces worth counting.
            var l = line.TrimStart();
            if (l.StartsWith('#') || l.StartsWith("/*", StringComparison.Ordinal)) continue;
            foreach (var c in line)
            {
                if (c == '"') inQuote = !inQuote;
                else if (!inQuote && c == '{') depth++;
                else if (!inQuote && c == '}') depth--;
            }
            inQuote = false;
        }
        return depth == 0;
    }

    private static string Target(CollectionRequest request) => $"{request.Address}:{request.Port}";

    public void Dispose()
    {
        _sessions.Dispose();
        _logins.Dispose();
    }

    /// <summary>Host-key check of one attempt: trust on first use, refuse a key other than the pinned one.</summary>
    private sealed class HostKeyCheck(string? pinned)
    {
        public string? Pinned { get; } = pinned;
        public string? Presented { get; private set; }
        public bool Mismatch { get; private set; }

        public void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
        {
            Presented = HostKeys.Format(e.FingerPrintSHA256);
            if (Pinned is { Length: > 0 } pin && !HostKeys.SameKey(pin, Presented))
            {
                Mismatch = true;
                e.CanTrust = false;
            }
        }
    }
}
