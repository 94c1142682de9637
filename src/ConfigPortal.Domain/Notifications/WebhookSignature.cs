using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConfigPortal.Domain.Notifications;

/// <summary>
/// How webhook deliveries are signed (docs/notifications-webhooks.md): HMAC-SHA256 with the channel's secret (its UTF-8
/// bytes) over <c>"{timestamp}.{raw body}"</c>, sent as <c>X-ConfigPortal-Signature: sha256=&lt;lower-case hex&gt;</c>
/// with the Unix timestamp (seconds) in <c>X-ConfigPortal-Timestamp</c>. The timestamp is part of the signed string,
/// so a receiver that rejects old timestamps (e.g. older than 5 minutes) stops replays.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-ConfigPortal-Signature";
    public const string TimestampHeader = "X-ConfigPortal-Timestamp";
    public const string EventHeader = "X-ConfigPortal-Event";
    public const string DeliveryHeader = "X-ConfigPortal-Delivery";
    public const string SecretPrefix = "whsec_";
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 200;

    /// <summary>A new random secret: "whsec_" and 32 random bytes, base64url.</summary>
    public static string GenerateSecret() =>
        SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The header value for a body sent at <paramref name="unixSeconds"/>.</summary>
    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>
    /// What a receiver does: recompute the signature over the raw body and compare in constant time, and refuse a
    /// timestamp further than <paramref name="tolerance"/> from <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var ts) || signatureHeader is null)
            return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - ts) > tolerance.TotalSeconds)
            return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, ts, body));
        var actual = Encoding.ASCII.GetBytes(signatureHeader.Trim());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
