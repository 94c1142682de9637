using System.Globalization;
using System.Text;

namespace ConfigPortal.Domain.Snapshots.Diffing;

/// <summary>Writes a line diff in unified format, which GNU patch applies to reproduce the newer text.</summary>
public static class UnifiedDiff
{
    public static string Write(LineDiffResult diff, string oldName, string newName, int context = 3)
    {
        if (!diff.HasChanges) return "";
        var sb = new StringBuilder();
        sb.Append("--- ").Append(oldName).Append('\n');
        sb.Append("+++ ").Append(newName).Append('\n');

        var edits = diff.Edits;
        var i = 0;
        while (i < edits.Count)
        {
            // Merge edits whose unchanged gap is at most 2*context into one hunk.
            var j = i;
            while (j + 1 < edits.Count && edits[j + 1].OldStart - (edits[j].OldStart + edits[j].OldCount) <= 2 * context) j++;

            var first = edits[i];
            var last = edits[j];
            var oldStart = Math.Max(0, first.OldStart - context);
            var newStart = Math.Max(0, first.NewStart - (first.OldStart - oldStart));
            var oldEnd = Math.Min(diff.OldLineCount, last.OldStart + last.OldCount + context);
            var newEnd = Math.Min(diff.NewLineCount, last.NewStart + last.NewCount + (oldEnd - (last.OldStart + last.OldCount)));

            var oldLen = oldEnd - oldStart;
            var newLen = newEnd - newStart;
            sb.Append("@@ -").Append(Range(oldStart, oldLen)).Append(" +").Append(Range(newStart, newLen)).Append(" @@\n");

            var o = oldStart;
            for (var k = i; k <= j; k++)
            {
                var e = edits[k];
                for (; o < e.OldStart; o++) sb.Append(' ').Append(diff.OldLine(o)).Append('\n');
                for (var d = 0; d < e.OldCount; d++) sb.Append('-').Append(diff.OldLine(e.OldStart + d)).Append('\n');
                for (var n = 0; n < e.NewCount; n++) sb.Append('+').Append(diff.NewLine(e.NewStart + n)).Append('\n');
                o = e.OldStart + e.OldCount;
            }
            for (; o < oldEnd; o++) sb.Append(' ').Append(diff.OldLine(o)).Append('\n');
            i = j + 1;
        }
        return sb.ToString();
    }

    private static string Range(int start0, int length) => length == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{start0},0")
        : string.Create(CultureInfo.InvariantCulture, $"{start0 + 1},{length}");
}
