using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Web.Auth;

public sealed class CircuitLimitOptions
{
    /// <summary>Open (connected or retained) circuits one user may hold at once; <c>Security:MaxCircuitsPerUser</c>.</summary>
    public int MaxCircuitsPerUser { get; set; } = 10;
}

/// <summary>The open circuits of each user, across the process (a singleton).</summary>
public sealed class CircuitRegistry
{
    private readonly ConcurrentDictionary<string, HashSet<string>> _byUser = new(StringComparer.Ordinal);

    /// <summary>Adds the circuit unless the user already holds <paramref name="max"/> circuits.</summary>
    public bool TryAdd(string userId, string circuitId, int max)
    {
        var set = _byUser.GetOrAdd(userId, _ => []);
        lock (set)
        {
            if (set.Contains(circuitId)) return true;
            if (set.Count >= max) return false;
            set.Add(circuitId);
            return true;
        }
    }

    public void Remove(string userId, string circuitId)
    {
        if (!_byUser.TryGetValue(userId, out var set)) return;
        lock (set)
        {
            set.Remove(circuitId);
        }
    }

    public int CountOf(string userId)
    {
        if (!_byUser.TryGetValue(userId, out var set)) return 0;
        lock (set)
        {
            return set.Count;
        }
    }
}

/// <summary>Thrown when a circuit opens over the user's limit; the framework then tears the circuit down.</summary>
public sealed class CircuitLimitExceededException(string message) : Exception(message);

/// <summary>
/// Caps the circuits per user (each open tab holds one with its memory on the server): a circuit over the limit is
/// refused by throwing from <see cref="OnCircuitOpenedAsync"/>, which makes the framework terminate it and show the
/// reconnect UI's error state. Anonymous circuits are not tracked (every page but sign-in requires a user).
/// </summary>
public sealed class CircuitLimitHandler(
    AuthenticationStateProvider auth,
    CircuitRegistry registry,
    IOptions<CircuitLimitOptions> options,
    ILogger<CircuitLimitHandler> logger) : CircuitHandler
{
    private string? _userId;

    /// <summary>Before the caller-context handler, so a refused circuit does no other work.</summary>
    public override int Order => -100;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken) =>
        await OpenAsync(circuit.Id);

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Close(circuit.Id);
        return Task.CompletedTask;
    }

    internal async Task OpenAsync(string circuitId)
    {
        var state = await auth.GetAuthenticationStateAsync();
        var userId = state.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return;
        var max = Math.Max(1, options.Value.MaxCircuitsPerUser);
        if (!registry.TryAdd(userId, circuitId, max))
        {
            logger.LogWarning("Circuit refused: user {UserId} already holds {Max} open circuits.", userId, max);
            throw new CircuitLimitExceededException($"Too many open portal windows (at most {max}). Close some and reload.");
        }
        _userId = userId;
    }

    internal void Close(string circuitId)
    {
        if (_userId is not null) registry.Remove(_userId, circuitId);
    }
}
