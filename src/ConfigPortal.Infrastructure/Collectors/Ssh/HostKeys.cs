namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>SHA-256 host key fingerprints in OpenSSH's form ("SHA256:" + unpadded base64).</summary>
public static class HostKeys
{
    public const string Prefix = "SHA256:";

    /// <summary>The stored form of SSH.NET's <c>FingerPrintSHA256</c> (which has no prefix).</summary>
    public static string Format(string sha256Base64) => Prefix + sha256Base64.TrimEnd('=');

    /// <summary>Whether two fingerprints name the same key; tolerates a missing prefix and base64 padding.</summary>
    public static bool SameKey(string pinned, string presented) =>
        string.Equals(Core(pinned), Core(presented), StringComparison.Ordinal);

    private static string Core(string fingerprint)
    {
        var s = fingerprint.Trim();
        if (s.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) s = s[Prefix.Length..];
        return s.TrimEnd('=');
    }
}
