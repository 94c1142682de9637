using System.Text.RegularExpressions;

namespace ConfigPortal.Domain.Configs;

/// <summary>A secret-masking rule: the regex's named group "secret" is replaced by the placeholder.</summary>
/// <param name="Keywords">
/// Literals of which at least one occurs (ignoring ASCII case) in every line the pattern can match: the normalizer skips
/// the regex on an ASCII line that contains none of them (a prefilter; lines with non-ASCII characters always run the
/// regex, since case-insensitive regex matching folds a few non-ASCII letters such as the Kelvin sign onto ASCII ones).
/// Null or empty: the regex runs on every line.
/// </param>
/// <param name="Section">
/// When set, the rule applies only inside a FortiOS-style <c>config ...</c> block whose header line (trimmed) matches
/// this regex, up to its <c>end</c> (e.g. <c>set name</c> inside <c>config system snmp community</c>).
/// </param>
public sealed record MaskRule(string Name, Regex Pattern, IReadOnlyList<string>? Keywords = null, Regex? Section = null);

/// <summary>
/// Everything the portal knows about one vendor's CLI, as data: how to collect (prompt, paging, commands) and how to
/// clean what was collected (delete filters, ignore filters, secret masking, truncation checks).
/// See docs/vendors.md for how to add one.
/// </summary>
public sealed record VendorProfile
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }

    /// <summary>Highlighting / section style of the config: "indent" (IOS-like), "braces" (JunOS), "slash" (RouterOS), "fortios".</summary>
    public string Syntax { get; init; } = "indent";

    // --- collection (used by the SSH driver) ---
    /// <summary>Matches the CLI prompt at the end of output.</summary>
    public required Regex Prompt { get; init; }
    /// <summary>Commands sent before collecting (disable paging, set width).</summary>
    public IReadOnlyList<string> SetupCommands { get; init; } = [];
    /// <summary>The command(s) whose output is the configuration.</summary>
    public required IReadOnlyList<string> ConfigCommands { get; init; }
    /// <summary>Use an exec channel instead of an interactive shell.</summary>
    public bool UseExec { get; init; }
    /// <summary>A pager prompt to answer with a space, when paging cannot be disabled.</summary>
    public Regex? MorePrompt { get; init; }
    /// <summary>Command that enters privileged mode when the prompt is unprivileged (e.g. "enable").</summary>
    public string? EnableCommand { get; init; }
    public Regex? UnprivilegedPrompt { get; init; }

    // --- cleaning ---
    /// <summary>Lines never worth storing (clock, uptime, the command echo).</summary>
    public IReadOnlyList<Regex> DeleteFilters { get; init; } = [];
    /// <summary>Lines stored but not counted as a change (e.g. "! Last configuration change at ...").</summary>
    public IReadOnlyList<Regex> IgnoreFilters { get; init; } = [];
    public IReadOnlyList<MaskRule> MaskRules { get; init; } = [];
    /// <summary>Output that means the device rejected the command: a failure, never a snapshot.</summary>
    public IReadOnlyList<Regex> ErrorPatterns { get; init; } = [];
    /// <summary>When set, a complete config has a line matching this near its end (e.g. IOS "end").</summary>
    public Regex? EndMarker { get; init; }
}
