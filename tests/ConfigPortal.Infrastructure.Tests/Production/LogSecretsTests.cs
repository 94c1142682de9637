using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Infrastructure.Tests.Production;

/// <summary>
/// Every log record of backups (all categories, EF Core included, down to Debug) is free of the secrets the simulator
/// plants in device configs and of the credential profile's secrets, and the pipeline's records carry the run's
/// correlation id in their scope.
/// </summary>
public sealed class LogSecretsTests
{
    private const string DevicePassword = "Pl4nted-Device-Passw0rd";
    private const string EnableSecret = "Pl4nted-Enable-S3cret";

    // Fragments of the secrets SimulatedConfigGenerator plants (enable/user secrets, OSPF and TACACS keys, SNMP
    // communities, Junos/RouterOS/FortiOS secrets) and the config lines that hold them.
    private static readonly string[] Planted =
    [
        DevicePassword, EnableSecret, "$9$simulated", "$9$adm", "$9$bkp", "0822455D0A16", "045802150C2E", "S1mCommunity",
        "JunS1m", "$6$sim", "$6$adm", "RosS1m", "Secret service=l2tp", "wpa2-pre-shared-key=Wifi", "ENC SH2",
        "enable secret 9", "snmp-server community", "tacacs server", "key 7 ",
    ];

    [Fact]
    public async Task Backups_with_planted_secrets_and_a_credential_profile_log_no_secret()
    {
        await using var portal = await PortalHost.StartAsync(runBaselineBackups: false,
            configure: b => b.Logging.SetMinimumLevel(LogLevel.Debug));
        var acme = portal.AcmeId;
        int credentialId;
        await using (var scope = portal.ScopeAs(acme, "admin@acme.example"))
        {
            credentialId = await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
            {
                Name = "planted",
                Username = "netops",
                Password = DevicePassword,
                EnableSecret = EnableSecret,
            });
        }
        var devices = new List<int>();
        foreach (var vendor in new[] { "cisco_ios", "juniper_junos", "mikrotik_routeros", "fortinet_fortios" })
            devices.Add(await portal.CreateDeviceAsync(acme, "planted-" + vendor.Replace('_', '-'), SimulatorBehavior.Drifting, vendor, credentialProfileId: credentialId));
        portal.Logs.Clear();

        var runs = new List<BackupRunView>();
        foreach (var id in devices)
        {
            runs.Add(await portal.BackupAsync(acme, id)); // first snapshot
            runs.Add(await portal.BackupAsync(acme, id)); // a diff
        }

        Assert.All(runs, r => Assert.Equal(BackupRunStatus.Succeeded, r.Status));
        var logs = portal.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Category?.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) == true);
        var everything = string.Join("\n", logs.Select(l => string.Join(" | ",
            l.Category, l.Message, l.Exception?.ToString(),
            string.Join(",", l.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? []),
            string.Join(",", l.Scopes.Select(Describe)))));
        foreach (var secret in Planted)
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);

        // Correlation: every pipeline record of a run carries the run's correlation id in its scope.
        foreach (var run in runs)
        {
            var finished = logs.Where(l => l.Category == typeof(BackupPipeline).FullName
                && l.Message.Contains($"Backup run {run.Id} ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(finished);
            Assert.All(finished, l => Assert.Contains(run.CorrelationId, string.Join(",", l.Scopes.Select(Describe)), StringComparison.Ordinal));
        }
    }

    private static string Describe(object? scope) => scope switch
    {
        null => "",
        IEnumerable<KeyValuePair<string, object>> kvs => string.Join(";", kvs.Select(kv => kv.Key + "=" + kv.Value)),
        _ => scope.ToString() ?? "",
    };
}
