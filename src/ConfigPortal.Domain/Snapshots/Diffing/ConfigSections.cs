namespace ConfigPortal.Domain.Snapshots.Diffing;

/// <summary>A configuration block that a diff touches, with its line counts.</summary>
/// <param name="Section">The block's path, e.g. <c>interface GigabitEthernet0/1</c> or
/// <c>router bgp 65000 › address-family ipv4</c>; <see cref="ConfigSections.Global"/> for top-level lines.</param>
public sealed record ChangedSection(string Section, int Added, int Removed)
{
    public int Changed => Added + Removed;

    public override string ToString() =>
        $"{Section}: {Changed} line{(Changed == 1 ? "" : "s")} changed (+{Added} −{Removed})";
}

/// <summary>
/// Finds the configuration block each line belongs to, per vendor syntax (see <c>VendorProfile.Syntax</c>):
/// <list type="bullet">
/// <item><c>indent</c> (IOS, IOS-XE, NX-OS, ASA, EOS, AOS-CX): a line at a lower indentation followed by indented
/// lines opens a block; nested blocks give a path (<c>router bgp 65000 › address-family ipv4</c>).</item>
/// <item><c>braces</c> (JunOS): <c>name {</c> opens and <c>}</c> closes a block; <c>set</c>/<c>delete</c> lines
/// belong to the block named by their first two words (<c>interfaces ge-0/0/0</c>).</item>
/// <item><c>slash</c> (RouterOS): a <c>/ip firewall filter</c> line opens the section of the lines after it.</item>
/// <item><c>fortios</c>: <c>config …</c> / <c>edit …</c> open blocks, <c>next</c> / <c>end</c> close them.</item>
/// </list>
/// The header line of a block belongs to that block. Lines outside any block belong to <see cref="Global"/>.
/// </summary>
public static class ConfigSections
{
    public const string Global = "(global)";
    public const string Separator = " › ";

