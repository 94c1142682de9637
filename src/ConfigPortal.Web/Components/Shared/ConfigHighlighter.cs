using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Snapshots.Browsing;

namespace ConfigPortal.Web.Components.Shared;

/// <summary>
/// Syntax highlighting of one config line as HTML, per vendor syntax (<see cref="VendorProfile.Syntax"/>): comments,
/// keywords, IPv4/IPv6 addresses, the masked-secret placeholder and quoted strings, plus search marks. Every piece of
/// config text is HTML-encoded (configs are device output: a banner may well contain <c>&lt;script&gt;</c>); only the
/// span and mark tags are markup.
/// </summary>
public static partial class ConfigHighlighter
{
    public const string Comment = "cp-tok-comment";
    public const string Keyword = "cp-tok-kw";
    public const string Address = "cp-tok-addr";
    public const string Secret = "cp-tok-secret";
    public const string String = "cp-tok-str";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    private static readonly HashSet<string> IndentKeywords = new(StringComparer.Ordinal)
    {
        "interface", "router", "ip", "ipv6", "hostname", "vlan", "line", "access-list", "route-map", "no", "description",
        "shutdown", "switchport", "username", "enable", "snmp-server", "logging", "ntp", "aaa", "crypto", "policy-map",
        "class-map", "service", "spanning-tree", "version", "end", "exit", "banner", "address-family", "neighbor", "network",
        "object", "object-group", "tacacs-server", "radius-server", "vrf", "feature", "boot", "clock", "permit", "deny",
        "management", "daemon", "transceiver", "mtu", "channel-group", "exit-address-family", "redistribute", "password", "secret",
    };

    private static readonly HashSet<string> BracesKeywords = new(StringComparer.Ordinal)
    {
        "set", "delete", "deactivate", "activate", "interfaces", "system", "protocols", "policy-options", "firewall",
        "routing-options", "security", "family", "unit", "address", "host-name", "services", "snmp", "vlans", "inactive:",
        "term", "from", "then", "filter", "policy-statement", "group", "neighbor", "description",
    };

    private static readonly HashSet<string> SlashKeywords = new(StringComparer.Ordinal)
    {
        "add", "set", "remove", "disable", "enable", "print", "move", "unset",
    };

    private static readonly HashSet<string> FortiKeywords = new(StringComparer.Ordinal)
    {
        "config", "edit", "set", "unset", "next", "end", "append", "select", "unselect",
    };

