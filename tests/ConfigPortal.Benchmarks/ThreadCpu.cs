using System.Runtime.InteropServices;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)). A run that completes on one thread
/// (SQLite answers synchronously, so the pipeline's awaits continue inline) costs this much CPU whatever else the
/// shared machine is doing; wall time also counts the time spent waiting for a core.
/// </summary>
public static partial class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Sec; public long Nsec; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec ts);

    public static double NowMs() =>
        OperatingSystem.IsLinux() && ClockGetTime(3, out var ts) == 0 ? ts.Sec * 1000.0 + ts.Nsec / 1e6 : double.NaN;
}
