using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Domain.Snapshots.Browsing;

/// <summary>Bounds of a config search (configuration section <c>ConfigSearch</c>).</summary>
public sealed class ConfigSearchOptions
{
    /// <summary>The longest a single regex match may take; a config whose match times out is skipped and counted.</summary>
    public TimeSpan MatchTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>The whole search stops after this long and returns what it found ("partial results").</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Matching lines shown in all (the search stops when it has found this many).</summary>
    public int MaxLines { get; set; } = 1000;
    /// <summary>Matching lines shown per snapshot (the others are counted).</summary>
    public int MaxLinesPerSnapshot { get; set; } = 20;
    public int MaxQueryLength { get; set; } = 500;
    /// <summary>Configs searched at once (0: one per processor core).</summary>
    public int Parallelism { get; set; }
    /// <summary>Displayed lines are cut to this many characters.</summary>
    public int MaxLineLength { get; set; } = 1000;
}

/// <summary>What to search for. <see cref="ContextLines"/> lines before and after each match are shown (0–5).</summary>
public sealed record ConfigSearchRequest(string Query, bool IsRegex = false, bool MatchCase = false, bool IncludeHistory = false, int ContextLines = 2);

/// <summary>A match inside a line (0-based character offset, length).</summary>
public readonly record struct MatchSpan(int Start, int Length);

/// <summary>A line of a result block; <see cref="IsMatch"/> for matching lines, false for context.</summary>
public sealed record SearchLine(int Number, string Text, bool IsMatch, IReadOnlyList<MatchSpan> Matches);

/// <summary>Consecutive lines around one or more matches.</summary>
public sealed record SearchBlock(IReadOnlyList<SearchLine> Lines);

/// <summary>The matches in one snapshot of one device.</summary>
public sealed record SnapshotSearchResult(
    int DeviceId,
    string DeviceName,
    string Vendor,
    long SnapshotId,
    DateTime FirstSeenAtUtc,
    bool IsLatest,
    int MatchingLines,
    IReadOnlyList<SearchBlock> Blocks)
{
    public int ShownLines => Blocks.Sum(b => b.Lines.Count(l => l.IsMatch));
    public int FirstMatchLine => Blocks.SelectMany(b => b.Lines).FirstOrDefault(l => l.IsMatch)?.Number ?? 1;
}

/// <summary>
/// The outcome of a search. <see cref="Searched"/> of <see cref="Total"/> configs were searched; fewer when the result
/// limit (<see cref="LimitReached"/>) or the deadline (<see cref="DeadlineReached"/>) stopped it, or when regex
/// matches timed out in <see cref="TimedOut"/> configs.
/// </summary>
public sealed record ConfigSearchResult(
    IReadOnlyList<SnapshotSearchResult> Results,
    int Searched,
    int Total,
    int MatchingLines,
    bool LimitReached,
    bool DeadlineReached,
    int TimedOut,
    TimeSpan Elapsed)
{
    public bool IsPartial => LimitReached || DeadlineReached || TimedOut > 0;
}

/// <summary>
/// Text or regex search across the latest config of every device of the tenant (or all of their history). The latest
/// configs are read as plain text from <see cref="DeviceLatestConfig"/> (ADR-010), in parallel partitions, with a
/// literal prefilter before any regex; searches are bounded by a match timeout, an overall deadline and a result limit.
/// </summary>
public sealed class ConfigSearchService(IPortalDbFactory dbFactory, TenantAccess access, IOptions<ConfigSearchOptions> options)
{
    public const int MaxContextLines = 5;
    private const int CompileThreshold = 200;

