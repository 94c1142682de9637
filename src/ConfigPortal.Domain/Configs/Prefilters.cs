using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ConfigPortal.Domain.Configs;

/// <summary>
/// A list of line filters (a vendor's delete or ignore filters) with a cheap necessary condition per regex: a pattern
/// that starts with <c>^literal</c> (or <c>^\s*literal</c>) can only match a line that starts with that literal (after
/// leading whitespace), so the regex runs only on such lines. Patterns whose prefix cannot be read safely (case-insensitive,
/// alternations, inline options...) always run. Built once per filter list and cached.
/// </summary>
internal sealed class LinePrefilter
{
    private static readonly ConditionalWeakTable<IReadOnlyList<Regex>, LinePrefilter> Cache = new();
    private readonly Regex[] _filters;
    private readonly string?[] _prefixes;
    private readonly bool[] _afterWhitespace;

    private LinePrefilter(IReadOnlyList<Regex> filters, bool usePrefixes)
    {
        _filters = [.. filters];
        _prefixes = new string?[_filters.Length];
        _afterWhitespace = new bool[_filters.Length];
        if (!usePrefixes) return;
        for (var i = 0; i < _filters.Length; i++)
            (_prefixes[i], _afterWhitespace[i]) = RequiredPrefix(_filters[i]);
    }

    public static LinePrefilter For(IReadOnlyList<Regex> filters) => Cache.GetValue(filters, f => new LinePrefilter(f, usePrefixes: true));

    /// <summary>Every regex on every line (the reference behaviour).</summary>
    public static LinePrefilter Unfiltered(IReadOnlyList<Regex> filters) => new(filters, usePrefixes: false);

    public bool MatchesAny(string line)
    {
        for (var i = 0; i < _filters.Length; i++)
        {
            if (_prefixes[i] is { } prefix)
            {
                var span = _afterWhitespace[i] ? line.AsSpan().TrimStart() : line.AsSpan();
                if (!span.StartsWith(prefix, StringComparison.Ordinal)) continue;
            }
            // Vendor patterns: a timeout (a starved thread, not a pathological pattern) is retried without one.
            if (ConfigNormalizer.IsMatchPatient(_filters[i], line)) return true;
        }
        return false;
    }

    /// <summary>
    /// The literal every match of <paramref name="regex"/> starts with, and whether it follows leading whitespace
    /// (<c>^\s*</c>); null when the pattern is not of that simple, case-sensitive shape.
    /// </summary>
    internal static (string? Prefix, bool AfterWhitespace) RequiredPrefix(Regex regex)
    {
        const RegexOptions unsupported = RegexOptions.IgnoreCase | RegexOptions.RightToLeft | RegexOptions.IgnorePatternWhitespace | RegexOptions.ECMAScript;
        if ((regex.Options & unsupported) != 0) return (null, false);
        var p = regex.ToString();
        // An alternation anywhere (even inside a group) could make the prefix optional: leave such patterns alone.
        if (p.Length < 2 || p[0] != '^' || p.Contains('|', StringComparison.Ordinal)) return (null, false);
        var i = 1;
        var afterWhitespace = false;
        if (p.AsSpan(1).StartsWith(@"\s*", StringComparison.Ordinal) || p.AsSpan(1).StartsWith(@"\s+", StringComparison.Ordinal))
        {
            afterWhitespace = true;
            i = 4;
        }
        var literal = new StringBuilder();
        while (i < p.Length)
        {
            var c = p[i];
            if (c == '\\')
            {
                // An escaped punctuation character is itself; an escaped letter or digit is a class, an anchor or a reference.
                if (i + 1 >= p.Length || char.IsLetterOrDigit(p[i + 1]) || p[i + 1] == '_' || p[i + 1] > 127) break;
                literal.Append(p[i + 1]);
                i += 2;
                continue;
            }
            if (c is '?' or '*' or '+' or '{')
            {
                // A quantifier applies to the character before it: that one is not required.
                if (literal.Length > 0) literal.Length--;
                break;
            }
            if (c is '^' or '$' or '.' or '|' or '(' or ')' or '[' or ']' || c > 127 || char.IsControl(c)) break;
            literal.Append(c);
            i++;
        }
        if (literal.Length == 0 || (afterWhitespace && char.IsWhiteSpace(literal[0]))) return (null, false);
        return (literal.ToString(), afterWhitespace);
    }
}

/// <summary>
/// The keyword prefilter of a list of <see cref="MaskRule"/>s: an ASCII line that contains none of a rule's keywords
/// (ignoring ASCII case) cannot match it, and one that contains no keyword of any rule skips masking altogether.
/// Built once per rule list and cached.
/// </summary>
internal sealed class MaskPlan
{
    private static readonly ConditionalWeakTable<IReadOnlyList<MaskRule>, MaskPlan> Cache = new();
    private readonly SearchValues<string>? _any;
    private readonly SearchValues<string>?[] _perRule;

    private MaskPlan(IReadOnlyList<MaskRule> rules)
    {
        _perRule = new SearchValues<string>?[rules.Count];
        var all = new List<string>();
        var everyRuleHasKeywords = true;
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Keywords is { Count: > 0 } keywords)
            {
                _perRule[i] = SearchValues.Create([.. keywords], StringComparison.OrdinalIgnoreCase);
                all.AddRange(keywords);
            }
            else
            {
                everyRuleHasKeywords = false;
            }
        }
        if (everyRuleHasKeywords && all.Count > 0)
            _any = SearchValues.Create([.. all.Distinct(StringComparer.OrdinalIgnoreCase)], StringComparison.OrdinalIgnoreCase);
    }

    public static MaskPlan For(IReadOnlyList<MaskRule> rules) => Cache.GetValue(rules, r => new MaskPlan(r));

    /// <summary>False when no rule can match the (ASCII) line.</summary>
    public bool MayMatchAny(string line) => _any is null || line.AsSpan().ContainsAny(_any);

    /// <summary>False when rule <paramref name="index"/> cannot match the (ASCII) line.</summary>
    public bool MayMatch(int index, string line) => _perRule[index] is not { } keywords || line.AsSpan().ContainsAny(keywords);
}
