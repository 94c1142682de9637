using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConfigPortal.Domain.Snapshots.Diffing;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// Diff computation against GNU diff and git, measured in one run, interleaved, medians reported.
/// `dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- diff [rounds]`
/// GNU diff and git are timed as processes; their process start is measured separately (diff of two one-line files)
/// and reported so the comparison can be read both ways.
/// </summary>
public static class DiffComparison
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        var dir = Directory.CreateTempSubdirectory("cp-diffbench-").FullName;
        var cases = new List<(string Name, string Old, string New, bool Git)>();
        foreach (var lines in new[] { 1_000, 10_000, 100_000 })
        {
            foreach (var rate in new[] { 0.001, 0.01, 0.10 })
            {
                var a = IosConfig(lines, seed: lines);
                var b = Mutate(a, rate, seed: lines + (int)(rate * 1000));
                cases.Add(($"{lines:N0} lines, {rate:P1} changed", a, b, false));
            }
        }
        cases.Add(("10,000 lines, unrelated", IosConfig(10_000, 1), JunosSet(10_000, 2), true));

        var tiny = Path.Combine(dir, "tiny");
        File.WriteAllText(tiny + ".a", "a\n");
        File.WriteAllText(tiny + ".b", "b\n");

        Console.WriteLine($"Diff benchmark, {rounds} interleaved rounds per case, medians (ms). {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
        Console.WriteLine();
        Console.WriteLine("| case | ConfigPortal (in-process) | GNU diff (process) | GNU diff minus process start | ratio ours / GNU diff | git histogram (process) | patch round trip |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        var i = 0;
        foreach (var (name, oldText, newText, git) in cases)
        {
            var pa = Path.Combine(dir, $"c{i}.old");
            var pb = Path.Combine(dir, $"c{i}.new");
            i++;
            File.WriteAllText(pa, oldText);
            File.WriteAllText(pb, newText);
            for (var w = 0; w < 3; w++) LineDiffer.Diff(oldText, newText); // warm-up (tiered JIT), as in a long-running server
            var ours = new List<double>();
            var gnu = new List<double>();
            var start = new List<double>();
            var gitTimes = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                var d = LineDiffer.Diff(oldText, newText);
                sw.Stop();
                ours.Add(sw.Elapsed.TotalMilliseconds);
                GC.KeepAlive(d);
                gnu.Add(Time("diff", $"{pa} {pb}"));
                start.Add(Time("diff", $"{tiny}.a {tiny}.b"));
                if (git) gitTimes.Add(Time("git", $"diff --no-index --diff-algorithm=histogram --no-color {pa} {pb}"));
            }
            var roundTrip = PatchRoundTrip(dir, oldText, newText);
            var mo = Median(ours);
            var mg = Median(gnu);
            var ms = Median(start);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {mo:0.00} | {mg:0.00} | {Math.Max(0.01, mg - ms):0.00} | {mo / mg:0.00}× | {(git ? Median(gitTimes).ToString("0.00", CultureInfo.InvariantCulture) : "—")} | {roundTrip} |"));
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Process start of `diff` on one-line files (median): {Median(Enumerable.Range(0, rounds).Select(_ => Time("diff", $"{tiny}.a {tiny}.b")).ToList()):0.00} ms"));
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static string PatchRoundTrip(string dir, string oldText, string newText)
    {
        var diff = LineDiffer.Diff(oldText, newText);
        var unified = UnifiedDiff.Write(diff, "a/cfg", "b/cfg");
        var src = Path.Combine(dir, "rt.old");
        var patchFile = Path.Combine(dir, "rt.diff");
        var output = Path.Combine(dir, "rt.out");
        File.WriteAllText(src, oldText);
        File.WriteAllText(patchFile, unified);
        var psi = new ProcessStartInfo("patch", $"-s -o {output} {src} {patchFile}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0 && File.ReadAllText(output) == newText ? "ok" : "FAILED";
    }

    private static double Time(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        sw.Stop();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    /// <summary>An IOS-style config of about <paramref name="lines"/> lines.</summary>
    public static string IosConfig(int lines, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(lines * 32);
        sb.Append("version 17.9\nhostname core-").Append(seed).Append('\n');
        var n = 0;
        var iface = 0;
        while (n < lines)
        {
            iface++;
            sb.Append(CultureInfo.InvariantCulture, $"interface GigabitEthernet{iface / 48}/0/{iface % 48}\n");
            sb.Append(CultureInfo.InvariantCulture, $" description port {iface} rack {rng.Next(40)}\n");
            sb.Append(CultureInfo.InvariantCulture, $" switchport access vlan {rng.Next(1, 4000)}\n");
            sb.Append(" switchport mode access\n spanning-tree portfast\n no shutdown\n!\n");
            n += 7;
        }
        sb.Append("end\n");
        return sb.ToString();
    }

    private static string JunosSet(int lines, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(lines * 48);
        for (var i = 0; i < lines; i++)
            sb.Append(CultureInfo.InvariantCulture, $"set interfaces ge-0/0/{i} unit 0 family inet address 10.{rng.Next(256)}.{rng.Next(256)}.{i % 256}/30\n");
        return sb.ToString();
    }

    /// <summary>Changes about <paramref name="rate"/> of the lines: modified, deleted or inserted.</summary>
    public static string Mutate(string text, double rate, int seed)
    {
        var rng = new Random(seed);
        var lines = LineDiffer.SplitLines(text);
        var sb = new StringBuilder(text.Length + 1024);
        foreach (var line in lines)
        {
            var r = rng.NextDouble();
            if (r < rate / 3) continue;
            if (r < 2 * rate / 3) { sb.Append(line).Append(" changed\n"); continue; }
            sb.Append(line).Append('\n');
            if (r < rate) sb.Append(CultureInfo.InvariantCulture, $" description added {rng.Next(100000)}\n");
        }
        return sb.ToString();
    }
}
