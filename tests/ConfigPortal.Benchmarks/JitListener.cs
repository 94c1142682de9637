using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// `CP_BENCH_JIT=1`: counts the methods the JIT compiles while <see cref="Recording"/> is on (runtime events
/// MethodLoadVerbose), so a benchmark can show which code is compiled again and again (dynamic methods from
/// expression trees, regexes) instead of settling in tier 1.
/// </summary>
public sealed class JitListener : EventListener
{
    public static readonly JitListener? Instance = Environment.GetEnvironmentVariable("CP_BENCH_JIT") == "1" ? new JitListener() : null;
    public volatile bool Recording;
    public readonly ConcurrentDictionary<string, int> Methods = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Recording || e.EventName is not ("MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" or "MethodLoadVerbose") || e.Payload is null) return;
        var ns = e.PayloadNames!.IndexOf("MethodNamespace") is var i and >= 0 ? e.Payload[i] as string : null;
        var name = e.PayloadNames!.IndexOf("MethodName") is var j and >= 0 ? e.Payload[j] as string : null;
        var flags = e.PayloadNames!.IndexOf("MethodFlags") is var k and >= 0 ? Convert.ToInt64(e.Payload[k], System.Globalization.CultureInfo.InvariantCulture) : 0;
        Methods.AddOrUpdate($"{ns}::{name} (flags {flags:x})", 1, (_, n) => n + 1);
    }

    public void Print(int runs)
    {
        // CP_BENCH_JIT_DUMP=<file>: every method compiled while recording, with its count, for grouping elsewhere.
        if (Environment.GetEnvironmentVariable("CP_BENCH_JIT_DUMP") is { Length: > 0 } dump)
            File.WriteAllLines(dump, Methods.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value}\t{kv.Key}"));
        Console.WriteLine($"JIT'd methods during the measured runs (top 40 of {Methods.Count}, count per run; dynamic methods: {Methods.Where(kv => kv.Key.StartsWith("dynamicClass", StringComparison.Ordinal)).Sum(kv => kv.Value) / (double)runs:0.00} per run):");
        Console.WriteLine("  by namespace (methods per run):");
        foreach (var g in Methods.GroupBy(kv => kv.Key.Split("::")[0]).OrderByDescending(g => g.Sum(kv => kv.Value)).Take(15))
            Console.WriteLine(FormattableString.Invariant($"  {g.Sum(kv => kv.Value) / (double)runs,6:0.00}  {g.Key}  (e.g. {g.First().Key.Split("::")[^1]})"));
        foreach (var (m, n) in Methods.OrderByDescending(kv => kv.Value).Take(40))
            Console.WriteLine(FormattableString.Invariant($"  {n / (double)runs,6:0.00}  {m}"));
    }
}
