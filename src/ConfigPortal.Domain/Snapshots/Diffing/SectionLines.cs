namespace ConfigPortal.Domain.Snapshots.Diffing;

/// <summary>The lines of one configuration section (with its nested blocks) and where they sit in the whole config.</summary>
/// <param name="LineNumbers">1-based line number in the whole config of each of <paramref name="Lines"/>.</param>
public sealed record SectionSlice(string Section, string[] Lines, int[] LineNumbers)
{
    public bool Found => Lines.Length > 0;
}

public static class SectionLines
{
    /// <summary>
    /// The lines of <paramref name="section"/> and of the blocks nested in it (paths that start with it and
    /// <see cref="ConfigSections.Separator"/>), in config order.
    /// </summary>
    public static SectionSlice Extract(IReadOnlyList<string> lines, string[] sections, string section)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(section);
        var nested = section + ConfigSections.Separator;
        var kept = new List<string>();
        var numbers = new List<int>();
        for (var i = 0; i < lines.Count && i < sections.Length; i++)
        {
            var s = sections[i];
            if (s == section || s.StartsWith(nested, StringComparison.Ordinal))
            {
                kept.Add(lines[i]);
                numbers.Add(i + 1);
            }
        }
        return new SectionSlice(section, [.. kept], [.. numbers]);
    }

    /// <summary>The distinct sections of a config (top-level blocks and nested ones), in config order, without <see cref="ConfigSections.Global"/>.</summary>
    public static IReadOnlyList<string> Distinct(string[] sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var s in sections)
        {
            if (s != ConfigSections.Global && seen.Add(s)) list.Add(s);
        }
        return list;
    }
}
