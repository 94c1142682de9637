using System.Diagnostics;
using System.Text;

namespace ConfigPortal.Tests.Shared;

/// <summary>Runs the real GNU patch binary: old file + unified diff → the patched text.</summary>
internal static class GnuPatch
{
    public sealed record Result(int ExitCode, string Output, string? Patched);

    public static Result Apply(string oldText, string unifiedDiff)
    {
        var dir = Directory.CreateTempSubdirectory("cp-patch-");
        try
        {
            var oldFile = Path.Combine(dir.FullName, "old.txt");
            var outFile = Path.Combine(dir.FullName, "out.txt");
            File.WriteAllText(oldFile, oldText, new UTF8Encoding(false));
            var psi = new ProcessStartInfo("patch")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardInputEncoding = new UTF8Encoding(false),
            };
            // --fuzz=0: context must match exactly, so a wrong hunk cannot be "rescued" by patch.
            foreach (var arg in new[] { "--fuzz=0", "--no-backup-if-mismatch", "-o", outFile, oldFile })
                psi.ArgumentList.Add(arg);
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("patch did not start.");
            process.StandardInput.Write(unifiedDiff);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                throw new TimeoutException("patch did not finish.");
            }
            var output = stdout.Result + stderr.Result;
            var patched = File.Exists(outFile) ? File.ReadAllText(outFile, Encoding.UTF8) : null;
            return new Result(process.ExitCode, output, patched);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
