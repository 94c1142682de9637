using System.Text;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Credentials;

public sealed class CredentialStorageTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private byte[] DatabaseBytes()
    {
        // Every file of the database: the main file, the WAL and the shared-memory index.
        var dir = Path.GetDirectoryName(Portal.DatabaseFile)!;
        return Directory.GetFiles(dir, "configportal.db*").SelectMany(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            return ms.ToArray();
        }).ToArray();
    }

    [Fact]
    public async Task ACredentialProfileLeavesNoPlaintextSecretInTheDatabaseFiles()
    {
        const string password = "Plaintext-Device-Passw0rd-7781";
        const string enable = "Enable-Secret-Never-Stored-4410";
        const string passphrase = "Key-Passphrase-Never-Stored-5521";
        const string replaced = "Replaced-Password-Never-Stored-6632";
        const string key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUPLAINKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----";
        int id;
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, "admin@acme.example"))
        {
            id = await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
            {
                Name = "core-switches",
                Username = "netops",
                Password = password,
                EnableSecret = enable,
                PrivateKey = key,
                Passphrase = passphrase,
            });
            // An update writes secrets through the same protector.
            await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().UpdateAsync(id, new CredentialProfileInput
            {
                Name = "core-switches",
                Username = "netops",
                Password = replaced,
            });
        }
        // Fold the WAL into the main file too, so both the checkpointed and the logged bytes are looked at.
        var before = DatabaseBytes();
        await using (var c = new SqliteConnection($"Data Source={Portal.DatabaseFile}"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(FULL);";
            await cmd.ExecuteNonQueryAsync();
        }
        var after = DatabaseBytes();

        foreach (var bytes in new[] { before, after })
        {
            foreach (var secret in new[] { password, enable, passphrase, replaced, "PLAINKEYMATERIAL" })
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"'{secret}' found as UTF-8");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"'{secret}' found as UTF-16");
            }
            Assert.True(Contains(bytes, Encoding.UTF8.GetBytes("core-switches")), "the profile row itself was not found: the byte search proves nothing");
        }

        var stored = await Portal.QueryAsync(Portal.AcmeId, db => db.CredentialProfiles.AsNoTracking().SingleAsync(c => c.Id == id));
        var protector = Portal.Services.GetRequiredService<ISecretProtector>();
        Assert.Equal(replaced, protector.Unprotect(Portal.AcmeId, stored.ProtectedPassword!));
        Assert.Equal(enable, protector.Unprotect(Portal.AcmeId, stored.ProtectedEnableSecret!));
        Assert.Equal(passphrase, protector.Unprotect(Portal.AcmeId, stored.ProtectedPassphrase!));
        Assert.Equal(key, protector.Unprotect(Portal.AcmeId, stored.ProtectedPrivateKey!));
        // A purpose per tenant: Globex's protector cannot open Acme's secret.
        foreach (var value in new[] { stored.ProtectedPassword!, stored.ProtectedEnableSecret!, stored.ProtectedPassphrase!, stored.ProtectedPrivateKey! })
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(Portal.GlobexId, value));
    }

    [Fact]
    public async Task TheCredentialAuditEntrySaysWhichSecretsAreSetButNotTheirValues()
    {
        const string password = "Audit-Must-Not-See-This-9912";
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, "admin@acme.example"))
        {
            await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
            {
                Name = "edge-routers", Username = "backup", Password = password,
            });
        }

        var entry = (await Portal.EntriesAsync(Portal.AcmeId, Domain.Audit.AuditActions.CredentialCreated)).Last();

        Assert.DoesNotContain(password, entry.DetailsJson, StringComparison.Ordinal);
        Assert.True(entry.Details().GetProperty("password").GetBoolean());
        Assert.False(entry.Details().GetProperty("privateKey").GetBoolean());
    }
}
