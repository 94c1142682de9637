using System.Diagnostics;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Infrastructure.Collectors.Ssh;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

internal static class SshTestKit
{
    /// <summary>Every secret the tests hand to the collector; none may appear in a message or a log line.</summary>
    public static readonly string[] AllCredentialSecrets =
        [SshDeviceLab.Password, SshDeviceLab.KeyPassphrase, "Wrong-Pass-1", "Wrong-Pass-2", "En4ble-Secret!", "Asa-Enable-9", "Wrong-Enable-3"];

    public static (SshDeviceCollector Collector, FakeLogger<SshDeviceCollector> Logger) Collector(Action<SshCollectorOptions>? configure = null)
    {
        var options = new SshCollectorOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(5),
            RetryCount = 0,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            PromptSettleTime = TimeSpan.FromMilliseconds(100),
        };
        configure?.Invoke(options);
        var logger = new FakeLogger<SshDeviceCollector>();
        return (new SshDeviceCollector(Options.Create(options), logger), logger);
    }

    public static DeviceCredential Good(string vendor, string name = "primary") =>
        new(name, SshDeviceLab.User, SshDeviceLab.Password, null, null, VendorEmulations.All.FirstOrDefault(v => v.Vendor == vendor)?.Spec.EnableSecret);

    public static DeviceCredential Wrong(string name, string password = "Wrong-Pass-1") =>
        new(name, SshDeviceLab.User, password, null, null, null);

    public static CollectionRequest Request(int port, string vendor, IReadOnlyList<DeviceCredential> credentials, string? pinnedHostKey = null) => new()
    {
        TenantId = 1,
        DeviceId = port,
        DeviceName = $"{vendor}-{port}",
        Address = "127.0.0.1",
        Port = port,
        Profile = VendorProfiles.Get(vendor),
        RunNumber = 1,
        Credentials = credentials,
        PinnedHostKey = pinnedHostKey,
    };

    /// <summary>Runs the collection, asserts it fails with <paramref name="kind"/> within <paramref name="bound"/>, and that nothing secret leaked.</summary>
    public static async Task<(BackupFailedException Error, TimeSpan Elapsed)> AssertFailsAsync(
        FailureKind kind, TimeSpan bound, Func<Task> collect, FakeLogger<SshDeviceCollector>? logger = null)
    {
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<BackupFailedException>(collect);
        sw.Stop();
        Assert.True(ex.Kind == kind, $"Expected {kind} but got {ex.Kind}: {ex.Message}");
        Assert.True(sw.Elapsed < bound, $"{kind} took {sw.Elapsed.TotalSeconds:0.00} s, more than the {bound.TotalSeconds} s bound.");
        AssertNoSecrets(ex.Message);
        if (logger is not null) AssertNoSecretsLogged(logger);
        return (ex, sw.Elapsed);
    }

    public static void AssertNoSecrets(string text)
    {
        foreach (var secret in AllCredentialSecrets)
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }

    public static void AssertNoSecretsLogged(FakeLogger<SshDeviceCollector> logger)
    {
        foreach (var record in logger.Collector.GetSnapshot())
            AssertNoSecrets(record.Message + record.Exception?.Message);
    }

    public static string[] Lines(string stored) => stored.Split('\n');
}
