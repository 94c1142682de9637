using System.Text;

namespace ConfigPortal.Domain.Snapshots.Browsing;

/// <summary>
/// Finds a literal that every match of a regular expression must contain, so that config search can skip a config
/// with one vectorized <c>IndexOf</c> instead of running the regex over it. Conservative: any construct it does not
/// understand (alternation, groups, inline options, character classes) only ends a literal run or gives up; it never
/// returns a literal that a match could lack.
/// </summary>
public static class RegexPrefilter
{
    /// <summary>The longest required literal of at least <paramref name="minLength"/> characters, or null.</summary>
    public static string? RequiredLiteral(string pattern, bool ignoreCase, int minLength = 3)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        // Alternation anywhere makes every literal optional; "(?" starts inline options, lookarounds and the like.
        if (pattern.Contains('|', StringComparison.Ordinal) || pattern.Contains("(?", StringComparison.Ordinal)) return null;

        var runs = new List<string>();
        var run = new StringBuilder();
        var depth = 0;
        void EndRun()
        {
            if (run.Length > 0) runs.Add(run.ToString());
            run.Clear();
        }
        // Drops the last literal character (it turned out to be quantified as optional) and ends the run.
        void DropLastAndEnd()
        {
            if (run.Length > 0) run.Length--;
            EndRun();
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 >= pattern.Length) return null;
                    var n = pattern[++i];
                    if (depth == 0 && IsEscapedLiteral(n)) run.Append(n);
                    else EndRun(); // \d, \w, \b, \1, \x41 ...: not a plain literal
                    break;
                case '[':
                    EndRun();
                    i = SkipClass(pattern, i);
                    if (i < 0) return null;
                    break;
                case '(':
                    EndRun();
                    depth++;
                    break;
                case ')':
                    EndRun();
                    depth = Math.Max(0, depth - 1);
                    break;
                case '*' or '?':
                    DropLastAndEnd();
                    break;
                case '{':
                    // {n}, {n,}, {n,m}: optional when n is 0; either way the repeated char ends the run.
                    var close = pattern.IndexOf('}', i);
                    if (close < 0) { run.Append(c); break; }
                    var body = pattern.AsSpan(i + 1, close - i - 1);
                    if (body.Length > 0 && body[0] == '0') DropLastAndEnd();
                    else EndRun();
                    i = close;
                    break;
                case '+':
                    EndRun();
                    break;
                case '.' or '^' or '$':
                    EndRun();
                    break;
                default:
                    if (depth == 0) run.Append(c);
                    else EndRun();
                    break;
            }
        }
        EndRun();

        string? best = null;
        foreach (var r in runs.SelectMany(r => ignoreCase ? SplitForIgnoreCase(r) : [r]))
        {
            if (r.Length >= minLength && (best is null || r.Length > best.Length)) best = r;
        }
        return best;
    }

    private static bool IsEscapedLiteral(char n) => n is '.' or '*' or '+' or '?' or '(' or ')' or '[' or ']' or '{' or '}'
        or '|' or '^' or '$' or '\\' or '/' or '-' or ' ' or '#' or ':' or '"' or '\'' or ',' or '=' or '@' or '!' or '<' or '>';

    private static int SkipClass(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^') i++;
        if (i < pattern.Length && pattern[i] == ']') i++;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\') { i++; continue; }
            if (pattern[i] == ']') return i;
        }
        return -1;
    }

    /// <summary>
    /// Under IgnoreCase the regex engine also matches some non-ASCII forms of ASCII letters (K and the Kelvin sign,
    /// S and the long s) that an ordinal ignore-case IndexOf does not: keep only the ASCII stretches without them.
    /// </summary>
    private static IEnumerable<string> SplitForIgnoreCase(string run)
    {
        var sb = new StringBuilder();
        foreach (var ch in run)
        {
            if (ch > 127 || ch is 'k' or 'K' or 's' or 'S')
            {
                if (sb.Length > 0) yield return sb.ToString();
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }
        if (sb.Length > 0) yield return sb.ToString();
    }
}
