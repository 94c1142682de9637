using System.Buffers;
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

    public string ComputeHash(AuditEntry e)
    {
        using var session = CreateSession();
        return session.Compute(e);
    }

    /// <summary>
    /// A reusable hashing session for walking a chain: one keyed HMAC and one pooled buffer, the canonical form written
    /// straight into UTF-8 bytes (the same bytes as <see cref="Canonical"/> + <see cref="ComputeHash(string, string)"/>,
    /// without the per-entry strings). Not thread-safe: one per walk.
    /// </summary>
    public HashSession CreateSession() => new(key);

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

    /// <summary>See <see cref="CreateSession"/>.</summary>
    public sealed class HashSession : IDisposable
    {
        private const int HashBytes = 32;
        private readonly IncrementalHash _hmac;
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);
        private int _length;

        internal HashSession(byte[] key) => _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);

        /// <summary>The entry's chain hash (lower-case hex), from its previous hash and content.</summary>
        public string Compute(AuditEntry e)
        {
            Span<byte> hash = stackalloc byte[HashBytes];
            Hash(e, hash);
            return Convert.ToHexStringLower(hash);
        }

        /// <summary>Whether the entry's stored <see cref="AuditEntry.Hash"/> is the hash of its content (no allocation).</summary>
        public bool Matches(AuditEntry e)
        {
            Span<byte> hash = stackalloc byte[HashBytes];
            Hash(e, hash);
            Span<char> hex = stackalloc char[HashBytes * 2];
            Convert.TryToHexStringLower(hash, hex, out _);
            return e.Hash is { Length: HashBytes * 2 } stored && stored.AsSpan().SequenceEqual(hex);
        }

        private void Hash(AuditEntry e, Span<byte> destination)
        {
            _length = 0;
            Utf8(e.PreviousHash);
            Ascii((byte)'\n');
            Ascii((byte)'v');
            Ascii((byte)'1');
            Number(e.TenantId);
            Number(e.Sequence);
            Number(DateTime.SpecifyKind(e.TimestampUtc, DateTimeKind.Utc).Ticks);
            Number((int)e.ActorKind);
            Field(e.ActorId);
            Field(e.ActorName);
            Field(e.Action);
            Field(e.ResourceType);
            Field(e.ResourceId);
            if (e.DeviceId is { } deviceId) Number(deviceId); else Field(null);
            Field(e.DeviceName);
            Field(e.ClientIp);
            Field(e.UserAgent);
            Field(e.CorrelationId);
            Number((int)e.Outcome);
            Field(e.DetailsJson);
            _hmac.AppendData(_buffer, 0, _length);
            _hmac.GetHashAndReset(destination);
        }

        private void Number(long value)
        {
            Ascii((byte)'|');
            Ensure(20);
            value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
            _length += written;
        }

        // The escaping of Canonical's Field, on bytes: runs of ordinary characters are encoded at once (the special
        // characters are never surrogates, so a run never splits a surrogate pair and a lone surrogate encodes as
        // U+FFFD exactly as when the whole string is encoded).
        private void Field(string? value)
        {
            Ascii((byte)'|');
            if (value is null)
            {
                Utf8("\u2400");
                return;
            }
            var span = value.AsSpan();
            while (!span.IsEmpty)
            {
                var i = span.IndexOfAny(Specials);
                if (i < 0)
                {
                    Utf8(span);
                    return;
                }
                Utf8(span[..i]);
                Ascii((byte)'\\');
                Ascii(span[i] switch
                {
                    '\\' => (byte)'\\',
                    '|' => (byte)'|',
                    '\n' => (byte)'n',
                    '\r' => (byte)'r',
                    _ => (byte)'0',
                });
                span = span[(i + 1)..];
            }
        }

        private static readonly SearchValues<char> Specials = SearchValues.Create("\\|\n\r\u2400");

        private void Utf8(ReadOnlySpan<char> text)
        {
            if (text.IsEmpty) return;
            Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        }

        private void Ascii(byte b)
        {
            Ensure(1);
            _buffer[_length++] = b;
        }

        private void Ensure(int more)
        {
            if (_length + more <= _buffer.Length) return;
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        public void Dispose()
        {
            _hmac.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
