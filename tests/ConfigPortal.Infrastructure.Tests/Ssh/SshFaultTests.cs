using System.Diagnostics;
using System.Net.Sockets;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Infrastructure.Collectors.Ssh;
using Microsoft.Extensions.Logging.Testing;
using Renci.SshNet.Common;
using Xunit;
using static ConfigPortal.Infrastructure.Tests.Ssh.SshTestKit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>Faults against real sshd emulators: each ends in the right classification, within its time limit, without leaking a secret.</summary>
[Collection(SshLabCollection.Name)]
public sealed class SshFaultTests(SshDeviceLab lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Closed_port_is_connection_refused_after_the_configured_retries()
    {
        var (collector, logger) = Collector(o => o.RetryCount = 2);
        await AssertFailsAsync(FailureKind.ConnectionRefused, TimeSpan.FromSeconds(3),
            () => collector.CollectAsync(Request(lab.ClosedPort, "cisco_ios", [Good("cisco_ios")]), Ct), logger);
        Assert.Equal(2, logger.Collector.GetSnapshot().Count(r => r.Message.Contains("retry", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Host_that_accepts_tcp_and_never_answers_times_out()
    {
        var (collector, logger) = Collector(o =>
        {
            o.ConnectTimeout = TimeSpan.FromSeconds(1);
            o.RetryCount = 1;
        });
        var (_, elapsed) = await AssertFailsAsync(FailureKind.Timeout, TimeSpan.FromSeconds(5),
            () => collector.CollectAsync(Request(lab.BlackHolePort, "cisco_ios", [Good("cisco_ios")]), Ct), logger);
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.9), $"Two attempts of 1 s each cannot end in {elapsed.TotalSeconds:0.00} s.");
        Assert.Equal(1, logger.Collector.GetSnapshot().Count(r => r.Message.Contains("retry", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Device_that_logs_in_but_never_shows_a_prompt_times_out()
    {
        var (collector, logger) = Collector(o => o.CommandTimeout = TimeSpan.FromSeconds(1.5));
        await AssertFailsAsync(FailureKind.Timeout, TimeSpan.FromSeconds(5),
            () => collector.CollectAsync(Request(lab.Port("ios-silent"), "cisco_ios", [Good("cisco_ios")]), Ct), logger);
    }

    [Fact]
    public async Task Wrong_password_falls_back_to_the_next_credential_and_names_it()
    {
        var (collector, logger) = Collector();
        var collected = await collector.CollectAsync(
            Request(lab.Port("cisco_nxos"), "cisco_nxos", [Wrong("old-admin"), Wrong("older-admin", "Wrong-Pass-2"), Good("cisco_nxos", "current-admin")]), Ct);
        Assert.Equal("current-admin", collected.CredentialUsed);
        Assert.Contains("hostname nx-core1", collected.RawText, StringComparison.Ordinal);
        AssertNoSecretsLogged(logger);
    }

    [Fact]
    public async Task Private_key_with_passphrase_logs_in()
    {
        var (collector, _) = Collector();
        var key = new DeviceCredential("key-profile", SshDeviceLab.User, null, lab.ClientPrivateKey, SshDeviceLab.KeyPassphrase, null);
        var collected = await collector.CollectAsync(Request(lab.Port("juniper_junos"), "juniper_junos", [Wrong("old-admin"), key]), Ct);
        Assert.Equal("key-profile", collected.CredentialUsed);
        Assert.Contains("host-name mx-edge1;", collected.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_credential_rejected_is_auth_failed_without_retry()
    {
        // Retries are configured with a 10 s first delay: finishing under it, with no retry logged, proves none happened.
        // (Two rejected logins take about 1 s each on a loaded 2-core machine, so the bound is not tighter.)
        var (collector, logger) = Collector(o =>
        {
            o.RetryCount = 3;
            o.RetryBaseDelay = TimeSpan.FromSeconds(10);
        });
        var (ex, _) = await AssertFailsAsync(FailureKind.AuthenticationFailed, TimeSpan.FromSeconds(5),
            () => collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Wrong("old-admin"), Wrong("older-admin", "Wrong-Pass-2")]), Ct), logger);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Message.Contains("retry", StringComparison.Ordinal));
        Assert.Contains("old-admin", ex.Message, StringComparison.Ordinal);
        Assert.Contains("older-admin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_enable_secret_is_auth_failed()
    {
        var (collector, logger) = Collector();
        var credential = new DeviceCredential("primary", SshDeviceLab.User, SshDeviceLab.Password, null, null, "Wrong-Enable-3");
        await AssertFailsAsync(FailureKind.AuthenticationFailed, TimeSpan.FromSeconds(5),
            () => collector.CollectAsync(Request(lab.Port("cisco_asa"), "cisco_asa", [credential]), Ct), logger);
    }

    [Fact]
    public async Task A_banner_line_that_looks_like_a_prompt_is_not_taken_for_the_prompt()
    {
        // The banner ends a chunk with "noc-desk#" and the device pauses 0.6 s, longer than the 100 ms settle time,
        // before the rest of the banner and its real prompt. Waiting for quiet alone would learn "noc-desk#" and then
        // wait for it after every command; the Enter the dialog presses shows which prompt repeats.
        var (collector, logger) = Collector(o => o.CommandTimeout = TimeSpan.FromSeconds(5));
        var collected = await collector.CollectAsync(Request(lab.Port("ios-banner-prompt"), "cisco_ios", [Good("cisco_ios")]), Ct);
        Assert.StartsWith("Building configuration", collected.RawText.TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("noc-desk", collected.RawText, StringComparison.Ordinal);
        AssertWholeIosConfig(collected, logger);
    }

    [Fact]
    public async Task A_device_slow_to_answer_the_login_enter_does_not_desynchronize_the_dialog()
    {
        // Nothing comes back for 0.6 s after the login's Enter (no echo either): trusting the quiet prompt after the
        // 100 ms settle time would let the Enter's answer, a second prompt, land inside the first command's output.
        var (collector, logger) = Collector(o => o.CommandTimeout = TimeSpan.FromSeconds(5));
        var collected = await collector.CollectAsync(Request(lab.Port("ios-slow-answer"), "cisco_ios", [Good("cisco_ios")]), Ct);
        AssertWholeIosConfig(collected, logger);
    }

    /// <summary>The collected output normalizes to the emulator's whole IOS config (hostname to "end"), and no secret was logged.</summary>
    private static void AssertWholeIosConfig(CollectedConfig collected, FakeLogger<SshDeviceCollector> logger)
    {
        var config = ConfigNormalizer.Normalize(collected.RawText, VendorProfiles.Get("cisco_ios"), maskSecrets: true);
        Assert.Contains("hostname core-rtr1", config.Text, StringComparison.Ordinal);
        Assert.EndsWith("end", config.Text.TrimEnd(), StringComparison.Ordinal);
        AssertNoSecretsLogged(logger);
    }

    [Fact]
    public async Task A_shell_collection_is_traced_step_by_step()
    {
        using var source = new ActivitySource("ConfigPortal.Tests.SshTracing");
        var backups = BackupPipeline.Activity.Name; // created before the listener asks about it
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ActivityTraceId trace = default;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name || s.Name == backups,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => { if (a.TraceId == trace) seen.Enqueue(a.OperationName); },
        };
        ActivitySource.AddActivityListener(listener);
        var (collector, _) = Collector();
        using (var root = source.StartActivity("test"))
        {
            trace = root!.TraceId;
            var collected = await collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct);
            Assert.Contains("hostname core-rtr1", collected.RawText, StringComparison.Ordinal);
        }
        // Every step of a shell session, once, in order of completion.
        Assert.Equal(["ssh.wait_slot", "ssh.wait_login", "ssh.connect", "ssh.shell", "ssh.prompt", "ssh.setup", "ssh.commands", "ssh.close", "ssh.disconnect", "test"], seen.ToArray());
    }

    [Fact]
    public async Task The_shell_opens_alike_with_and_without_the_acknowledgement_nudge()
    {
        // The nudge (SSH ignore messages while the shell opens, ADR-017) must not change what a device sees or returns.
        var (nudged, nudgedLog) = Collector(o => o.ShellOpenNudgeInterval = TimeSpan.FromMilliseconds(1));
        var (plain, plainLog) = Collector(o => o.ShellOpenNudgeInterval = TimeSpan.Zero);
        var a = await nudged.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct);
        var b = await plain.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct);
        Assert.Contains("hostname core-rtr1", a.RawText, StringComparison.Ordinal);
        Assert.Equal(ConfigNormalizer.Normalize(b.RawText, VendorProfiles.Find("cisco_ios")!, maskSecrets: true).CompareHash,
            ConfigNormalizer.Normalize(a.RawText, VendorProfiles.Find("cisco_ios")!, maskSecrets: true).CompareHash);
        AssertNoSecretsLogged(nudgedLog);
        AssertNoSecretsLogged(plainLog);
    }

    [Fact]
    public async Task Output_cut_mid_config_is_truncated()
    {
        // NX-OS has no end marker: the collector itself must notice that the session ended before the prompt.
        var (collector, logger) = Collector(o => o.RetryCount = 2);
        await AssertFailsAsync(FailureKind.TruncatedOutput, TimeSpan.FromSeconds(4),
            () => collector.CollectAsync(Request(lab.Port("nxos-cut"), "cisco_nxos", [Good("cisco_nxos")]), Ct), logger);
    }

    [Fact]
    public async Task Missing_final_prompt_is_truncated_after_the_command_timeout()
    {
        var (collector, logger) = Collector(o => o.CommandTimeout = TimeSpan.FromSeconds(1.5));
        var (_, elapsed) = await AssertFailsAsync(FailureKind.TruncatedOutput, TimeSpan.FromSeconds(6),
            () => collector.CollectAsync(Request(lab.Port("nxos-hang"), "cisco_nxos", [Good("cisco_nxos")]), Ct), logger);
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Exec_output_killed_mid_config_is_truncated()
    {
        var (collector, logger) = Collector();
        await AssertFailsAsync(FailureKind.TruncatedOutput, TimeSpan.FromSeconds(4),
            () => collector.CollectAsync(Request(lab.Port("junos-kill"), "juniper_junos", [Good("juniper_junos")]), Ct), logger);
    }

    [Theory]
    [InlineData("ios-invalid", "cisco_ios")]
    [InlineData("routeros-invalid", "mikrotik_routeros")]
    public async Task Invalid_input_instead_of_a_config_is_command_rejected(string device, string vendor)
    {
        var (collector, _) = Collector();
        var collected = await collector.CollectAsync(Request(lab.Port(device), vendor, [Good(vendor)]), Ct);
        var ex = Assert.Throws<BackupFailedException>(() => ConfigNormalizer.Normalize(collected.RawText, VendorProfiles.Get(vendor), maskSecrets: true));
        Assert.Equal(FailureKind.CommandRejected, ex.Kind);
    }

    [Fact]
    public async Task First_contact_trusts_and_returns_the_host_key_fingerprint()
    {
        var (collector, _) = Collector();
        var first = await collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")], pinnedHostKey: null), Ct);
        Assert.Equal(lab.HostKeyFingerprint, first.HostKeyFingerprint);
        Assert.StartsWith("SHA256:", first.HostKeyFingerprint, StringComparison.Ordinal);

        var pinned = await collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")], pinnedHostKey: first.HostKeyFingerprint), Ct);
        Assert.Equal(first.HostKeyFingerprint, pinned.HostKeyFingerprint);
    }

    [Fact]
    public async Task Changed_host_key_is_refused_and_names_the_new_fingerprint()
    {
        var (collector, logger) = Collector(o =>
        {
            o.RetryCount = 3;
            o.RetryBaseDelay = TimeSpan.FromSeconds(2);
        });
        var (ex, _) = await AssertFailsAsync(FailureKind.HostKeyChanged, TimeSpan.FromSeconds(2),
            () => collector.CollectAsync(Request(lab.ChangedKeyPort, "cisco_ios", [Good("cisco_ios")], pinnedHostKey: lab.HostKeyFingerprint), Ct), logger);
        Assert.Contains(lab.OtherHostKeyFingerprint, ex.Message, StringComparison.Ordinal);
        Assert.Contains(lab.HostKeyFingerprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_cap_queues_collections_beyond_the_limit()
    {
        // Each "ios-slow" collection takes at least 0.8 s on the device; with one session at a time, three take 2.4 s or more.
        var (collector, _) = Collector(o => o.MaxConcurrentSessions = 1);
        var peak = 0;
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, collector.ActiveSessions);
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        var runs = Enumerable.Range(0, 3).Select(_ => collector.CollectAsync(Request(lab.Port("ios-slow"), "cisco_ios", [Good("cisco_ios")]), Ct)).ToArray();
        var results = await Task.WhenAll(runs);
        sw.Stop();
        await stop.CancelAsync();
        await watcher;

        Assert.All(results, r => Assert.Contains("hostname core-rtr1", r.RawText, StringComparison.Ordinal));
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2.4), $"Three capped collections finished in {sw.Elapsed.TotalSeconds:0.00} s.");
        Assert.Equal(1, peak);
    }

    [Fact]
    public async Task Login_pacing_gives_each_place_back_when_the_login_ends()
    {
        // One login at a time, and a hold limit far beyond the test's bound: the places must come back at each first
        // prompt (shell), after the login (exec) and when every credential was rejected, not by the hold limit.
        var (collector, _) = Collector(o =>
        {
            o.MaxConcurrentLogins = 1;
            o.LoginHoldLimit = TimeSpan.FromMinutes(5);
        });
        // "ios-slow" takes 0.8 s to answer its command: the session is open, its login long over.
        var slow = collector.CollectAsync(Request(lab.Port("ios-slow"), "cisco_ios", [Good("cisco_ios")]), Ct);
        // After its login held the place, the open session goes without it for most of the device's 0.8 s.
        var loggedIn = false;
        var without = new Stopwatch();
        var longestWithout = TimeSpan.Zero;
        while (!slow.IsCompleted)
        {
            var logins = collector.LoginsInProgress;
            loggedIn |= logins == 1;
            if (loggedIn && logins == 0 && collector.ActiveSessions == 1) without.Start();
            else without.Reset();
            longestWithout = without.Elapsed > longestWithout ? without.Elapsed : longestWithout;
            await Task.Delay(5, CancellationToken.None);
        }
        Assert.Contains("hostname core-rtr1", (await slow).RawText, StringComparison.Ordinal);
        Assert.True(loggedIn, "The login never held a place.");
        Assert.True(longestWithout >= TimeSpan.FromMilliseconds(400),
            $"The session gave its login place back for at most {longestWithout.TotalMilliseconds:0} ms while it waited for its command.");

        var sw = Stopwatch.StartNew();
        var shell = Enumerable.Range(0, 3).Select(_ => collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct)).ToArray();
        var exec = collector.CollectAsync(Request(lab.Port("juniper_junos"), "juniper_junos", [Good("juniper_junos")]), Ct);
        var rejected = Assert.ThrowsAsync<BackupFailedException>(() => collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Wrong("old-admin")]), Ct));
        var results = await Task.WhenAll(shell).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Contains("host-name mx-edge1;", (await exec.WaitAsync(TimeSpan.FromSeconds(60), Ct)).RawText, StringComparison.Ordinal);
        Assert.Equal(FailureKind.AuthenticationFailed, (await rejected.WaitAsync(TimeSpan.FromSeconds(60), Ct)).Kind);
        sw.Stop();

        Assert.All(results, r => Assert.Contains("hostname core-rtr1", r.RawText, StringComparison.Ordinal));
        Assert.Equal(0, collector.LoginsInProgress);
        Assert.Equal(0, collector.ActiveSessions);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"Five paced collections took {sw.Elapsed.TotalSeconds:0.0} s.");
    }

    [Fact]
    public async Task A_stalled_login_holds_its_pacing_place_only_for_the_hold_limit()
    {
        // The black hole accepts TCP and never answers: its login holds the only place until the hold limit (0.3 s), not
        // until its connect timeout (4 s), so a good device queued behind it is backed up long before that timeout.
        var (collector, logger) = Collector(o =>
        {
            o.MaxConcurrentLogins = 1;
            o.LoginHoldLimit = TimeSpan.FromMilliseconds(300);
            o.ConnectTimeout = TimeSpan.FromSeconds(4);
        });
        var stalled = collector.CollectAsync(Request(lab.BlackHolePort, "cisco_ios", [Good("cisco_ios")]), Ct);
        var waited = Stopwatch.StartNew();
        while (collector.LoginsInProgress == 0 && waited.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(5, Ct);
        Assert.Equal(1, collector.LoginsInProgress);

        var good = await collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct);
        Assert.Contains("hostname core-rtr1", good.RawText, StringComparison.Ordinal);
        Assert.False(stalled.IsCompleted, "The good device should have been backed up while the black hole still held its connect.");

        var ex = await Assert.ThrowsAsync<BackupFailedException>(() => stalled);
        Assert.Equal(FailureKind.Timeout, ex.Kind);
        AssertNoSecretsLogged(logger);
        Assert.Equal(0, collector.LoginsInProgress);
    }

    [Fact]
    public void Socket_and_ssh_errors_are_classified()
    {
        var target = "192.0.2.1:22";
        var t = TimeSpan.FromSeconds(5);
        Assert.Equal(FailureKind.ConnectionRefused, SshFailures.FromConnect(new SocketException((int)SocketError.ConnectionRefused), target, t).Kind);
        Assert.Equal(FailureKind.Unreachable, SshFailures.FromConnect(new SocketException((int)SocketError.HostUnreachable), target, t).Kind);
        Assert.Equal(FailureKind.Unreachable, SshFailures.FromConnect(new SocketException((int)SocketError.NetworkUnreachable), target, t).Kind);
        Assert.Equal(FailureKind.Unreachable, SshFailures.FromConnect(new SocketException((int)SocketError.HostNotFound), target, t).Kind);
        Assert.Equal(FailureKind.Timeout, SshFailures.FromConnect(new SshOperationTimeoutException("x"), target, t).Kind);
        Assert.Equal(FailureKind.Unreachable, SshFailures.FromConnect(new SshConnectionException("x"), target, t).Kind);
        Assert.Equal(FailureKind.TruncatedOutput, SshFailures.FromSession(new SshConnectionException("x"), target).Kind);
        Assert.True(SshFailures.IsRetryable(FailureKind.Timeout));
        Assert.False(SshFailures.IsRetryable(FailureKind.AuthenticationFailed));
        Assert.False(SshFailures.IsRetryable(FailureKind.HostKeyChanged));
        Assert.False(SshFailures.IsRetryable(FailureKind.TruncatedOutput));
    }

    [Fact]
    public void Fingerprints_compare_with_or_without_prefix_and_padding()
    {
        Assert.True(HostKeys.SameKey("SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og", "ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og="));
        Assert.False(HostKeys.SameKey("SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og", "SHA256:OHD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og"));
        Assert.Equal("SHA256:abc", HostKeys.Format("abc="));
    }
}
