using System.Security.Cryptography;

namespace ConfigPortal.Infrastructure.Security;

/// <summary>
/// The audit chain's HMAC key lives outside the database: from configuration (Audit:ChainKey, base64) or, for the
/// embedded default, in a key file next to the database that is created on first start.
/// </summary>
public static class AuditKeyProvider
{
    public static byte[] Load(string? configuredBase64, string keyFilePath)
    {
        if (!string.IsNullOrWhiteSpace(configuredBase64))
        {
            var key = Convert.FromBase64String(configuredBase64);
            if (key.Length < 32) throw new InvalidOperationException("Audit:ChainKey must be at least 32 bytes (base64).");
            return key;
        }
        if (File.Exists(keyFilePath))
            return Convert.FromBase64String(File.ReadAllText(keyFilePath).Trim());

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFilePath))!);
        var created = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(keyFilePath, Convert.ToBase64String(created));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyFilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return created;
    }
}
