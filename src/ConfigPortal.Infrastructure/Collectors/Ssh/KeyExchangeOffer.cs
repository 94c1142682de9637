using Renci.SshNet;

namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>
/// The key-exchange algorithms the SSH driver offers, in order (ADR-019). By default SSH.NET's own list and order,
/// except that the NIST ECDH curves come before Curve25519: both are 128-bit classical exchanges, but the NIST curves
/// run in the platform's crypto library on both ends (OpenSSL here; OpenSSL inside OpenSSH-based devices such as JunOS,
/// EOS and AOS-CX), while Curve25519 runs in managed code here and in OpenSSH's reference implementation on the device.
/// The post-quantum hybrids stay first and the legacy SHA-1 exchanges last, for old devices that offer nothing else.
/// <c>Ssh:KeyExchangeAlgorithms</c> replaces the offer (e.g. to drop the SHA-1 exchanges).
/// </summary>
public sealed class KeyExchangeOffer
{
    /// <summary>Every key exchange SSH.NET implements, in its own order of preference.</summary>
    public static IReadOnlyList<string> Supported { get; } = [.. NewConnectionInfo().KeyExchangeAlgorithms.Keys];

    /// <summary>The default offer: <see cref="Supported"/> with the NIST ECDH curves moved ahead of Curve25519.</summary>
    public static IReadOnlyList<string> Default { get; } = PreferNist(Supported);

    /// <summary>The algorithms offered, in order.</summary>
    public IReadOnlyList<string> Algorithms { get; }

    /// <summary>The configured offer (null or empty: the default); an unknown name throws <see cref="ProblemWith"/>.</summary>
    public KeyExchangeOffer(IReadOnlyList<string>? configured)
    {
        if (configured is not { Count: > 0 })
        {
            Algorithms = Default;
            return;
        }
        if (ProblemWith(configured) is { } problem)
            throw new InvalidOperationException(problem);
        Algorithms = Names(configured).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// What is wrong with a configured offer, naming the unknown algorithms and the supported ones; null when SSH.NET
    /// implements every name (or nothing is configured). The collector and the start-up validation report the same text.
    /// </summary>
    public static string? ProblemWith(IReadOnlyList<string>? configured)
    {
        var unknown = configured is null ? [] : Names(configured).Where(n => !Supported.Contains(n, StringComparer.Ordinal)).ToList();
        return unknown.Count == 0 ? null
            : $"Ssh:KeyExchangeAlgorithms names key exchanges the SSH driver does not implement: {string.Join(", ", unknown.Select(n => $"'{n}'"))}. " +
              $"Supported: {string.Join(", ", Supported)}.";
    }

    private static IEnumerable<string> Names(IReadOnlyList<string> configured) => configured.Select(n => n?.Trim() ?? "");

    /// <summary>Replaces the connection's offer with this one (same implementations, this order, only these).</summary>
    public void ApplyTo(ConnectionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var all = info.KeyExchangeAlgorithms;
        var factories = all.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        all.Clear();
        foreach (var name in Algorithms)
            all.Add(name, factories[name]);
    }

    private static List<string> PreferNist(IReadOnlyList<string> order)
    {
        var nist = order.Where(n => n.StartsWith("ecdh-sha2-nistp", StringComparison.Ordinal)).ToList();
        var rest = order.Except(nist).ToList();
        var curve25519 = rest.FindIndex(n => n.StartsWith("curve25519-", StringComparison.Ordinal));
        rest.InsertRange(curve25519 < 0 ? rest.Count : curve25519, nist);
        return rest;
    }

    private static ConnectionInfo NewConnectionInfo() => new("key-exchange.invalid", 22, "none", new NoneAuthenticationMethod("none"));
}
