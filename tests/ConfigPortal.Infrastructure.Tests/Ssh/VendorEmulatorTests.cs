using ConfigPortal.Domain.Configs;
using Xunit;
using static ConfigPortal.Infrastructure.Tests.Ssh.SshTestKit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>Every vendor profile against its emulator on a real sshd: collect, normalize, mask, hash.</summary>
[Collection(SshLabCollection.Name)]
public sealed class VendorEmulatorTests(SshDeviceLab lab)
{
    public static TheoryData<string> Vendors => new(VendorEmulations.All.Select(v => v.Vendor));

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task Collected_config_keeps_the_body_drops_volatile_lines_and_masks_every_secret(string vendor)
    {
        var emulation = VendorEmulations.Get(vendor);
        var profile = VendorProfiles.Get(vendor);
        var (collector, logger) = Collector();

        var collected = await collector.CollectAsync(Request(lab.Port(vendor), vendor, [Good(vendor)]), TestContext.Current.CancellationToken);

        Assert.Equal("primary", collected.CredentialUsed);
        Assert.Equal(lab.HostKeyFingerprint, collected.HostKeyFingerprint);
        // The secrets really came over the wire (so their absence below is the masking's doing).
        Assert.Contains(emulation.Secrets.First(s => !s.StartsWith("En4ble", StringComparison.Ordinal) && !s.StartsWith("Asa-Enable", StringComparison.Ordinal)), collected.RawText, StringComparison.Ordinal);

        var normalized = ConfigNormalizer.Normalize(collected.RawText, profile, maskSecrets: true);
        var lines = Lines(normalized.Text);

        foreach (var expected in emulation.ExpectedLines)
            Assert.True(lines.Contains(expected), $"{vendor}: the stored config lacks the line '{expected}'.\n---\n{normalized.Text}");
        foreach (var secret in emulation.Secrets)
            Assert.False(normalized.Text.Contains(secret, StringComparison.Ordinal), $"{vendor}: the secret '{secret}' survived masking.\n---\n{normalized.Text}");
        foreach (var prefix in emulation.DeletedPrefixes)
            Assert.False(lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)), $"{vendor}: a volatile line '{prefix}...' was stored.\n---\n{normalized.Text}");
        Assert.DoesNotContain(lines, l => l.Contains('\b', StringComparison.Ordinal) || l.Contains('\r', StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => profile.Prompt.IsMatch(l) && l.Trim() == emulation.Spec.Prompt.Trim());
        Assert.True(normalized.MaskedSecrets >= emulation.ExpectedLines.Count(l => l.Contains(VendorProfiles.SecretPlaceholder, StringComparison.Ordinal)));
        AssertNoSecretsLogged(logger);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task A_second_backup_that_differs_only_in_volatile_lines_has_the_same_hash(string vendor)
    {
        var profile = VendorProfiles.Get(vendor);
        var (collector, _) = Collector();
        var request = Request(lab.Port(vendor), vendor, [Good(vendor)], pinnedHostKey: lab.HostKeyFingerprint);

        var first = await collector.CollectAsync(request, TestContext.Current.CancellationToken);
        var second = await collector.CollectAsync(request, TestContext.Current.CancellationToken);

        if (VendorEmulations.Get(vendor).RawDiffersBetweenRuns)
            Assert.NotEqual(first.RawText, second.RawText);
        var a = ConfigNormalizer.Normalize(first.RawText, profile, maskSecrets: true);
        var b = ConfigNormalizer.Normalize(second.RawText, profile, maskSecrets: true);
        Assert.True(a.CompareHash == b.CompareHash, $"{vendor}: hashes differ.\n--- first\n{a.Text}\n--- second\n{b.Text}");
    }

    [Fact]
    public async Task Pager_prompts_are_answered_and_leave_no_trace()
    {
        // This IOS ignores "terminal length 0": the collector has to answer " --More-- " itself.
        var profile = VendorProfiles.CiscoIos;
        var (collector, _) = Collector();
        var ct = TestContext.Current.CancellationToken;

        var paged = await collector.CollectAsync(Request(lab.Port("ios-paging"), "cisco_ios", [Good("cisco_ios")]), ct);
        var plain = await collector.CollectAsync(Request(lab.Port("cisco_ios"), "cisco_ios", [Good("cisco_ios")]), ct);

        Assert.DoesNotContain("--More--", paged.RawText, StringComparison.Ordinal);
        var a = ConfigNormalizer.Normalize(paged.RawText, profile, maskSecrets: true);
        var b = ConfigNormalizer.Normalize(plain.RawText, profile, maskSecrets: true);
        Assert.Equal(b.LineCount, a.LineCount);
        Assert.Equal(b.CompareHash, a.CompareHash);

        // Control: the device really pages. Without a pager pattern nobody answers it and the prompt never comes.
        var (blind, _) = Collector(o => o.CommandTimeout = TimeSpan.FromSeconds(1.5));
        var request = Request(lab.Port("ios-paging"), "cisco_ios", [Good("cisco_ios")]) with { Profile = profile with { MorePrompt = null } };
        var ex = await Assert.ThrowsAsync<ConfigPortal.Domain.Backups.BackupFailedException>(() => blind.CollectAsync(request, ct));
        Assert.Equal(ConfigPortal.Domain.Backups.FailureKind.TruncatedOutput, ex.Kind);
    }
}
