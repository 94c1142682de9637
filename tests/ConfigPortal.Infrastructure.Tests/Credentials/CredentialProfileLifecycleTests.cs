using System.Security.Cryptography;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Credentials;

/// <summary>Update (null keeps, a value replaces, empty clears), delete (refused while a device lists the profile), key rotation.</summary>
public sealed class CredentialProfileLifecycleTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Admin = "admin@acme.example";
    private PortalHost Portal => fixture.Portal;

    private async Task<T> AsAdmin<T>(Func<CredentialProfileService, Task<T>> call)
    {
        await using var scope = Portal.ScopeAs(Portal.AcmeId, Admin);
        return await call(scope.ServiceProvider.GetRequiredService<CredentialProfileService>());
    }

    private Task<CredentialProfile> StoredAsync(int id) =>
        Portal.QueryAsync(Portal.AcmeId, db => db.CredentialProfiles.AsNoTracking().SingleAsync(c => c.Id == id));

    private string Open(string? value) => Portal.Services.GetRequiredService<ISecretProtector>().Unprotect(Portal.AcmeId, value!);

    [Fact]
    public async Task Update_keeps_null_secrets_replaces_given_ones_clears_empty_ones_and_audits_only_booleans()
    {
        var id = await AsAdmin(s => s.CreateAsync(new CredentialProfileInput
        {
            Name = "lifecycle-update", Username = "netops", Password = "Old-Password-1111", EnableSecret = "Old-Enable-2222",
        }));

        await AsAdmin(async s =>
        {
            await s.UpdateAsync(id, new CredentialProfileInput
            {
                Name = "lifecycle-update", Username = "netops2",
                Password = null,                     // keep
                EnableSecret = "",                   // clear
                PrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nNEWKEYMATERIAL3333\n-----END OPENSSH PRIVATE KEY-----",
                Passphrase = "New-Passphrase-4444",  // set
            });
            return 0;
        });

        var stored = await StoredAsync(id);
        Assert.Equal("netops2", stored.Username);
        Assert.Equal("Old-Password-1111", Open(stored.ProtectedPassword));
        Assert.Null(stored.ProtectedEnableSecret);
        Assert.Contains("NEWKEYMATERIAL3333", Open(stored.ProtectedPrivateKey), StringComparison.Ordinal);
        Assert.Equal("New-Passphrase-4444", Open(stored.ProtectedPassphrase));

        var view = await AsAdmin(s => s.GetAsync(id));
        Assert.True(view.HasPassword);
        Assert.True(view.HasPrivateKey);
        Assert.True(view.HasPassphrase);
        Assert.False(view.HasEnableSecret);

        var entry = (await Portal.EntriesAsync(Portal.AcmeId, AuditActions.CredentialUpdated)).Last();
        foreach (var secret in new[] { "Old-Password-1111", "Old-Enable-2222", "NEWKEYMATERIAL3333", "New-Passphrase-4444" })
            Assert.DoesNotContain(secret, entry.DetailsJson, StringComparison.Ordinal);
        var changed = entry.Details().GetProperty("changed");
        Assert.False(changed.GetProperty("password").GetBoolean());
        Assert.True(changed.GetProperty("privateKey").GetBoolean());
        Assert.True(changed.GetProperty("passphrase").GetBoolean());
        Assert.True(changed.GetProperty("enableSecret").GetBoolean());
        Assert.Equal("netops", entry.Details().GetProperty("usernameBefore").GetString());

        // Clearing the password is allowed while a key remains; clearing both is a form error.
        await AsAdmin(async s => { await s.UpdateAsync(id, new CredentialProfileInput { Name = "lifecycle-update", Username = "netops2", Password = "" }); return 0; });
        var ex = await Assert.ThrowsAsync<ValidationException>(() => AsAdmin(async s =>
        {
            await s.UpdateAsync(id, new CredentialProfileInput { Name = "lifecycle-update", Username = "netops2", PrivateKey = "" });
            return 0;
        }));
        Assert.Contains(nameof(CredentialProfileInput.Password), ex.Errors.Keys);
    }

    [Fact]
    public async Task Delete_is_refused_while_a_device_lists_the_profile_and_audited_once_it_is_free()
    {
        var id = await AsAdmin(s => s.CreateAsync(new CredentialProfileInput { Name = "lifecycle-delete", Username = "u", Password = "Delete-Me-5555" }));
        var device = await Portal.CreateDeviceAsync(Portal.AcmeId, "lifecycle-delete-sw", SimulatorBehavior.Static, credentialProfileId: id);

        var refused = await Assert.ThrowsAsync<ValidationException>(() => AsAdmin(async s => { await s.DeleteAsync(id); return 0; }));
        Assert.Contains("lifecycle-delete-sw", refused.Message, StringComparison.Ordinal);

        await using (var scope = Portal.ScopeAs(Portal.AcmeId, Admin))
        {
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var input = await devices.GetForEditAsync(device);
            input.CredentialProfileIds = [];
            await devices.UpdateAsync(device, input);
        }
        await AsAdmin(async s => { await s.DeleteAsync(id); return 0; });

        Assert.False(await Portal.QueryAsync(Portal.AcmeId, db => db.CredentialProfiles.AnyAsync(c => c.Id == id)));
        var entry = (await Portal.EntriesAsync(Portal.AcmeId, AuditActions.CredentialDeleted)).Last();
        Assert.Equal("lifecycle-delete", entry.Details().GetProperty("name").GetString());
        Assert.DoesNotContain("Delete-Me-5555", entry.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operators_cannot_update_or_delete_and_another_tenant_sees_not_found()
    {
        var id = await AsAdmin(s => s.CreateAsync(new CredentialProfileInput { Name = "lifecycle-authz", Username = "u", Password = "Authz-6666" }));
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, "operator@acme.example"))
        {
            var service = scope.ServiceProvider.GetRequiredService<CredentialProfileService>();
            await Assert.ThrowsAsync<AccessDeniedException>(() => service.UpdateAsync(id, new CredentialProfileInput { Name = "x", Username = "y" }));
            await Assert.ThrowsAsync<AccessDeniedException>(() => service.DeleteAsync(id));
        }
        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "admin@globex.example"))
        {
            var service = scope.ServiceProvider.GetRequiredService<CredentialProfileService>();
            await Assert.ThrowsAsync<NotFoundException>(() => service.DeleteAsync(id));
            await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(id));
        }
        Assert.True(await Portal.QueryAsync(Portal.AcmeId, db => db.CredentialProfiles.AnyAsync(c => c.Id == id)));
    }

    [Fact]
    public async Task A_secret_protected_before_a_key_rotation_still_decrypts()
    {
        var protector = Portal.Services.GetRequiredService<ISecretProtector>();
        var before = protector.Protect(Portal.AcmeId, "Rotated-Secret-7777");
        var keys = Portal.Services.GetRequiredService<IKeyManager>();
        var oldKeys = keys.GetAllKeys().Select(k => k.KeyId).ToHashSet();

        // A new default key, activated in the past so it is used at once.
        var now = DateTimeOffset.UtcNow;
        var newKey = keys.CreateNewKey(activationDate: now.AddMinutes(-5), expirationDate: now.AddDays(90));
        Assert.DoesNotContain(newKey.KeyId, oldKeys);

        Assert.Contains(keys.GetAllKeys(), k => k.KeyId == newKey.KeyId);
        Assert.Equal("Rotated-Secret-7777", protector.Unprotect(Portal.AcmeId, before));
        var after = protector.Protect(Portal.AcmeId, "Rotated-Secret-8888");
        Assert.Equal("Rotated-Secret-8888", protector.Unprotect(Portal.AcmeId, after));
        // (Data Protection keeps protecting with the older key until the new one has propagated; what matters here is
        // that a value made under the old default key opens after the ring gained a newer one.)
        Assert.Contains(KeyIdOf(before), oldKeys);

        // The rotated ring is in the database: a second portal over the same files (a restart) still opens both.
        var keyRows = await Portal.QueryAsync(Portal.AcmeId, db => db.DataProtectionKeys.CountAsync());
        Assert.True(keyRows >= 2, $"Expected the new key persisted next to the old one, found {keyRows} key row(s).");

        // A purpose per tenant.
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(Portal.GlobexId, before));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(Portal.GlobexId, after));
    }

    /// <summary>The key id inside a Data Protection payload (magic header, then the key's GUID).</summary>
    private static Guid KeyIdOf(string protectedValue)
    {
        var b64 = protectedValue.Replace('-', '+').Replace('_', '/');
        var bytes = Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '='));
        return new Guid(bytes.AsSpan(4, 16));
    }
}
