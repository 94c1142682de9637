using System.Security.Cryptography;
using System.Text;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;

namespace ConfigPortal.Domain.Tests.Audit;

/// <summary>
/// The chain hash format must never change: chains written before keep verifying. The allocation-free hashing session
/// (bytes written straight into a pooled buffer) must give the bytes of the original definition, HMAC-SHA256 over
/// UTF-8(previous hash + "\n" + <see cref="AuditHasher.Canonical"/>), for every kind of content.
/// </summary>
public sealed class AuditHasherCompatibilityTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    /// <summary>The hash as the first implementation computed it (string canonical form, one-shot HMAC).</summary>
    private static string Original(AuditEntry e) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(e.PreviousHash + "\n" + AuditHasher.Canonical(e))));

    private static AuditEntry Entry() => new()
    {
        TenantId = 7,
        Sequence = 42,
        TimestampUtc = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567),
        ActorKind = ActorKind.User,
        ActorId = "user-1",
        ActorName = "Oscar Operator",
        Action = AuditActions.ConfigSnapshotCreated,
        ResourceType = "snapshot",
        ResourceId = "17",
        DeviceId = 3,
        DeviceName = "acme-core-sw1",
        ClientIp = "203.0.113.7",
        UserAgent = "Mozilla/5.0",
        CorrelationId = "abc123",
        Outcome = AuditOutcome.Success,
        DetailsJson = """{"runId":5}""",
        PreviousHash = AuditHasher.GenesisHash,
        Hash = "",
    };

    [Fact]
    public void Known_vectors_computed_independently_still_match()
    {
        // Computed outside .NET (Python hmac/hashlib) from the documented canonical form.
        var hasher = new AuditHasher(Key);
        Assert.Equal("d20ca0f3e2236a4acf9c9b92ac49eec075710fbaa559bbeab42413c35a601373", hasher.ComputeHash(Entry()));

        var tricky = Entry();
        tricky.DetailsJson = "a|b\\c\nd\re\u2400f \U0001F600 é";
        tricky.DeviceName = null;
        tricky.ClientIp = "";
        tricky.PreviousHash = string.Concat(Enumerable.Repeat("ab", 32));
        Assert.Equal("b46d0849070226463a8e2aed7d8a72db4efb5b3d025762208e2b91b859ce8d14", hasher.ComputeHash(tricky));
    }

    [Fact]
    public void The_session_gives_the_original_hash_for_random_content()
    {
        var random = new Random(20261128);
        const string alphabet = "abcXYZ019 |\\\n\r\u2400\"{}:,é€\u00a0\t";
        string? Text(int max)
        {
            if (random.Next(6) == 0) return null;
            var n = random.Next(max);
            var sb = new StringBuilder();
            for (var i = 0; i < n; i++)
            {
                var k = random.Next(alphabet.Length + 3);
                sb.Append(k switch
                {
                    _ when k < alphabet.Length => alphabet[k].ToString(),
                    _ when k == alphabet.Length => "\U0001F600",   // a surrogate pair
                    _ when k == alphabet.Length + 1 => "\uD800",   // a lone high surrogate
                    _ => "\uDC00",                                 // a lone low surrogate
                });
            }
            return sb.ToString();
        }

        var hasher = new AuditHasher(Key);
        using var session = hasher.CreateSession();
        for (var i = 0; i < 2000; i++)
        {
            var e = Entry();
            e.TenantId = random.Next(-5, int.MaxValue);
            e.Sequence = random.NextInt64(1, long.MaxValue);
            e.TimestampUtc = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            e.ActorKind = (ActorKind)random.Next(1, 5);
            e.ActorId = Text(40);
            e.ActorName = Text(40) ?? "";
            e.Action = Text(30) ?? "";
            e.ResourceType = Text(20);
            e.ResourceId = Text(20);
            e.DeviceId = random.Next(3) == 0 ? null : random.Next(int.MinValue, int.MaxValue);
            e.DeviceName = Text(30);
            e.ClientIp = Text(20);
            e.UserAgent = Text(60);
            e.CorrelationId = Text(20);
            e.Outcome = (AuditOutcome)random.Next(1, 4);
            e.DetailsJson = Text(i % 50 == 0 ? 5000 : 300) ?? "{}";
            e.PreviousHash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

            var expected = Original(e);
            Assert.Equal(expected, session.Compute(e));
            e.Hash = expected;
            Assert.True(session.Matches(e));
            e.Hash = expected[..63] + (expected[63] == '0' ? '1' : '0');
            Assert.False(session.Matches(e));
        }
    }
}
