using System.Text.Json;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Snapshots.Diffing;

namespace ConfigPortal.Domain.Snapshots.Browsing;

/// <summary>The changed sections of a stored diff: the first <see cref="ChangeSummaries.MaxStored"/> and how many there were.</summary>
public sealed record ChangedSectionsSummary(IReadOnlyList<ChangedSection> Sections, int Total);

/// <summary>
/// Which configuration blocks a change touches (<see cref="ConfigSections"/>), as stored with each diff
/// (<see cref="SnapshotDiff.ChangedSections"/>) for the Changes feed. Lines matching the vendor's ignore filters are
/// left out, as in the diff's counts.
/// </summary>
public static class ChangeSummaries
{
    /// <summary>At most this many sections are stored per diff (the total is kept).</summary>
    public const int MaxStored = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Stored(List<Item> S, int T);
    private sealed record Item(string N, int A, int R);

    /// <summary>The sections of <paramref name="diff"/> for a device of <paramref name="vendor"/>, leaving out ignore-filter lines.</summary>
    public static ChangedSectionsSummary Summarize(LineDiffResult diff, string? vendor)
    {
        ArgumentNullException.ThrowIfNull(diff);
        if (!diff.HasChanges) return new ChangedSectionsSummary([], 0);
        var profile = vendor is null ? null : VendorProfiles.Find(vendor);
        var syntax = profile?.Syntax;
        var ignore = profile?.IgnoreFilters ?? [];
        var oldSections = ConfigSections.Resolve(diff.OldLines, syntax);
        var newSections = ConfigSections.Resolve(diff.NewLines, syntax);

        var sections = ConfigSections.Summarize(diff, oldSections, newSections, line => LineFilters.MatchesAny(ignore, line));
        return new ChangedSectionsSummary(sections.Take(MaxStored).ToList(), sections.Count);
    }

    /// <summary>
    /// The added and removed lines of <paramref name="diff"/> that count as changes: lines matching the vendor's ignore
    /// filters (clocks, counters) are left out, as in the section summary. Only the changed lines are tested.
    /// </summary>
    public static (int Added, int Removed) CountedChanges(LineDiffResult diff, string? vendor)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var ignore = (vendor is null ? null : VendorProfiles.Find(vendor))?.IgnoreFilters ?? [];
        int added = 0, removed = 0;
        foreach (var e in diff.Edits)
        {
            for (var i = e.OldStart; i < e.OldStart + e.OldCount; i++)
                if (!LineFilters.MatchesAny(ignore, diff.OldLine(i))) removed++;
            for (var i = e.NewStart; i < e.NewStart + e.NewCount; i++)
                if (!LineFilters.MatchesAny(ignore, diff.NewLine(i))) added++;
        }
        return (added, removed);
    }

    /// <summary>The JSON stored in <see cref="SnapshotDiff.ChangedSections"/> for a diff (null without a diff).</summary>
    public static string? Serialize(LineDiffResult? diff, string? vendor)
    {
        if (diff is null) return null;
        var summary = Summarize(diff, vendor);
        return Serialize(summary);
    }

    public static string Serialize(ChangedSectionsSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return JsonSerializer.Serialize(new Stored(summary.Sections.Select(s => new Item(s.Section, s.Added, s.Removed)).ToList(), summary.Total), Json);
    }

    /// <summary>Reads a stored summary; null when none was stored (older diffs) or it cannot be read.</summary>
    public static ChangedSectionsSummary? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(json, Json);
            if (stored?.S is null) return null;
            return new ChangedSectionsSummary(stored.S.Select(i => new ChangedSection(i.N ?? ConfigSections.Global, i.A, i.R)).ToList(), Math.Max(stored.T, stored.S.Count));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
