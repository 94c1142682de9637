using DiffPlex;
using DiffPlex.Chunkers;

namespace ConfigPortal.Domain.Snapshots.Diffing;

/// <summary>One change: <see cref="OldCount"/> lines at <see cref="OldStart"/> replaced by <see cref="NewCount"/> lines at <see cref="NewStart"/> (0-based).</summary>
public readonly record struct DiffEdit(int OldStart, int OldCount, int NewStart, int NewCount);

/// <summary>
/// A line-level diff of two texts. A diff of two strings keeps the texts and line offsets and makes the line strings
/// only when asked: <see cref="OldLines"/>/<see cref="NewLines"/> materialize every line on first use, while
/// <see cref="UnifiedDiff"/> reads only the lines its hunks show.
/// </summary>
public sealed class LineDiffResult
{
    private string[]? _oldLines;
    private string[]? _newLines;
    private readonly LineSource? _oldSource;
    private readonly LineSource? _newSource;

    public LineDiffResult()
    {
    }

    internal LineDiffResult(LineSource oldSource, LineSource newSource)
    {
        _oldSource = oldSource;
        _newSource = newSource;
    }

    public string[] OldLines
    {
        get => _oldLines ??= _oldSource?.Materialize() ?? [];
        init => _oldLines = value;
    }

    public string[] NewLines
    {
        get => _newLines ??= _newSource?.Materialize() ?? [];
        init => _newLines = value;
    }

    public required IReadOnlyList<DiffEdit> Edits { get; init; }
    public int Added => Edits.Sum(e => e.NewCount);
    public int Removed => Edits.Sum(e => e.OldCount);
    public bool HasChanges => Edits.Count > 0;

    internal int OldLineCount => _oldLines?.Length ?? _oldSource?.Count ?? 0;
    internal int NewLineCount => _newLines?.Length ?? _newSource?.Count ?? 0;

    /// <summary>Line <paramref name="i"/> of the old text, without materializing the others.</summary>
    internal ReadOnlySpan<char> OldLine(int i) => _oldLines is { } lines ? lines[i] : _oldSource!.Span(i);
    internal ReadOnlySpan<char> NewLine(int i) => _newLines is { } lines ? lines[i] : _newSource!.Span(i);
}

/// <summary>A text and where its lines are (no line strings until asked).</summary>
internal sealed class LineSource(string text, int[] starts, int[] ends)
{
    public int Count { get; } = starts.Length;
    public ReadOnlySpan<char> Span(int i) => text.AsSpan(starts[i], ends[i] - starts[i]);
    public string Line(int i) => text.Substring(starts[i], ends[i] - starts[i]);

    public string[] Materialize()
    {
        var lines = new string[Count];
        for (var i = 0; i < lines.Length; i++) lines[i] = Line(i);
        return lines;
    }

    /// <summary>Line bounds with <see cref="LineDiffer.SplitLines"/>'s rules: LF, CRLF and lone CR each end a line; a final break adds no empty line.</summary>
    public static LineSource Split(string text)
    {
        if (text.Length == 0) return new LineSource(text, [], []);
        var span = text.AsSpan();
        var hasCr = span.Contains('\r');
        var estimate = hasCr ? span.Count('\n') + span.Count('\r') + 1 : span.Count('\n') + 1;
        var starts = new int[estimate];
        var ends = new int[estimate];
        var n = 0;
        var pos = 0;
        while (true)
        {
            var rest = span[pos..];
            var k = hasCr ? rest.IndexOfAny('\r', '\n') : rest.IndexOf('\n');
            if (k < 0)
            {
                starts[n] = pos;
                ends[n++] = text.Length;
                break;
            }
            starts[n] = pos;
            ends[n++] = pos + k;
            pos += k + (rest[k] == '\r' && k + 1 < rest.Length && rest[k + 1] == '\n' ? 2 : 1);
            if (pos == text.Length) break; // a final line break does not start an empty last line
        }
        if (n != estimate)
        {
            Array.Resize(ref starts, n);
            Array.Resize(ref ends, n);
        }
        return new LineSource(text, starts, ends);
    }
}

