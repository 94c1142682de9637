using DiffPlex;
using DiffPlex.Chunkers;

namespace ConfigPortal.Domain.Snapshots.Diffing;

public enum RowKind
{
    Unchanged = 0,
    Deleted = 1,
    Inserted = 2,
    Modified = 3,
}

/// <summary>A piece of a modified line: text and whether it changed.</summary>
public readonly record struct LinePiece(string Text, bool Changed);

/// <summary>One row of a side-by-side diff. Either side may be absent (a pure insert or delete).</summary>
public sealed record DiffRow(
    RowKind Kind,
    int? OldNumber,
    string? OldText,
    int? NewNumber,
    string? NewText,
    IReadOnlyList<LinePiece>? OldPieces = null,
    IReadOnlyList<LinePiece>? NewPieces = null);

/// <summary>A run of rows: changes, or unchanged lines that the viewer may collapse.</summary>
public sealed record DiffSegment(IReadOnlyList<DiffRow> Rows, bool Collapsible)
{
    public int FirstIndex { get; init; }
}

/// <summary>Builds the side-by-side model: deleted and inserted lines of one edit are paired as modified rows.</summary>
public static class SideBySide
{
    public static IReadOnlyList<DiffRow> BuildRows(LineDiffResult diff, bool wordPieces = true)
    {
        var rows = new List<DiffRow>(Math.Max(diff.OldLines.Length, diff.NewLines.Length) + 8);
        var o = 0;
        var n = 0;
        foreach (var e in diff.Edits)
        {
            while (o < e.OldStart)
            {
                rows.Add(new DiffRow(RowKind.Unchanged, o + 1, diff.OldLines[o], n + 1, diff.NewLines[n]));
                o++;
                n++;
            }
            var paired = Math.Min(e.OldCount, e.NewCount);
            for (var k = 0; k < paired; k++)
            {
                var oldLine = diff.OldLines[e.OldStart + k];
                var newLine = diff.NewLines[e.NewStart + k];
                var (op, np) = wordPieces ? Pieces(oldLine, newLine) : (null, null);
                rows.Add(new DiffRow(RowKind.Modified, e.OldStart + k + 1, oldLine, e.NewStart + k + 1, newLine, op, np));
            }
            for (var k = paired; k < e.OldCount; k++)
                rows.Add(new DiffRow(RowKind.Deleted, e.OldStart + k + 1, diff.OldLines[e.OldStart + k], null, null));
            for (var k = paired; k < e.NewCount; k++)
                rows.Add(new DiffRow(RowKind.Inserted, null, null, e.NewStart + k + 1, diff.NewLines[e.NewStart + k]));
            o = e.OldStart + e.OldCount;
            n = e.NewStart + e.NewCount;
        }
        while (o < diff.OldLines.Length && n < diff.NewLines.Length)
        {
            rows.Add(new DiffRow(RowKind.Unchanged, o + 1, diff.OldLines[o], n + 1, diff.NewLines[n]));
            o++;
            n++;
        }
        return rows;
    }

    /// <summary>Splits rows into change segments and unchanged runs longer than 2*context (collapsible).</summary>
    public static IReadOnlyList<DiffSegment> Segment(IReadOnlyList<DiffRow> rows, int context = 3)
    {
        var segments = new List<DiffSegment>();
        var i = 0;
        while (i < rows.Count)
        {
            var start = i;
            if (rows[i].Kind == RowKind.Unchanged)
            {
                while (i < rows.Count && rows[i].Kind == RowKind.Unchanged) i++;
                var len = i - start;
                var leading = start == 0 ? 0 : context;
                var trailing = i == rows.Count ? 0 : context;
                if (len > leading + trailing + 1)
                {
                    if (leading > 0) segments.Add(new DiffSegment(Slice(rows, start, leading), false) { FirstIndex = start });
                    segments.Add(new DiffSegment(Slice(rows, start + leading, len - leading - trailing), true) { FirstIndex = start + leading });
                    if (trailing > 0) segments.Add(new DiffSegment(Slice(rows, i - trailing, trailing), false) { FirstIndex = i - trailing });
                }
                else
                {
                    segments.Add(new DiffSegment(Slice(rows, start, len), false) { FirstIndex = start });
                }
            }
            else
            {
                while (i < rows.Count && rows[i].Kind != RowKind.Unchanged) i++;
                segments.Add(new DiffSegment(Slice(rows, start, i - start), false) { FirstIndex = start });
            }
        }
        return segments;
    }

    private static List<DiffRow> Slice(IReadOnlyList<DiffRow> rows, int start, int count)
    {
        var list = new List<DiffRow>(count);
        for (var k = start; k < start + count; k++) list.Add(rows[k]);
        return list;
    }

    /// <summary>Word-level pieces of a modified pair (DiffPlex's sub-piece model).</summary>
    public static (IReadOnlyList<LinePiece> Old, IReadOnlyList<LinePiece> New) Pieces(string oldLine, string newLine)
    {
        var result = Differ.Instance.CreateDiffs(oldLine, newLine, false, false, WordChunker.Instance);
        var oldPieces = result.PiecesOld;
        var newPieces = result.PiecesNew;
        var oldChanged = new bool[oldPieces.Count];
        var newChanged = new bool[newPieces.Count];
        foreach (var b in result.DiffBlocks)
        {
            for (var k = 0; k < b.DeleteCountA; k++) oldChanged[b.DeleteStartA + k] = true;
            for (var k = 0; k < b.InsertCountB; k++) newChanged[b.InsertStartB + k] = true;
        }
        return (Merge(oldPieces, oldChanged), Merge(newPieces, newChanged));
    }

    private static List<LinePiece> Merge(IReadOnlyList<string> pieces, bool[] changed)
    {
        var list = new List<LinePiece>();
        var sb = new System.Text.StringBuilder();
        bool? current = null;
        for (var k = 0; k < pieces.Count; k++)
        {
            if (current is { } c && c != changed[k])
            {
                list.Add(new LinePiece(sb.ToString(), c));
                sb.Clear();
            }
            current = changed[k];
            sb.Append(pieces[k]);
        }
        if (current is { } last) list.Add(new LinePiece(sb.ToString(), last));
        return list;
    }
}
