using System.Collections.Concurrent;
using System.Diagnostics;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Infrastructure.Collectors.Ssh;
using Xunit;
using static ConfigPortal.Infrastructure.Tests.Ssh.SshTestKit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>The key-exchange offer (ADR-019): its default order, a configured order, and what a real sshd agrees to.</summary>
[Collection(SshLabCollection.Name)]
public sealed class SshKeyExchangeTests(SshDeviceLab lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_default_offer_is_the_libraries_own_with_the_nist_curves_ahead_of_curve25519()
    {
        var offer = new KeyExchangeOffer(null).Algorithms;
        Assert.Equal(KeyExchangeOffer.Supported.Order(StringComparer.Ordinal), offer.Order(StringComparer.Ordinal));
        int At(string name) => offer.ToList().IndexOf(name);
        // Post-quantum hybrids first, as SSH.NET has them.
        Assert.Equal(0, At("mlkem768x25519-sha256"));
        Assert.True(At("sntrup761x25519-sha512@openssh.com") < At("ecdh-sha2-nistp256"));
        // Then the NIST curves, before Curve25519.
        Assert.True(At("ecdh-sha2-nistp256") < At("ecdh-sha2-nistp384"));
        Assert.True(At("ecdh-sha2-nistp521") < At("curve25519-sha256"));
        Assert.True(At("curve25519-sha256") < At("diffie-hellman-group-exchange-sha256"));
        // The SHA-1 exchanges stay last, for old devices.
        Assert.Equal("diffie-hellman-group1-sha1", offer[^1]);
        // Everything else in SSH.NET's order.
        var others = KeyExchangeOffer.Supported.Where(n => !n.StartsWith("ecdh-sha2-nistp", StringComparison.Ordinal)).ToList();
        Assert.Equal(others, offer.Where(others.Contains).ToList());
    }

    [Fact]
    public void An_unknown_algorithm_is_a_configuration_error_that_names_it_and_the_supported_ones()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new KeyExchangeOffer(["ecdh-sha2-nistp256", "curve448-sha512"]));
        Assert.Contains("'curve448-sha512'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("curve25519-sha256", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ex.Message, KeyExchangeOffer.ProblemWith(["ecdh-sha2-nistp256", " curve448-sha512 "]));
        Assert.Null(KeyExchangeOffer.ProblemWith(null));
        Assert.Null(KeyExchangeOffer.ProblemWith([" ecdh-sha2-nistp256"]));
        // The collector refuses it when it is built, not at the first backup.
        Assert.Throws<InvalidOperationException>(() => Collector(o => o.KeyExchangeAlgorithms = ["nope"]));
    }

    [Fact]
    public void A_configured_offer_is_offered_exactly_in_its_order()
    {
        var offer = new KeyExchangeOffer([" curve25519-sha256", "ecdh-sha2-nistp384", "curve25519-sha256"]);
        Assert.Equal(["curve25519-sha256", "ecdh-sha2-nistp384"], offer.Algorithms);
        var info = new Renci.SshNet.ConnectionInfo("192.0.2.1", 22, "u", new Renci.SshNet.NoneAuthenticationMethod("u"));
        offer.ApplyTo(info);
        Assert.Equal(["curve25519-sha256", "ecdh-sha2-nistp384"], info.KeyExchangeAlgorithms.Keys);
        Assert.Empty(new KeyExchangeOffer([]).Algorithms.Except(KeyExchangeOffer.Default));
    }

    [Theory]
    [InlineData("ecdh-sha2-nistp256", "curve25519-sha256")]
    [InlineData("curve25519-sha256", "ecdh-sha2-nistp256")]
    public async Task A_real_sshd_offering_both_agrees_to_the_first_of_the_offer(string first, string second)
    {
        var agreed = new ConcurrentQueue<(string? Kex, string? HostKey)>();
        using var listener = Listen(agreed);
        var (collector, logger) = Collector(o => o.KeyExchangeAlgorithms = [first, second]);
        var collected = await collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct);
        Assert.Contains("hostname core-rtr1", collected.RawText, StringComparison.Ordinal);
        var (kex, hostKey) = Assert.Single(agreed);
        Assert.Equal(first, kex);
        Assert.Equal("ssh-ed25519", hostKey);
        AssertNoSecretsLogged(logger);
    }

    [Fact]
    public async Task No_algorithm_in_common_is_misconfigured_at_once_and_not_retried()
    {
        // OpenSSH 9.2 no longer offers the 1024-bit SHA-1 group.
        var (collector, logger) = Collector(o =>
        {
            o.KeyExchangeAlgorithms = ["diffie-hellman-group1-sha1"];
            o.RetryCount = 3;
            o.RetryBaseDelay = TimeSpan.FromSeconds(2);
        });
        var (ex, _) = await AssertFailsAsync(FailureKind.Misconfigured, TimeSpan.FromSeconds(2),
            () => collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), Ct), logger);
        Assert.Contains("key exchange", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Ssh:KeyExchangeAlgorithms", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Message.Contains("retry", StringComparison.Ordinal));
    }

    private static ActivityListener Listen(ConcurrentQueue<(string? Kex, string? HostKey)> agreed)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BackupPipeline.Activity.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                if (a.OperationName == "ssh.connect" && a.GetTagItem("ssh.kex") is not null)
                    agreed.Enqueue((a.GetTagItem("ssh.kex") as string, a.GetTagItem("ssh.host_key") as string));
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
