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

/// <summary>
/// How lines compare. <paramref name="IgnoreLines"/>: lines matching one of these (the vendor's and tenant's ignore
/// filters: clocks, "Last configuration change at ...") compare equal to any line matching the same pattern, so they
/// never show as changes. A diff made with it is for reading and counting; the unified diff that patch applies is
/// always made without it.
/// </summary>
public sealed record DiffOptions(bool IgnoreWhitespace = false, IReadOnlyList<System.Text.RegularExpressions.Regex>? IgnoreLines = null);

/// <summary>
/// Line diff for configs. DiffPlex computes a minimal diff, which is quadratic in the distance between the texts, so
/// the search space is cut first, as patience and histogram diff do: trim the common head and tail, anchor on lines
/// that occur exactly once on each side (in increasing order on both), and set aside lines that occur on one side only
/// (they can only be deleted or inserted). DiffPlex then runs on what is left between anchors. Any monotone matching
/// is a correct diff, so the output always round-trips through patch; it is minimal whenever the regions are.
/// </summary>
public static class LineDiffer
{
    /// <summary>Regions at most this large (lines × lines) go straight to DiffPlex.</summary>
    private const long DirectLimit = 64 * 64;

    public static LineDiffResult Diff(string oldText, string newText, DiffOptions? options = null) =>
        Diff(SplitLines(oldText), SplitLines(newText), options);

    public static LineDiffResult Diff(string[] a, string[] b, DiffOptions? options = null)
    {
        options ??= new DiffOptions();
        // Lines become integer ids (equal lines, equal ids); everything below works on ids.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string line)
        {
            var key = options.IgnoreWhitespace ? CollapseWhitespace(line) : line;
            if (options.IgnoreLines is { Count: > 0 } ignore && IgnoredPattern(ignore, line) is { } pattern)
                key = "\u0000ignored\u0000" + pattern.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!ids.TryGetValue(key, out var id)) ids[key] = id = ids.Count;
            return id;
        }
        var ia = new int[a.Length];
        for (var i = 0; i < a.Length; i++) ia[i] = Id(a[i]);
        var ib = new int[b.Length];
        for (var i = 0; i < b.Length; i++) ib[i] = Id(b[i]);

