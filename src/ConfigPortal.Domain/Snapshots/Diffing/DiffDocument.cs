namespace ConfigPortal.Domain.Snapshots.Diffing;

/// <summary>One change block of a diff: a run of non-unchanged side-by-side rows, with the section it sits in.</summary>
/// <param name="Index">0-based position among the diff's changes.</param>
/// <param name="FirstRow">Index of its first row in <see cref="DiffDocument.Rows"/>.</param>
public sealed record DiffChange(int Index, int FirstRow, int RowCount, string Section, int Added, int Removed);

/// <summary>A changed section of the summary and the first change in it (the one its link jumps to).</summary>
public sealed record SectionSummary(ChangedSection Section, int FirstChange);

/// <summary>
/// What a diff viewer needs of a line diff, computed once: the side-by-side rows (without word pieces: those are
/// computed for the few rows on screen), the change blocks with their configuration section, the collapsible
/// unchanged runs and the changed-sections summary.
/// </summary>
public sealed class DiffDocument
{
    private DiffDocument(LineDiffResult diff, IReadOnlyList<DiffRow> rows, IReadOnlyList<DiffChange> changes,
        IReadOnlyList<DiffSegment> segments, IReadOnlyList<SectionSummary> sections)
    {
        Diff = diff;
        Rows = rows;
        Changes = changes;
        Segments = segments;
        Sections = sections;
    }

    public LineDiffResult Diff { get; }
    public IReadOnlyList<DiffRow> Rows { get; }
    public IReadOnlyList<DiffChange> Changes { get; }

    /// <summary>The rows split into change runs and unchanged runs; runs longer than 2 × context are collapsible.</summary>
    public IReadOnlyList<DiffSegment> Segments { get; }

    /// <summary>The changed sections in the order they first appear, each with its first change.</summary>
    public IReadOnlyList<SectionSummary> Sections { get; }

    /// <param name="syntax">The vendor's config syntax (<c>VendorProfile.Syntax</c>); null means indented.</param>
    /// <param name="context">Unchanged lines kept around each change when the rest of a run collapses.</param>
    public static DiffDocument Build(LineDiffResult diff, string? syntax, int context = 3)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var rows = SideBySide.BuildRows(diff, wordPieces: false);
        var segments = SideBySide.Segment(rows, context);
        if (!diff.HasChanges) return new DiffDocument(diff, rows, [], segments, []);

        var oldSections = ConfigSections.Resolve(diff.OldLines, syntax);
        var newSections = ConfigSections.Resolve(diff.NewLines, syntax);
        var changes = new List<DiffChange>(diff.Edits.Count);
        var edit = 0;
        for (var i = 0; i < rows.Count;)
        {
            if (rows[i].Kind == RowKind.Unchanged) { i++; continue; }
            var start = i;
            while (i < rows.Count && rows[i].Kind != RowKind.Unchanged) i++;
            // Edits are separated by at least one matched line, so change runs and edits correspond one to one.
            var e = edit < diff.Edits.Count ? diff.Edits[edit] : default;
            var section = edit < diff.Edits.Count ? ConfigSections.SectionOf(e, oldSections, newSections) : ConfigSections.Global;
            changes.Add(new DiffChange(changes.Count, start, i - start, section, e.NewCount, e.OldCount));
            edit++;
        }

        var summary = ConfigSections.Summarize(diff, oldSections, newSections);
        var firstChange = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < diff.Edits.Count && k < changes.Count; k++)
        {
            var ed = diff.Edits[k];
            for (var j = 0; j < ed.OldCount; j++) firstChange.TryAdd(oldSections[ed.OldStart + j], k);
            for (var j = 0; j < ed.NewCount; j++) firstChange.TryAdd(newSections[ed.NewStart + j], k);
        }
        var sections = summary.Select(s => new SectionSummary(s, firstChange.GetValueOrDefault(s.Section))).ToList();
        return new DiffDocument(diff, rows, changes, segments, sections);
    }

    /// <summary>The change a row belongs to, or -1 for an unchanged row.</summary>
    public int ChangeOfRow(int row)
    {
        int lo = 0, hi = Changes.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var c = Changes[mid];
            if (row < c.FirstRow) hi = mid - 1;
            else if (row >= c.FirstRow + c.RowCount) lo = mid + 1;
            else return mid;
        }
        return -1;
    }
}