    // Tokens inside a line: the placeholder, quoted strings, IPv4 (with an optional prefix length), IPv6 (full or "::").
    [GeneratedRegex("""
        (?<secret><removed>)
        |(?<str>"(?:[^"\\]|\\.)*"?)
        |(?<v4>(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:/\d{1,2})?(?![\w.]))
        |(?<v6>(?<![\w:.])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?)(?:/\d{1,3})?(?![\w:]))
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 100)]
    private static partial Regex Tokens();

    /// <summary>The syntax of a vendor id ("indent" when unknown).</summary>
    public static string SyntaxOf(string? vendor) => (vendor is null ? null : VendorProfiles.Find(vendor))?.Syntax ?? "indent";

    private readonly record struct Token(int Start, int Length, string Class);

    /// <summary>The token ranges of a line (non-overlapping, in order).</summary>
    public static IReadOnlyList<(int Start, int Length, string Class)> Tokenize(string line, string? syntax)
    {
        ArgumentNullException.ThrowIfNull(line);
        return TokensOf(line, syntax ?? "indent").Select(t => (t.Start, t.Length, t.Class)).ToList();
    }

    private static List<Token> TokensOf(string line, string syntax)
    {
        var tokens = new List<Token>();
        var indent = 0;
        while (indent < line.Length && char.IsWhiteSpace(line[indent])) indent++;
        if (indent == line.Length) return tokens;
        var rest = line.AsSpan(indent);

        // Whole-line comments.
        var isComment = syntax switch
        {
            "indent" => rest[0] == '!',
            "braces" => rest[0] == '#' || rest.StartsWith("/*"),
            _ => rest[0] == '#',
        };
        if (isComment)
        {
            tokens.Add(new Token(indent, line.Length - indent, Comment));
            return tokens;
        }

        // The keyword: the first word (RouterOS: a "/ip firewall filter" section path).
        var wordEnd = indent;
        while (wordEnd < line.Length && !char.IsWhiteSpace(line[wordEnd])) wordEnd++;
        var first = line[indent..wordEnd];
        if (syntax == "slash" && first.StartsWith('/'))
        {
            var end = wordEnd;
            // Following words up to a verb or a key=value belong to the path.
            var pos = wordEnd;
            while (pos < line.Length)
            {
                var s = pos;
                while (s < line.Length && line[s] == ' ') s++;
                var e = s;
                while (e < line.Length && line[e] != ' ') e++;
                if (e == s) break;
                var word = line[s..e];
                if (SlashKeywords.Contains(word) || word.Contains('=', StringComparison.Ordinal)) break;
                end = e;
                pos = e;
            }
            tokens.Add(new Token(indent, end - indent, Keyword));
            AddValueTokens(line, end, tokens, syntax);
            return tokens;
        }
        var keywords = syntax switch
        {
            "braces" => BracesKeywords,
            "slash" => SlashKeywords,
            "fortios" => FortiKeywords,
            _ => IndentKeywords,
        };
        var next = indent;
        if (keywords.Contains(first))
        {
            tokens.Add(new Token(indent, wordEnd - indent, Keyword));
            next = wordEnd;
        }
        AddValueTokens(line, next, tokens, syntax);
        return tokens;
    }

    private static void AddValueTokens(string line, int from, List<Token> tokens, string syntax)
    {
        // A trailing JunOS "## ..." comment ends the line.
        var commentAt = syntax == "braces" ? line.IndexOf("##", from, StringComparison.Ordinal) : -1;
        var limit = commentAt >= 0 ? commentAt : line.Length;
        try
        {
            foreach (var m in Tokens().EnumerateMatches(line.AsSpan(0, limit)[from..]))
            {
                var start = from + m.Index;
                var text = line.AsSpan(start, m.Length);
                var cls = text.SequenceEqual(VendorProfiles.SecretPlaceholder) ? Secret
                    : text[0] == '"' ? String
                    : Address;
                tokens.Add(new Token(start, m.Length, cls));
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // An odd line stays plain.
        }
        if (commentAt >= 0) tokens.Add(new Token(commentAt, line.Length - commentAt, Comment));
    }

    /// <summary>
    /// The line as HTML: tokens as <c>&lt;span class&gt;</c>, <paramref name="marks"/> (search matches) as
    /// <c>&lt;mark&gt;</c> (the one at <paramref name="currentMark"/> with class <c>cp-hit-current</c>); all text encoded.
    /// </summary>
    public static string ToHtml(string line, string? syntax, IReadOnlyList<MatchSpan>? marks = null, int currentMark = -1)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length == 0) return "";
        var tokens = TokensOf(line, syntax ?? "indent");
        // Class of every character: token index (or -1) and mark index (or -1). Lines are short; arrays are simplest.
        var tok = new int[line.Length];
        Array.Fill(tok, -1);
        for (var t = 0; t < tokens.Count; t++)
        {
            for (var i = tokens[t].Start; i < tokens[t].Start + tokens[t].Length && i < line.Length; i++) tok[i] = t;
        }
        var mark = new int[line.Length];
        Array.Fill(mark, -1);
        if (marks is not null)
        {
            for (var m = 0; m < marks.Count; m++)
            {
                var (s, l) = (marks[m].Start, marks[m].Length);
                for (var i = Math.Max(0, s); i < s + l && i < line.Length; i++) mark[i] = m;
            }
        }

        var sb = new StringBuilder(line.Length * 2);
        var pos = 0;
        while (pos < line.Length)
        {
            var end = pos + 1;
            while (end < line.Length && tok[end] == tok[pos] && mark[end] == mark[pos]) end++;
            var segment = Encoder.Encode(line[pos..end]);
            var m = mark[pos];
            var t = tok[pos];
            if (m >= 0) sb.Append(m == currentMark ? "<mark class=\"cp-hit cp-hit-current\">" : "<mark class=\"cp-hit\">");
            if (t >= 0) sb.Append("<span class=\"").Append(tokens[t].Class).Append("\">");
            sb.Append(segment);
            if (t >= 0) sb.Append("</span>");
            if (m >= 0) sb.Append("</mark>");
            pos = end;
        }
        return sb.ToString();
    }
}
