using System.Globalization;
using System.Text.RegularExpressions;

namespace ConfigPortal.Domain.Configs;

/// <summary>
/// A tenant's or a device's own delete/ignore filters, stored as text with one regex per line. Patterns are validated
/// when saved (a bad one is a form error naming its line) and compiled with a match timeout, so a catastrophic pattern
/// cannot stall a collection: <see cref="ConfigNormalizer"/> treats a timed-out filter as not matching and stops using it
/// for the rest of that config.
/// </summary>
public static class CustomFilterSet
{
    public const int MaxPatterns = 50;
    public const int MaxPatternLength = 500;
    public const int MaxTextLength = 8000;
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    /// <summary>The patterns of a stored text: trimmed, non-empty lines.</summary>
    public static IReadOnlyList<string> Lines(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0).ToArray();

    /// <summary>The canonical stored form (null when empty), or errors for the form field.</summary>
    public static (string? Normalized, IReadOnlyList<string> Errors) Validate(string? text)
    {
        var errors = new List<string>();
        if (text is { Length: > MaxTextLength })
            errors.Add($"At most {MaxTextLength} characters.");
        var lines = Lines(text);
        if (lines.Count > MaxPatterns)
            errors.Add($"At most {MaxPatterns} patterns.");
        for (var i = 0; i < lines.Count && errors.Count < 5; i++)
        {
            var line = lines[i];
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (line.Length > MaxPatternLength)
            {
                errors.Add($"Pattern {n} is longer than {MaxPatternLength} characters.");
                continue;
            }
            try
            {
                _ = new Regex(line, Options, MatchTimeout);
            }
            catch (ArgumentException ex)
            {
                // The parser's message names the problem and position; it echoes only the pattern itself.
                errors.Add($"Pattern {n} is not a valid regular expression: {ex.Message}");
            }
        }
        return (lines.Count == 0 ? null : string.Join('\n', lines), errors);
    }

    /// <summary>Compiles stored patterns (skipping any that no longer parse) with the match timeout.</summary>
    public static IReadOnlyList<Regex> Compile(string? text)
    {
        var result = new List<Regex>();
        foreach (var line in Lines(text))
        {
            try { result.Add(new Regex(line, Options, MatchTimeout)); }
            catch (ArgumentException) { /* validated on save; a pattern that stopped parsing is skipped */ }
        }
        return result;
    }

    /// <summary>The tenant's and the device's filters together, for the normalizer.</summary>
    public static CustomFilters For(string? tenantDelete, string? tenantIgnore, string? deviceDelete, string? deviceIgnore)
    {
        var delete = Compile(tenantDelete).Concat(Compile(deviceDelete)).ToArray();
        var ignore = Compile(tenantIgnore).Concat(Compile(deviceIgnore)).ToArray();
        return delete.Length == 0 && ignore.Length == 0 ? CustomFilters.None : new CustomFilters(delete, ignore);
    }
}