    public async Task<ConfigSearchResult> SearchAsync(ConfigSearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var grant = await access.DemandAsync(Permission.ViewConfigs, "search configs", ct);
        var o = options.Value;
        Matcher.Create(request, o, compiled: false); // validates before any database work (a bad regex is a form error)
        var context = Math.Clamp(request.ContextLines, 0, MaxContextLines);
        var started = Stopwatch.GetTimestamp();

        using var deadline = new CancellationTokenSource(o.Deadline);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var state = new SearchState(o.MaxLines);
        var parts = Math.Clamp(o.Parallelism > 0 ? o.Parallelism : Environment.ProcessorCount, 1, 8);

        int total;
        await using (var db = await dbFactory.CreateAsync(ct))
        {
            total = request.IncludeHistory
                ? await db.Snapshots.AsNoTracking().CountAsync(ct)
                : await db.Devices.AsNoTracking().CountAsync(d => d.LatestSnapshotId != null, ct);
        }
        // Compiling a regex costs milliseconds and pays off over many configs; a small tenant's search runs interpreted.
        var matcher = Matcher.Create(request, o, compiled: total >= CompileThreshold);

        var backfill = new ConcurrentBag<(int DeviceId, long SnapshotId, string Text)>();
        var tasks = Enumerable.Range(0, parts).Select(k => Task.Run(async () =>
        {
            try
            {
                await SearchPartitionAsync(k, parts, request.IncludeHistory, matcher, context, o, state, backfill, stop, ct);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // Deadline or result limit: keep what was found.
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(tasks);
        ct.ThrowIfCancellationRequested();

        if (!backfill.IsEmpty) await BackfillAsync(grant.TenantId, backfill, ct);

        var results = state.Results
            .OrderBy(r => r.DeviceName, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.DeviceId).ThenByDescending(r => r.SnapshotId)
            .ToList();
        return new ConfigSearchResult(results, state.Searched, total, state.MatchingLines, state.LimitReached,
            deadline.IsCancellationRequested && state.Searched < total && !state.LimitReached, state.TimedOut, Stopwatch.GetElapsedTime(started));
    }

    private sealed class SearchState(int maxLines)
    {
        private readonly object _gate = new();
        private int _shown;
        public readonly ConcurrentBag<SnapshotSearchResult> Results = [];
        public int Searched;
        public int MatchingLines;
        public int TimedOut;
        public bool LimitReached;

        /// <summary>How many of <paramref name="wanted"/> lines may still be shown; 0 once the limit is reached.</summary>
        public int Reserve(int wanted)
        {
            lock (_gate)
            {
                var n = Math.Min(wanted, maxLines - _shown);
                if (n <= 0) { LimitReached = true; return 0; }
                _shown += n;
                if (_shown >= maxLines) LimitReached = true;
                return n;
            }
        }
    }

    private sealed record Doc(int DeviceId, string DeviceName, string Vendor, long SnapshotId, DateTime FirstSeenAtUtc, bool IsLatest, string? Text);

    private async Task SearchPartitionAsync(int part, int parts, bool history, Matcher matcher, int context, ConfigSearchOptions o,
        SearchState state, ConcurrentBag<(int, long, string)> backfill, CancellationTokenSource stop, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, ct);
        var token = linked.Token;
        await using var db = await dbFactory.CreateAsync(token);
        var toDecode = new List<Doc>();

        // Latest configs first (plain text, no decoding), streamed.
        var latest = from d in db.Devices.AsNoTracking()
                     where d.LatestSnapshotId != null && d.Id % parts == part
                     join s in db.Snapshots.AsNoTracking() on d.LatestSnapshotId equals (long?)s.Id
                     join l in db.DeviceLatestConfigs.AsNoTracking() on d.Id equals l.DeviceId into lj
                     from l in lj.DefaultIfEmpty()
                     orderby d.Id
                     select new Doc(d.Id, d.Name, d.Vendor, s.Id, s.FirstSeenAtUtc, true, l != null && l.SnapshotId == s.Id ? l.Text : null);
        await foreach (var doc in latest.AsAsyncEnumerable().WithCancellation(token))
        {
            if (doc.Text is null) { toDecode.Add(doc); continue; }
            if (!Search(doc, doc.Text, matcher, context, o, state, stop)) return;
        }

        // Latest configs without a current plain-text row (stored before it existed): decode, and keep for backfill.
        foreach (var doc in toDecode)
        {
            token.ThrowIfCancellationRequested();
            var text = await SnapshotService.LoadTextAsync(db, doc.SnapshotId, token);
            backfill.Add((doc.DeviceId, doc.SnapshotId, text));
            if (!Search(doc, text, matcher, context, o, state, stop)) return;
        }

        if (!history) return;
        var older = await (from s in db.Snapshots.AsNoTracking()
                           where s.Id % parts == part
                           join d in db.Devices.AsNoTracking() on s.DeviceId equals d.Id
                           where d.LatestSnapshotId != s.Id
                           orderby s.Id descending
                           select new Doc(d.Id, d.Name, d.Vendor, s.Id, s.FirstSeenAtUtc, false, null)).ToListAsync(token);
        foreach (var doc in older)
        {
            token.ThrowIfCancellationRequested();
            var text = await SnapshotService.LoadTextAsync(db, doc.SnapshotId, token);
            if (!Search(doc, text, matcher, context, o, state, stop)) return;
        }
    }

    /// <summary>Searches one config; false when the search as a whole must stop (limit or deadline).</summary>
    private static bool Search(Doc doc, string text, Matcher matcher, int context, ConfigSearchOptions o, SearchState state, CancellationTokenSource stop)
    {
        if (stop.IsCancellationRequested) return false;
        List<LineHit> hits;
        int matching;
        try
        {
            if (!matcher.MayMatch(text))
            {
                Interlocked.Increment(ref state.Searched);
                return true;
            }
            (hits, matching) = Scan(text, matcher, o.MaxLinesPerSnapshot, stop.Token);
        }
        catch (RegexMatchTimeoutException)
        {
            Interlocked.Increment(ref state.TimedOut);
            return !stop.IsCancellationRequested;
        }
        if (stop.IsCancellationRequested) return false; // cut off in the middle: not counted as searched
        Interlocked.Increment(ref state.Searched);
        if (matching == 0) return true;

        Interlocked.Add(ref state.MatchingLines, matching);
        var n = state.Reserve(hits.Count);
        if (n > 0)
        {
            var blocks = Blocks(text, hits.Take(n).ToList(), context, o.MaxLineLength);
            state.Results.Add(new SnapshotSearchResult(doc.DeviceId, doc.DeviceName, doc.Vendor, doc.SnapshotId, doc.FirstSeenAtUtc, doc.IsLatest, matching, blocks));
        }
        if (state.LimitReached)
        {
            stop.Cancel();
            return false;
        }
        return true;
    }

    private sealed record LineHit(int Number, int Start, List<MatchSpan> Spans);

    /// <summary>The first <paramref name="maxLines"/> matching lines (with their matches) and the number of matching lines.</summary>
    private static (List<LineHit> Hits, int Matching) Scan(string text, Matcher matcher, int maxLines, CancellationToken stop)
    {
        var hits = new List<LineHit>();
        var matching = 0;
        var pos = 0;
        var lineNo = 1;
        var countedTo = 0;
        var currentStart = -1;
        LineHit? current = null;
        while (pos <= text.Length)
        {
            var (idx, len) = matcher.Next(text, pos);
            if (idx < 0) break;
            if (stop.IsCancellationRequested) break;
            var lineStart = idx == 0 ? 0 : text.LastIndexOf('\n', idx - 1) + 1;
            var lineEnd = text.IndexOf('\n', idx);
            if (lineEnd < 0) lineEnd = text.Length;
            if (lineStart != currentStart)
            {
                // A match at the very end of a text ending in a line break is not on a line.
                if (idx == text.Length && lineStart == text.Length && text.Length > 0) break;
                lineNo += text.AsSpan(countedTo, lineStart - countedTo).Count('\n');
                countedTo = lineStart;
                currentStart = lineStart;
                matching++;
                current = hits.Count < maxLines ? new LineHit(lineNo, lineStart, []) : null;
                if (current is not null) hits.Add(current);
            }
            if (current is not null)
            {
                current.Spans.Add(new MatchSpan(idx - lineStart, Math.Min(len, Math.Max(0, lineEnd - idx))));
                pos = len == 0 ? idx + 1 : idx + len;
            }
            else
            {
                // Only counting from here: go to the next line.
                pos = lineEnd + 1;
            }
        }
        return (hits, matching);
    }

    /// <summary>The hit lines with <paramref name="context"/> lines around them, overlapping ranges merged.</summary>
    private static List<SearchBlock> Blocks(string text, List<LineHit> hits, int context, int maxLineLength)
    {
        var byLine = hits.ToDictionary(h => h.Number);
        var blocks = new List<SearchBlock>();
        List<SearchLine>? cur = null;
        var nextNo = 0;
        var nextStart = 0;
        var ended = false;
        foreach (var h in hits)
        {
            var from = Math.Max(1, h.Number - context);
            if (cur is null || from > nextNo)
            {
                if (cur is { Count: > 0 }) blocks.Add(new SearchBlock(cur));
                cur = [];
                ended = false;
                // Walk back from the hit line to the first context line.
                var start = h.Start;
                var no = h.Number;
                while (no > from && start > 0)
                {
                    start = start >= 2 ? text.LastIndexOf('\n', start - 2) + 1 : 0;
                    no--;
                }
                nextNo = no;
                nextStart = start;
            }
            var to = h.Number + context;
            while (!ended && nextNo <= to)
            {
                var end = text.IndexOf('\n', nextStart);
                if (end < 0) end = text.Length;
                if (nextStart >= text.Length && nextNo > 1) { ended = true; break; }
                var line = text.AsSpan(nextStart, end - nextStart).TrimEnd('\r');
                var shown = line.Length > maxLineLength ? string.Concat(line[..maxLineLength], "…") : line.ToString();
                if (byLine.TryGetValue(nextNo, out var hit))
                    cur.Add(new SearchLine(nextNo, shown, true, hit.Spans.Where(s => s.Start < maxLineLength).ToList()));
                else
                    cur.Add(new SearchLine(nextNo, shown, false, []));
                nextNo++;
                if (end >= text.Length) ended = true;
                nextStart = end + 1;
            }
        }
        if (cur is { Count: > 0 }) blocks.Add(new SearchBlock(cur));
        return blocks;
    }

    private async Task BackfillAsync(int tenantId, IEnumerable<(int DeviceId, long SnapshotId, string Text)> rows, CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateAsync(ct);
            await db.ExecuteInTransactionAsync(async attemptCt =>
            {
                foreach (var (deviceId, snapshotId, text) in rows)
                    await LatestConfigs.StoreAsync(db, tenantId, deviceId, snapshotId, text, attemptCt);
                await db.SaveChangesAsync(attemptCt);
            }, ct);
        }
        catch (DbUpdateException)
        {
            // A backup stored a newer config meanwhile: the next search reads that one.
        }
    }

    /// <summary>Finds the next match at or after a position; literal (IndexOf) or regex, with a prefilter.</summary>
    private abstract class Matcher
    {
        public abstract bool MayMatch(string text);
        public abstract (int Index, int Length) Next(string text, int start);

        public static Matcher Create(ConfigSearchRequest request, ConfigSearchOptions o, bool compiled)
        {
            var query = request.Query ?? "";
            if (string.IsNullOrWhiteSpace(query)) throw ValidationException.For("query", "Enter text or a regular expression to search for.");
            if (query.Length > o.MaxQueryLength) throw ValidationException.For("query", $"The search is longer than {o.MaxQueryLength} characters.");
            var comparison = request.MatchCase ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            if (!request.IsRegex) return new LiteralMatcher(query, comparison);

            Regex regex;
            try
            {
                var flags = RegexOptions.Multiline | RegexOptions.CultureInvariant | (compiled ? RegexOptions.Compiled : RegexOptions.None)
                    | (request.MatchCase ? RegexOptions.None : RegexOptions.IgnoreCase);
                regex = new Regex(query, flags, o.MatchTimeout);
            }
            catch (ArgumentException ex)
            {
                throw ValidationException.For("query", "Not a valid regular expression: " + ex.Message);
            }
            return new RegexMatcher(regex, RegexPrefilter.RequiredLiteral(query, !request.MatchCase), comparison);
        }
    }

    private sealed class LiteralMatcher(string needle, StringComparison comparison) : Matcher
    {
        public override bool MayMatch(string text) => true;

        public override (int Index, int Length) Next(string text, int start)
        {
            if (start > text.Length) return (-1, 0);
            var i = text.IndexOf(needle, start, comparison);
            return (i, needle.Length);
        }
    }

    private sealed class RegexMatcher(Regex regex, string? literal, StringComparison comparison) : Matcher
    {
        public override bool MayMatch(string text) => literal is null || text.Contains(literal, comparison);

        public override (int Index, int Length) Next(string text, int start)
        {
            if (start > text.Length) return (-1, 0);
            var m = regex.Match(text, start);
            return m.Success ? (m.Index, m.Length) : (-1, 0);
        }
    }
}
