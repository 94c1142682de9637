using System.Text.RegularExpressions;

namespace ConfigPortal.Domain.Configs;

/// <summary>
/// Matching a line against a list of delete/ignore regexes, the one way the normalizer, the diff and the change
/// counts do it: a pattern that exceeds its match timeout counts as no match (it neither stalls collection nor hides
/// the line).
/// </summary>
public static class LineFilters
{
    /// <summary>The index of the first pattern that matches the line, or null.</summary>
    public static int? FirstMatch(IReadOnlyList<Regex> patterns, ReadOnlySpan<char> line)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            try
            {
                if (patterns[i].IsMatch(line)) return i;
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological pattern counts as no match.
            }
        }
        return null;
    }

    /// <summary>Whether any pattern matches the line.</summary>
    public static bool MatchesAny(IReadOnlyList<Regex> patterns, ReadOnlySpan<char> line) => FirstMatch(patterns, line) is not null;
}
