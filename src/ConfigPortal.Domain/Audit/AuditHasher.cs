using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConfigPortal.Domain.Audit;

/// <summary>
/// Computes the chain hash of an entry: HMAC-SHA256 over the previous hash and a canonical, versioned serialization.
/// The key is held outside the database so that database access alone cannot re-hash a tampered chain.
/// </summary>
public sealed class AuditHasher(byte[] key)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public string ComputeHash(AuditEntry e) => ComputeHash(e.PreviousHash, Canonical(e));

    public string ComputeHash(string previousHash, string canonical)
    {
        var bytes = Encoding.UTF8.GetBytes(previousHash + "\n" + canonical);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, bytes));
    }

    /// <summary>
    /// Signs an exported chain head (tenant, sequence, hash, time) with the chain key. The payload has its own prefix so a
    /// head signature can never be mistaken for an entry hash.
    /// </summary>
    public string SignHead(int tenantId, long sequence, string hash, DateTime atUtc)
    {
        var payload = string.Create(CultureInfo.InvariantCulture,
            $"{SignedChainHead.FormatName}\n{tenantId}\n{sequence}\n{hash}\n{DateTime.SpecifyKind(atUtc, DateTimeKind.Utc).Ticks}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));
    }

    /// <summary>Whether <paramref name="head"/> was signed with this key (constant-time comparison).</summary>
    public bool IsAuthentic(SignedChainHead head)
    {
        var expected = Encoding.ASCII.GetBytes(SignHead(head.TenantId, head.Sequence, head.Hash, head.VerifiedAtUtc));
        var actual = Encoding.ASCII.GetBytes(head.Signature ?? "");
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>Version 1 canonical form: fields in a fixed order, escaped, invariant culture, UTC ticks.</summary>
    public static string Canonical(AuditEntry e)
    {
        var sb = new StringBuilder(256);
        sb.Append("v1");
        Field(sb, e.TenantId.ToString(CultureInfo.InvariantCulture));
        Field(sb, e.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(sb, DateTime.SpecifyKind(e.TimestampUtc, DateTimeKind.Utc).Ticks.ToString(CultureInfo.InvariantCulture));
        Field(sb, ((int)e.ActorKind).ToString(CultureInfo.InvariantCulture));
        Field(sb, e.ActorId);
        Field(sb, e.ActorName);
        Field(sb, e.Action);
        Field(sb, e.ResourceType);
        Field(sb, e.ResourceId);
        Field(sb, e.DeviceId?.ToString(CultureInfo.InvariantCulture));
        Field(sb, e.DeviceName);
        Field(sb, e.ClientIp);
        Field(sb, e.UserAgent);
        Field(sb, e.CorrelationId);
        Field(sb, ((int)e.Outcome).ToString(CultureInfo.InvariantCulture));
        Field(sb, e.DetailsJson);
        return sb.ToString();
    }

    private static void Field(StringBuilder sb, string? value)
    {
        sb.Append('|');
        if (value is null)
        {
            sb.Append('\u2400');
            return;
        }
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '|': sb.Append("\\|"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\u2400': sb.Append("\\0"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
