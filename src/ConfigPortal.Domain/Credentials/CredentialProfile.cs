using ConfigPortal.Domain.Common;

namespace ConfigPortal.Domain.Credentials;

/// <summary>
/// Login material for devices. Secrets are stored only in protected (encrypted) form, with a Data Protection
/// purpose per tenant, and are never sent back to the browser.
/// </summary>
public sealed class CredentialProfile : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; set; }
    public required string Name { get; set; }
    public required string Username { get; set; }
    public string? ProtectedPassword { get; set; }
    public string? ProtectedPrivateKey { get; set; }
    public string? ProtectedPassphrase { get; set; }
    public string? ProtectedEnableSecret { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>Encrypts and decrypts secrets for one tenant (a purpose per tenant).</summary>
public interface ISecretProtector
{
    string Protect(int tenantId, string plaintext);
    string Unprotect(int tenantId, string protectedValue);
}

/// <summary>Decrypted login material, handed to a collector for one run and never logged.</summary>
public sealed record DeviceCredential(string ProfileName, string Username, string? Password, string? PrivateKey, string? Passphrase, string? EnableSecret)
{
    // Keep secrets out of logs and exception messages that format the record.
    public override string ToString() => $"DeviceCredential {{ ProfileName = {ProfileName}, Username = {Username} }}";
}
