using System.Text.Json.Serialization;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>What the emulator plays: a JSON file the python script reads (see <see cref="EmulatorScript"/>).</summary>
public sealed record DeviceSpec
{
    [JsonPropertyName("banner")] public string Banner { get; init; } = "";
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }
    [JsonPropertyName("unpriv_prompt")] public string? UnprivilegedPrompt { get; init; }
    [JsonPropertyName("enable_command")] public string? EnableCommand { get; init; }
    [JsonPropertyName("enable_secret")] public string? EnableSecret { get; init; }
    [JsonPropertyName("config_commands")] public required string[] ConfigCommands { get; init; }
    [JsonPropertyName("paging_off_commands")] public string[] PagingOffCommands { get; init; } = [];
    [JsonPropertyName("accepted_commands")] public string[] AcceptedCommands { get; init; } = [];
    [JsonPropertyName("page_lines")] public int PageLines { get; init; }
    [JsonPropertyName("more")] public string More { get; init; } = " --More-- ";
    [JsonPropertyName("more_erase")] public string MoreErase { get; init; } = "";
    [JsonPropertyName("error")] public string Error { get; init; } = "% Invalid input detected at '^' marker.";
    /// <summary>The config, with {{TOKENS}} the emulator fills with fresh volatile values on every run.</summary>
    [JsonPropertyName("config")] public required string Config { get; init; }
}

/// <summary>One vendor's emulator and what a test expects after collection + normalization.</summary>
public sealed record VendorEmulation
{
    public required string Vendor { get; init; }
    public required DeviceSpec Spec { get; init; }
    /// <summary>Secret values planted in the config; none may survive masking.</summary>
    public required string[] Secrets { get; init; }
    /// <summary>Lines the stored config must contain exactly (body lines and masked lines with the placeholder).</summary>
    public required string[] ExpectedLines { get; init; }
    /// <summary>Prefixes of volatile lines the delete filters must remove.</summary>
    public required string[] DeletedPrefixes { get; init; }
    /// <summary>Whether two runs of this emulator differ in raw text (volatile lines or re-salted blobs).</summary>
    public bool RawDiffersBetweenRuns { get; init; } = true;
}