    /// <summary>The section of every line (same length as <paramref name="lines"/>; never null).</summary>
    public static string[] Resolve(IReadOnlyList<string> lines, string? syntax)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return (syntax ?? "indent") switch
        {
            "braces" => ResolveBraces(lines),
            "slash" => ResolveSlash(lines),
            "fortios" => ResolveFortiOs(lines),
            _ => ResolveIndent(lines),
        };
    }

    /// <summary>The section a change block sits in: its first new line's, or its first removed line's.</summary>
    public static string SectionOf(DiffEdit edit, string[] oldSections, string[] newSections)
    {
        ArgumentNullException.ThrowIfNull(oldSections);
        ArgumentNullException.ThrowIfNull(newSections);
        if (edit.NewCount > 0 && edit.NewStart < newSections.Length) return newSections[edit.NewStart];
        if (edit.OldCount > 0 && edit.OldStart < oldSections.Length) return oldSections[edit.OldStart];
        // A pure insertion at the end or a pure deletion: the line before it tells the block.
        if (edit.NewStart > 0 && edit.NewStart - 1 < newSections.Length) return newSections[edit.NewStart - 1];
        return Global;
    }

    /// <summary>The sections a diff touches, in the order they first appear in the new config, with line counts.</summary>
    public static IReadOnlyList<ChangedSection> Summarize(LineDiffResult diff, string? syntax)
    {
        ArgumentNullException.ThrowIfNull(diff);
        if (!diff.HasChanges) return [];
        var oldSections = Resolve(diff.OldLines, syntax);
        var newSections = Resolve(diff.NewLines, syntax);
        return Summarize(diff, oldSections, newSections);
    }

    /// <summary>
    /// As <see cref="Summarize(LineDiffResult, string?)"/> with sections already resolved; changed lines for which
    /// <paramref name="skipLine"/> is true (e.g. a vendor's ignore lines) are not counted.
    /// </summary>
    public static IReadOnlyList<ChangedSection> Summarize(LineDiffResult diff, string[] oldSections, string[] newSections, Func<string, bool>? skipLine = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(oldSections);
        ArgumentNullException.ThrowIfNull(newSections);
        var order = new List<string>();
        var counts = new Dictionary<string, (int Added, int Removed)>(StringComparer.Ordinal);
        void Count(string section, string line, int added, int removed)
        {
            if (skipLine is not null && skipLine(line)) return;
            if (!counts.TryGetValue(section, out var c)) order.Add(section);
            counts[section] = (c.Added + added, c.Removed + removed);
        }
        foreach (var edit in diff.Edits)
        {
            for (var i = 0; i < edit.OldCount; i++) Count(oldSections[edit.OldStart + i], diff.OldLines[edit.OldStart + i], 0, 1);
            for (var i = 0; i < edit.NewCount; i++) Count(newSections[edit.NewStart + i], diff.NewLines[edit.NewStart + i], 1, 0);
        }
        return order.Select(s => new ChangedSection(s, counts[s].Added, counts[s].Removed)).ToList();
    }

    private static int Indent(string line)
    {
        var n = 0;
        foreach (var ch in line)
        {
            if (ch == ' ') n++;
            else if (ch == '\t') n += 4;
            else break;
        }
        return n;
    }

    private static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);

    private static bool IsComment(string trimmed) => trimmed.Length > 0 && trimmed[0] is '!' or '#';

    private static string[] ResolveIndent(IReadOnlyList<string> lines)
    {
        var result = new string[lines.Count];
        // Open blocks: (indent of the header, the header's path).
        var stack = new List<(int Indent, string Path)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || IsComment(trimmed))
            {
                // Blank lines and "!" separators close nothing by themselves but belong to the enclosing block only
                // while it goes on; a top-level "!" ends IOS blocks.
                if (trimmed.Length > 0 && Indent(line) == 0) stack.Clear();
                result[i] = stack.Count > 0 ? stack[^1].Path : Global;
                continue;
            }
            var indent = Indent(line);
            while (stack.Count > 0 && stack[^1].Indent >= indent) stack.RemoveAt(stack.Count - 1);
            if (NextContentIndent(lines, i) > indent)
            {
                var path = stack.Count > 0 ? stack[^1].Path + Separator + trimmed : trimmed;
                stack.Add((indent, path));
                result[i] = path;
            }
            else
            {
                result[i] = stack.Count > 0 ? stack[^1].Path : Global;
            }
        }
        return result;
    }

    private static int NextContentIndent(IReadOnlyList<string> lines, int i)
    {
        for (var j = i + 1; j < lines.Count; j++)
        {
            var trimmed = lines[j].AsSpan().Trim();
            if (trimmed.Length == 0) continue;
            if (trimmed[0] is '!' && Indent(lines[j]) == 0) return 0;
            return Indent(lines[j]);
        }
        return 0;
    }

    private static string[] ResolveBraces(IReadOnlyList<string> lines)
    {
        var result = new string[lines.Count];
        var stack = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("set ", StringComparison.Ordinal) || trimmed.StartsWith("delete ", StringComparison.Ordinal)
                || trimmed.StartsWith("deactivate ", StringComparison.Ordinal))
            {
                result[i] = SetPath(trimmed);
                continue;
            }
            if (trimmed.EndsWith('{'))
            {
                var name = trimmed[..^1].TrimEnd();
                stack.Add(stack.Count > 0 ? stack[^1] + Separator + name : name);
                result[i] = stack[^1];
                continue;
            }
            result[i] = stack.Count > 0 ? stack[^1] : Global;
            if (trimmed.StartsWith('}') && stack.Count > 0) stack.RemoveAt(stack.Count - 1);
        }
        return result;
    }

    private static string SetPath(string trimmed)
    {
        var words = trimmed.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        return words.Length switch
        {
            >= 3 => words[1] + " " + words[2],
            2 => words[1],
            _ => Global,
        };
    }

    private static string[] ResolveSlash(IReadOnlyList<string> lines)
    {
        var result = new string[lines.Count];
        var current = Global;
        var continued = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Trim();
            if (!continued && trimmed.StartsWith('/'))
            {
                // "/ip firewall filter" or "/ip firewall filter add ..." (one-line form): the path is the words up to
                // the first command verb.
                current = SlashPath(trimmed);
            }
            result[i] = current;
            continued = trimmed.EndsWith('\\');
        }
        return result;
    }

    private static readonly HashSet<string> RouterOsVerbs = new(StringComparer.Ordinal)
    {
        "add", "set", "remove", "print", "export", "enable", "disable", "move", "unset",
    };

    private static string SlashPath(string trimmed)
    {
        var words = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var n = 1;
        while (n < words.Length && !RouterOsVerbs.Contains(words[n]) && !words[n].Contains('=', StringComparison.Ordinal)) n++;
        return string.Join(' ', words, 0, n);
    }

    private static string[] ResolveFortiOs(IReadOnlyList<string> lines)
    {
        var result = new string[lines.Count];
        var stack = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("config ", StringComparison.Ordinal) || trimmed.StartsWith("edit ", StringComparison.Ordinal))
            {
                stack.Add(stack.Count > 0 ? stack[^1] + Separator + trimmed : trimmed);
                result[i] = stack[^1];
                continue;
            }
            result[i] = stack.Count > 0 ? stack[^1] : Global;
            if ((trimmed == "next" || trimmed == "end") && stack.Count > 0) stack.RemoveAt(stack.Count - 1);
        }
        return result;
    }
}