/// <summary>
/// Maps line spans of two texts to dense integer ids (equal lines, equal ids) without making a string per line. An
/// open-addressing table whose slots hold the line's 32-bit hash and its id together (a probe reads one array), and
/// entries holding where the first line of each id is; sized for the distinct lines and grown (rehashed from the slots
/// alone) as they come, so the table stays small enough for the cache.
/// </summary>
internal sealed class LineIdTable
{
    private long[] _slots;                  // (uint)hash << 32 | (id + 1); 0 = empty
    private int _mask;
    private Entry[] _entries;
    public int Count { get; private set; }

    private readonly record struct Entry(LineSource Source, int Line);

    public LineIdTable(int expectedDistinct)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, expectedDistinct * 2));
        _slots = new long[size];
        _mask = size - 1;
        _entries = new Entry[Math.Max(16, expectedDistinct)];
    }

    public int[] Ids(LineSource source)
    {
        var ids = new int[source.Count];
        for (var i = 0; i < ids.Length; i++) ids[i] = Id(source, i);
        return ids;
    }

    private int Id(LineSource source, int line)
    {
        var span = source.Span(line);
        var hash = (uint)string.GetHashCode(span);
        var slots = _slots;
        var slot = (int)hash & _mask;
        while (true)
        {
            var value = slots[slot];
            if (value == 0) return Add(hash, slot, source, line);
            if ((uint)(value >> 32) == hash)
            {
                var e = (int)value - 1;
                var entry = _entries[e];
                if (entry.Source.Span(entry.Line).SequenceEqual(span)) return e;
            }
            slot = (slot + 1) & _mask;
        }
    }

    private int Add(uint hash, int slot, LineSource source, int line)
    {
        var id = Count++;
        if (id == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[id] = new Entry(source, line);
        _slots[slot] = (long)hash << 32 | (uint)(id + 1);
        if (Count * 2 > _slots.Length) Grow();
        return id;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new long[old.Length * 2];
        _mask = _slots.Length - 1;
        foreach (var value in old)
        {
            if (value == 0) continue;
            var slot = (int)(uint)(value >> 32) & _mask;
            while (_slots[slot] != 0) slot = (slot + 1) & _mask;
            _slots[slot] = value;
        }
    }
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

    public static LineDiffResult Diff(string oldText, string newText, DiffOptions? options = null)
    {
        if (options is { IgnoreWhitespace: true } or { IgnoreLines.Count: > 0 })
            return Diff(SplitLines(oldText), SplitLines(newText), options);
        // Exact comparison: lines are spans of the texts, hashed in place; no string per line.
        var a = LineSource.Split(oldText);
        var b = LineSource.Split(newText);
        var table = new LineIdTable(Math.Max(a.Count, b.Count) / 2);
        var ia = table.Ids(a);
        var ib = table.Ids(b);
        return new LineDiffResult(a, b) { Edits = Edits(ia, ib, table.Count) };
    }

    public static LineDiffResult Diff(string[] a, string[] b, DiffOptions? options = null)
    {
        options ??= new DiffOptions();
        // Lines become integer ids (equal lines, equal ids); everything below works on ids.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string line)
        {
            var key = options.IgnoreWhitespace ? CollapseWhitespace(line) : line;
            if (options.IgnoreLines is { Count: > 0 } ignore && Configs.LineFilters.FirstMatch(ignore, line) is { } pattern)
                key = "\u0000ignored\u0000" + pattern.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!ids.TryGetValue(key, out var id)) ids[key] = id = ids.Count;
            return id;
        }
        var ia = new int[a.Length];
        for (var i = 0; i < a.Length; i++) ia[i] = Id(a[i]);
        var ib = new int[b.Length];
        for (var i = 0; i < b.Length; i++) ib[i] = Id(b[i]);

        return new LineDiffResult { OldLines = a, NewLines = b, Edits = Edits(ia, ib, ids.Count) };
    }

    private static List<DiffEdit> Edits(int[] ia, int[] ib, int distinct)
    {
        var matches = new List<(int A, int B)>(Math.Min(ia.Length, ib.Length));
        Match(ia, 0, ia.Length, ib, 0, ib.Length, (new int[distinct], new int[distinct], new int[distinct]), matches);
        return ToEdits(matches, ia.Length, ib.Length);
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

    private static string CollapseWhitespace(string s) =>
        string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
