using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>Settings of the SSH driver (configuration section "Ssh").</summary>
public sealed class SshCollectorOptions
{
    /// <summary>TCP connect + SSH handshake + authentication, per credential tried.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one command (or the login prompt) may take until the device shows its prompt again.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Retries after a transient failure (unreachable, refused, timeout); never after auth or host-key failures.</summary>
    public int RetryCount { get; set; } = 2;

    /// <summary>First retry delay; doubles on each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of one retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many SSH sessions this instance opens at once, across all devices and tenants.</summary>
    public int MaxConcurrentSessions { get; set; } = 16;

    /// <summary>
    /// How many sessions of this instance may be logging in at once (connect, key exchange, authentication, shell, first
    /// prompt); the others queue for a place (ADR-018). Null: two per processor core. Zero: no pacing.
    /// </summary>
    public int? MaxConcurrentLogins { get; set; }

    /// <summary>How long one login may hold its place before the next queued login may start anyway.</summary>
    public TimeSpan LoginHoldLimit { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The login pacing in effect: <see cref="MaxConcurrentLogins"/>, or two per core when unset.</summary>
    public int EffectiveMaxConcurrentLogins => MaxConcurrentLogins is { } n ? Math.Max(0, n) : 2 * Environment.ProcessorCount;

    /// <summary>How long output must be quiet after the first prompt before it is trusted (banners can look like prompts).</summary>
    public TimeSpan PromptSettleTime { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// While the interactive shell opens, send an SSH ignore message this often, so a server's segment held back by Nagle
    /// waits for no delayed acknowledgement (zero: off). See SshDeviceCollector.OpenShell.
    /// </summary>
    public TimeSpan ShellOpenNudgeInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Terminal width requested for interactive shells (wide, so devices do not wrap long lines).</summary>
    public uint TerminalColumns { get; set; } = 511;

    /// <summary>
    /// The key-exchange algorithms offered to devices, in order of preference (the device takes the first it also
    /// supports). Unset or empty: the default offer of <see cref="KeyExchangeOffer"/> (ADR-019). A name the SSH library
    /// does not implement is a configuration error at start.
    /// </summary>
    public List<string>? KeyExchangeAlgorithms { get; set; }
}

/// <summary>Start-up validation of the "Ssh" section: the key-exchange offer (ADR-019), with the collector's own message.</summary>
internal sealed class SshCollectorOptionsValidation : IValidateOptions<SshCollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, SshCollectorOptions options) =>
        KeyExchangeOffer.ProblemWith(options.KeyExchangeAlgorithms) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
