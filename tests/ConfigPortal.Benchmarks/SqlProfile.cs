using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Benchmarks;

/// <summary>With CP_BENCH_SQL=1: counts EF Core's executed commands per SQL text (to see where a run's database time goes).</summary>
public sealed class SqlProfile : ILoggerProvider, ILogger
{
    public static readonly SqlProfile Instance = new();
    public readonly ConcurrentDictionary<string, (int Count, double Ms)> Commands = new();

    /// <summary>LINQ queries EF Core compiled (a query whose cache key changes every call compiles every call).</summary>
    public int QueryCompilations;

    public ILogger CreateLogger(string categoryName) => categoryName is "Microsoft.EntityFrameworkCore.Database.Command" or "Microsoft.EntityFrameworkCore.Query" ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name?.EndsWith("QueryCompilationStarting", StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref QueryCompilations);
            return;
        }
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> values) return;
        var sql = values.FirstOrDefault(v => v.Key == "commandText").Value as string;
        var elapsed = values.FirstOrDefault(v => v.Key == "elapsed").Value as string;
        if (sql is null) return;
        var key = sql.Length > 160 ? sql[..160] : sql;
        if (Environment.GetEnvironmentVariable("CP_BENCH_SQL_DUMP") is { Length: > 0 } dump && !Commands.ContainsKey(key))
            File.AppendAllText(dump, sql + "\n;\n");
        var ms = double.TryParse(elapsed, System.Globalization.CultureInfo.InvariantCulture, out var e) ? e : 0;
        Commands.AddOrUpdate(key, (1, ms), (_, old) => (old.Count + 1, old.Ms + ms));
    }

    public void Print(int runs)
    {
        Console.WriteLine();
        Console.WriteLine($"SQL per run ({Commands.Values.Sum(c => c.Count) / (double)runs:0.0} commands; EF Core query compilations per run: {QueryCompilations / (double)runs:0.00}):");
        foreach (var (sql, (count, ms)) in Commands.OrderByDescending(c => c.Value.Ms).Take(25))
            Console.WriteLine($"{count / (double)runs,6:0.00}x {ms / runs,7:0.000} ms  {sql.ReplaceLineEndings(" ")}");
    }

    public void Dispose() { }
}