        var matches = new List<(int A, int B)>(Math.Min(a.Length, b.Length));
        Match(ia, 0, ia.Length, ib, 0, ib.Length, (new int[ids.Count], new int[ids.Count], new int[ids.Count]), matches);
        return new LineDiffResult { OldLines = a, NewLines = b, Edits = ToEdits(matches, a.Length, b.Length) };
    }

    /// <summary>Appends to <paramref name="matches"/> (in order) the matched line pairs of a[aLo..aHi) and b[bLo..bHi).</summary>
    private static void Match(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi, (int[], int[], int[]) ws, List<(int, int)> matches)
    {
        // Common head.
        while (aLo < aHi && bLo < bHi && a[aLo] == b[bLo]) matches.Add((aLo++, bLo++));
        // Common tail (added after the middle).
        var tail = 0;
        while (aHi - tail > aLo && bHi - tail > bLo && a[aHi - tail - 1] == b[bHi - tail - 1]) tail++;
        aHi -= tail;
        bHi -= tail;

        if (aLo < aHi && bLo < bHi)
        {
            if ((long)(aHi - aLo) * (bHi - bLo) <= DirectLimit)
                MatchDirect(a, aLo, aHi, b, bLo, bHi, matches);
            else
                MatchAnchored(a, aLo, aHi, b, bLo, bHi, ws, matches);
        }
        for (var k = 0; k < tail; k++) matches.Add((aHi + k, bHi + k));
    }

    private static void MatchAnchored(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi, (int[], int[], int[]) ws, List<(int, int)> matches)
    {
        // Occurrence counts by line id; all zero between uses (only touched entries are reset).
        var (countA, countB, posA) = ws;
        List<(int A, int B)> anchors;
        try
        {
            for (var i = aLo; i < aHi; i++) { countA[a[i]]++; posA[a[i]] = i; }
            for (var j = bLo; j < bHi; j++) countB[b[j]]++;

            // Unique-on-both-sides lines, in b order, with their a positions; keep the longest increasing run of a positions.
            var candidates = new List<(int A, int B)>();
            for (var j = bLo; j < bHi; j++)
            {
                if (countB[b[j]] == 1 && countA[b[j]] == 1)
                    candidates.Add((posA[b[j]], j));
            }
            anchors = LongestIncreasing(candidates);
            if (anchors.Count == 0)
            {
                MatchWithoutOneSided(a, aLo, aHi, b, bLo, bHi, countA, countB, matches);
                return;
            }
        }
        finally
        {
            for (var i = aLo; i < aHi; i++) countA[a[i]] = 0;
            for (var j = bLo; j < bHi; j++) countB[b[j]] = 0;
        }
        var ca = aLo;
        var cb = bLo;
        foreach (var (pa, pb) in anchors)
        {
            Match(a, ca, pa, b, cb, pb, ws, matches);
            matches.Add((pa, pb));
            ca = pa + 1;
            cb = pb + 1;
        }
        Match(a, ca, aHi, b, cb, bHi, ws, matches);
    }

    /// <summary>No anchors: lines that occur on one side only cannot match; diff the rest with DiffPlex.</summary>
    private static void MatchWithoutOneSided(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi,
        int[] countA, int[] countB, List<(int, int)> matches)
    {
        var keptA = new List<int>();
        for (var i = aLo; i < aHi; i++) if (countB[a[i]] > 0) keptA.Add(i);
        var keptB = new List<int>();
        for (var j = bLo; j < bHi; j++) if (countA[b[j]] > 0) keptB.Add(j);
        if (keptA.Count == 0 || keptB.Count == 0) return;
        if (keptA.Count == aHi - aLo && keptB.Count == bHi - bLo)
        {
            MatchDirect(a, aLo, aHi, b, bLo, bHi, matches);
            return;
        }
        var subA = keptA.Select(i => a[i]).ToArray();
        var subB = keptB.Select(j => b[j]).ToArray();
        var sub = new List<(int A, int B)>();
        MatchDirect(subA, 0, subA.Length, subB, 0, subB.Length, sub);
        foreach (var (x, y) in sub) matches.Add((keptA[x], keptB[y]));
    }

    /// <summary>DiffPlex's minimal diff over a region: ids become characters, one piece each.</summary>
    private static void MatchDirect(int[] a, int aLo, int aHi, int[] b, int bLo, int bHi, List<(int, int)> matches)
    {
        // Re-number the region's ids densely so that each fits in one char (one DiffPlex piece per line).
        var local = new Dictionary<int, char>();
        var fits = true;
        char Local(int id)
        {
            if (!local.TryGetValue(id, out var c))
            {
                if (local.Count >= 0xD700) { fits = false; return '\0'; }
                c = (char)(0x100 + local.Count);
                local[id] = c;
            }
            return c;
        }
        var sa = new char[aHi - aLo];
        for (var i = aLo; i < aHi; i++) sa[i - aLo] = Local(a[i]);
        var sb = new char[bHi - bLo];
        for (var j = bLo; j < bHi; j++) sb[j - bLo] = Local(b[j]);
        var result = fits
            ? Differ.Instance.CreateDiffs(new string(sa), new string(sb), false, false, CharacterChunker.Instance)
            : Differ.Instance.CreateDiffs(
                string.Join('\n', a[aLo..aHi]), string.Join('\n', b[bLo..bHi]), false, false, LineChunker.Instance);

        var x = 0;
        var y = 0;
        foreach (var block in result.DiffBlocks)
        {
            while (x < block.DeleteStartA && y < block.InsertStartB) matches.Add((aLo + x++, bLo + y++));
            x = block.DeleteStartA + block.DeleteCountA;
            y = block.InsertStartB + block.InsertCountB;
        }
        while (x < sa.Length && y < sb.Length) matches.Add((aLo + x++, bLo + y++));
    }

    /// <summary>Longest subsequence of candidates (sorted by B) whose A positions increase (patience sorting).</summary>
    private static List<(int A, int B)> LongestIncreasing(List<(int A, int B)> items)
    {
        if (items.Count == 0) return [];
        var tails = new List<int>();          // index into items of the smallest tail of each length
        var prev = new int[items.Count];
        for (var k = 0; k < items.Count; k++)
        {
            int lo = 0, hi = tails.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (items[tails[mid]].A < items[k].A) lo = mid + 1; else hi = mid;
            }
            prev[k] = lo > 0 ? tails[lo - 1] : -1;
            if (lo == tails.Count) tails.Add(k); else tails[lo] = k;
        }
        var result = new List<(int, int)>(tails.Count);
        for (var k = tails[^1]; k >= 0; k = prev[k]) result.Add(items[k]);
        result.Reverse();
        return result;
    }

    private static List<DiffEdit> ToEdits(List<(int A, int B)> matches, int aLength, int bLength)
    {
        var edits = new List<DiffEdit>();
        int pa = 0, pb = 0;
        foreach (var (x, y) in matches)
        {
            if (x > pa || y > pb) edits.Add(new DiffEdit(pa, x - pa, pb, y - pb));
            pa = x + 1;
            pb = y + 1;
        }
        if (pa < aLength || pb < bLength) edits.Add(new DiffEdit(pa, aLength - pa, pb, bLength - pb));
        return edits;
    }

    /// <summary>Splits on LF (CRLF and CR count as one break); a final line break does not make an empty last line.</summary>
    public static string[] SplitLines(string text)
    {
        if (text.Length == 0) return [];
        var normalized = text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;
        var lines = normalized.Split('\n');
        return normalized.EndsWith('\n') ? lines[..^1] : lines;
    }

    private static int? IgnoredPattern(IReadOnlyList<System.Text.RegularExpressions.Regex> patterns, string line)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            try
            {
                if (patterns[i].IsMatch(line)) return i;
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                // A pathological pattern counts as no match.
            }
        }
        return null;
    }

    private static string CollapseWhitespace(string s) =>
        string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
