using DiffPlex;
using DiffPlex.Chunkers;

namespace ConfigPortal.Domain.Snapshots.Diffing;

/// <summary>One change: <see cref="OldCount"/> lines at <see cref="OldStart"/> replaced by <see cref="NewCount"/> lines at <see cref="NewStart"/> (0-based).</summary>
public readonly record struct DiffEdit(int OldStart, int OldCount, int NewStart, int NewCount);

/// <summary>A line-level diff of two texts.</summary>
public sealed class LineDiffResult
{
    public required string[] OldLines { get; init; }
    public required string[] NewLines { get; init; }
    public required IReadOnlyList<DiffEdit> Edits { get; init; }
    public int Added => Edits.Sum(e => e.NewCount);
    public int Removed => Edits.Sum(e => e.OldCount);
    public bool HasChanges => Edits.Count > 0;
}

public sealed record DiffOptions(bool IgnoreWhitespace = false);

/// <summary>
/// Line diff on DiffPlex. The common head and tail are trimmed first so that DiffPlex only sees the changed middle.
/// </summary>
public static class LineDiffer
{
    public static LineDiffResult Diff(string oldText, string newText, DiffOptions? options = null) =>
        Diff(SplitLines(oldText), SplitLines(newText), options);

    public static LineDiffResult Diff(string[] a, string[] b, DiffOptions? options = null)
    {
        options ??= new DiffOptions();
        Func<string, string> key = options.IgnoreWhitespace ? CollapseWhitespace : static s => s;

        var head = 0;
        var max = Math.Min(a.Length, b.Length);
        while (head < max && key(a[head]) == key(b[head])) head++;
        var tail = 0;
        while (tail < max - head && key(a[a.Length - 1 - tail]) == key(b[b.Length - 1 - tail])) tail++;

        var aMid = a.Length - head - tail;
        var bMid = b.Length - head - tail;
        var edits = new List<DiffEdit>();
        if (aMid == 0 && bMid == 0)
        {
            // identical
        }
        else if (aMid == 0 || bMid == 0)
        {
            edits.Add(new DiffEdit(head, aMid, head, bMid));
        }
        else
        {
            var oldMid = string.Join('\n', a.Skip(head).Take(aMid).Select(key));
            var newMid = string.Join('\n', b.Skip(head).Take(bMid).Select(key));
            var result = Differ.Instance.CreateDiffs(oldMid, newMid, false, false, LineChunker.Instance);
            foreach (var block in result.DiffBlocks)
                edits.Add(new DiffEdit(head + block.DeleteStartA, block.DeleteCountA, head + block.InsertStartB, block.InsertCountB));
        }
        return new LineDiffResult { OldLines = a, NewLines = b, Edits = edits };
    }

    /// <summary>Splits on LF (CRLF and CR count as one break); a final line break does not make an empty last line.</summary>
    public static string[] SplitLines(string text)
    {
        if (text.Length == 0) return [];
        var normalized = text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;
        var lines = normalized.Split('\n');
        return normalized.EndsWith('\n') ? lines[..^1] : lines;
    }

    private static string CollapseWhitespace(string s) =>
        string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
