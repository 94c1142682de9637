using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Domain.Notifications;

/// <summary>
/// Where webhooks may go (section <c>Notifications</c>, docs/operations.md). By default a webhook may not reach the
/// portal's own host or its networks: loopback, link-local (cloud metadata at 169.254.169.254), private, shared
/// (CGNAT), unspecified and multicast addresses are refused, so a tenant admin cannot use a webhook to probe or call
/// internal services (SSRF).
/// </summary>
public sealed class WebhookTargetOptions
{
    /// <summary>Allow every private/loopback/link-local address (a portal whose receivers are all internal; the tests).</summary>
    public bool AllowPrivateTargets { get; set; }
    /// <summary>Host names (exact, or <c>*.example.com</c> for subdomains), IP addresses or CIDR ranges allowed although private.</summary>
    public List<string> AllowedTargets { get; set; } = [];
    /// <summary>Host names, IP addresses or CIDR ranges always refused, public or not; checked before everything else.</summary>
    public List<string> DeniedTargets { get; set; } = [];
}

/// <summary>A webhook target the policy refuses; the message is safe to show and store.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Applies <see cref="WebhookTargetOptions"/>: on save (the URL's host, resolved now) and at send time on every
/// address the HTTP client is about to connect to (DNS can change between the two; the send-time check is the one that
/// counts, in the transport's connect callback, so a rebinding name cannot slip through).
/// </summary>
public sealed class WebhookTargetPolicy(IOptionsMonitor<WebhookTargetOptions> options)
{
    private static readonly (IPAddress Network, int Prefix, string What)[] Special =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "an unspecified (\"this network\") address"),
        (IPAddress.Parse("127.0.0.0"), 8, "a loopback address"),
        (IPAddress.Parse("10.0.0.0"), 8, "a private address"),
        (IPAddress.Parse("172.16.0.0"), 12, "a private address"),
        (IPAddress.Parse("192.168.0.0"), 16, "a private address"),
        (IPAddress.Parse("100.64.0.0"), 10, "a shared (carrier-grade NAT) address"),
        (IPAddress.Parse("169.254.0.0"), 16, "a link-local address"),
        (IPAddress.Parse("192.0.0.0"), 24, "an IETF protocol address"),
        (IPAddress.Parse("198.18.0.0"), 15, "a benchmarking address"),
        (IPAddress.Parse("224.0.0.0"), 4, "a multicast address"),
        (IPAddress.Parse("240.0.0.0"), 4, "a reserved address"),
        (IPAddress.Parse("::"), 128, "an unspecified address"),
        (IPAddress.Parse("::1"), 128, "a loopback address"),
        (IPAddress.Parse("fc00::"), 7, "a private (unique local) address"),
        (IPAddress.Parse("fe80::"), 10, "a link-local address"),
        (IPAddress.Parse("ff00::"), 8, "a multicast address"),
    ];

    /// <summary>Why the host name itself is refused (a deny rule), or null.</summary>
    public string? CheckHost(string host)
    {
        var o = options.CurrentValue;
        return o.DeniedTargets.Any(r => MatchesName(r, host)) ? $"{host} is refused by the portal's webhook rules (Notifications:DeniedTargets)." : null;
    }

    /// <summary>Why connecting to <paramref name="address"/> (which <paramref name="host"/> resolved to) is refused, or null.</summary>
    public string? CheckAddress(string host, IPAddress address)
    {
        var o = options.CurrentValue;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (o.DeniedTargets.Any(r => MatchesName(r, host) || MatchesAddress(r, address)))
            return $"{address} is refused by the portal's webhook rules (Notifications:DeniedTargets).";
        if (o.AllowPrivateTargets || o.AllowedTargets.Any(r => MatchesName(r, host) || MatchesAddress(r, address)))
            return null;
        foreach (var (network, prefix, what) in Special)
        {
            if (InRange(address, network, prefix))
                return $"{address} is {what}: webhooks to the portal's own host and internal networks are refused unless the operator allows them (Notifications:AllowedTargets or Notifications:AllowPrivateTargets).";
        }
        return null;
    }

    /// <summary>
    /// The save-time check of a URL: the host by name, then every address it resolves to now. A name that does not
    /// resolve now is not an error here (the receiver may not exist yet); the send-time check still applies.
    /// </summary>
    public async Task<string?> CheckAsync(Uri url, CancellationToken ct)
    {
        var host = url.IdnHost.Trim('[', ']');
        if (CheckHost(host) is { } denied) return denied;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return null;
            }
        }
        return addresses.Select(a => CheckAddress(host, a)).FirstOrDefault(r => r is not null);
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> the transport may connect to; throws <see cref="WebhookTargetRefusedException"/>
    /// when none is allowed.
    /// </summary>
    public async Task<IPAddress[]> ResolveAllowedAsync(string host, CancellationToken ct)
    {
        host = host.Trim('[', ']');
        if (CheckHost(host) is { } denied) throw new WebhookTargetRefusedException(denied);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        string? firstReason = null;
        var allowed = new List<IPAddress>();
        foreach (var a in addresses)
        {
            if (CheckAddress(host, a) is { } reason) firstReason ??= reason;
            else allowed.Add(a);
        }
        if (allowed.Count == 0)
            throw new WebhookTargetRefusedException(firstReason ?? $"{host} has no address.");
        return [.. allowed];
    }

    private static bool MatchesName(string rule, string host)
    {
        rule = rule.Trim();
        if (rule.Length == 0 || rule.Contains('/', StringComparison.Ordinal) || IPAddress.TryParse(rule, out _)) return false;
        return rule.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(rule[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(rule, host, StringComparison.OrdinalIgnoreCase);
    }

    private static bool MatchesAddress(string rule, IPAddress address)
    {
        rule = rule.Trim();
        var slash = rule.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return IPAddress.TryParse(rule, out var single) && Normalize(single).Equals(address);
        return IPAddress.TryParse(rule[..slash], out var network) && int.TryParse(rule[(slash + 1)..], out var prefix)
            && InRange(address, Normalize(network), prefix);
    }

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private static bool InRange(IPAddress address, IPAddress network, int prefix)
    {
        if (address.AddressFamily != network.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (prefix < 0 || prefix > a.Length * 8) return false;
        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }
}
