using System.Diagnostics;

namespace ConfigPortal.Benchmarks;

/// <summary>The reference the read benchmarks measure against: the same SQL in the sqlite3 shell on the same file.</summary>
public static class SqliteShellTimer
{
    /// <summary>Per-statement time of the sqlite3 shell: the process running it <paramref name="k"/> times minus running it 0 times, over k.</summary>
    public static double PerStatementMs(string dir, string dbFile, string sql, int k)
    {
        var full = TimeProcess("sh", $"-c \"sqlite3 {dbFile} < {WriteScript(dir, sql, k)} > /dev/null\"");
        var empty = TimeProcess("sh", $"-c \"sqlite3 {dbFile} < {WriteScript(dir, sql, 0)} > /dev/null\"");
        return Math.Max(0.001, (full - empty) / k);
    }

    /// <summary>A script that runs <paramref name="sql"/> k times (written once per statement and k).</summary>
    public static string WriteScript(string dir, string sql, int k)
    {
        var path = Path.Combine(dir, $"q{(uint)sql.GetHashCode()}-{k}.sql");
        if (!File.Exists(path))
            File.WriteAllText(path, "SELECT count(*) FROM sqlite_schema;\n" + string.Concat(Enumerable.Repeat(sql + "\n", k)));
        return path;
    }

    /// <summary>Wall time of one process run, in ms; a non-zero exit is an error.</summary>
    public static double TimeProcess(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        sw.Stop();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: {err}");
        return sw.Elapsed.TotalMilliseconds;
    }
}
