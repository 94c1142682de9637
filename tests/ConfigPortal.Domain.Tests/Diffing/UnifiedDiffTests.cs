using ConfigPortal.Tests.Shared;
using ConfigPortal.Domain.Snapshots.Diffing;

namespace ConfigPortal.Domain.Tests.Diffing;

public sealed class UnifiedDiffTests
{
    private static string Lines(int from, int to, string prefix = "line") =>
        string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"{prefix} {i}\n"));

    private static string ReplaceLine(string text, int number, string replacement)
    {
        var lines = LineDiffer.SplitLines(text);
        lines[number - 1] = replacement;
        return string.Concat(lines.Select(l => l + "\n"));
    }

    public static TheoryData<string, string, string> Cases
    {
        get
        {
            var base100 = Lines(1, 100);
            var data = new TheoryData<string, string, string>
            {
                { "first line changed", base100, ReplaceLine(base100, 1, "first changed") },
                { "last line changed", base100, ReplaceLine(base100, 100, "last changed") },
                { "line inserted before the first", base100, "new first\n" + base100 },
                { "line appended after the last", base100, base100 + "new last\n" },
                { "first line removed", base100, Lines(2, 100) },
                { "last line removed", base100, Lines(1, 99) },
                { "two far-apart changes make two hunks", base100, ReplaceLine(ReplaceLine(base100, 10, "ten"), 80, "eighty") },
                { "changes six lines apart merge into one hunk", base100, ReplaceLine(ReplaceLine(base100, 10, "ten"), 17, "seventeen") },
                { "changes eight lines apart stay two hunks", base100, ReplaceLine(ReplaceLine(base100, 10, "ten"), 19, "nineteen") },
                { "a block replaced by a longer block", base100, base100.Replace(Lines(40, 45), "a\nb\nc\nd\ne\nf\ng\nh\ni\n", StringComparison.Ordinal) },
                { "a block removed in the middle", base100, base100.Replace(Lines(30, 60), "", StringComparison.Ordinal) },
                { "everything replaced", Lines(1, 5), Lines(1, 7, "other") },
                { "from empty", "", Lines(1, 4) },
                { "to empty", Lines(1, 4), "" },
                { "one-line files", "a\n", "b\n" },
                { "non-ASCII lines", "hostname zürich\n description Straße\n snmp-server location 東京\n", "hostname zürich\n description Straße – ✓\n snmp-server location 東京\n" },
                { "lines starting with diff markers", "-a\n+b\n c\n@@ d\n--- e\n", "-a\n+B\n c\n@@ d\n+++ e\n" },
                { "blank lines and repeated lines", "!\n!\n!\nx\n!\n!\n", "!\n!\ny\n!\n!\n!\n" },
            };
            var rng = new Random(20261128);
            for (var n = 0; n < 12; n++)
            {
                var oldLines = Enumerable.Range(1, rng.Next(1, 200)).Select(i => $"cfg {i % 17} {rng.Next(0, 4)}").ToList();
                var newLines = new List<string>(oldLines);
                var edits = rng.Next(1, 8);
                for (var k = 0; k < edits; k++)
                {
                    var at = rng.Next(0, newLines.Count + 1);
                    switch (rng.Next(0, 3))
                    {
                        case 0: newLines.Insert(at, $"inserted {n}.{k}"); break;
                        case 1 when at < newLines.Count: newLines.RemoveAt(at); break;
                        default: if (at < newLines.Count) newLines[at] = $"changed {n}.{k}"; break;
                    }
                }
                data.Add($"random case {n}", string.Concat(oldLines.Select(l => l + "\n")), string.Concat(newLines.Select(l => l + "\n")));
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GnuPatchAppliesTheUnifiedDiffAndReproducesTheNewText(string name, string oldText, string newText)
    {
        var diff = LineDiffer.Diff(oldText, newText);
        var unified = UnifiedDiff.Write(diff, "a/device", "b/device");
        Assert.False(string.IsNullOrEmpty(unified), name);

        var result = GnuPatch.Apply(oldText, unified);

        Assert.True(result.ExitCode == 0, $"{name}: patch exited {result.ExitCode}: {result.Output}\n{unified}");
        Assert.DoesNotContain("offset", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("fuzz", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(newText, result.Patched);
    }

    [Fact]
    public void FarApartChangesAreWrittenAsSeparateHunksWithThreeLinesOfContext()
    {
        var oldText = Lines(1, 100);
        var newText = ReplaceLine(ReplaceLine(oldText, 10, "ten"), 80, "eighty");

        var unified = UnifiedDiff.Write(LineDiffer.Diff(oldText, newText), "a/r1", "b/r1");

        Assert.Equal("""
            --- a/r1
            +++ b/r1
            @@ -7,7 +7,7 @@
             line 7
             line 8
             line 9
            -line 10
            +ten
             line 11
             line 12
             line 13
            @@ -77,7 +77,7 @@
             line 77
             line 78
             line 79
            -line 80
            +eighty
             line 81
             line 82
             line 83

            """, unified);
    }

    [Fact]
    public void IdenticalTextsGiveAnEmptyDiff()
    {
        Assert.Equal("", UnifiedDiff.Write(LineDiffer.Diff(Lines(1, 10), Lines(1, 10)), "a", "b"));
    }

    [Fact]
    public void ACorruptedDiffIsRejectedByPatch()
    {
        // Guards the round-trip test itself: patch must refuse a diff whose context does not match.
        var oldText = Lines(1, 20);
        var unified = UnifiedDiff.Write(LineDiffer.Diff(oldText, ReplaceLine(oldText, 10, "ten")), "a", "b")
            .Replace(" line 8\n", " line 8 tampered\n", StringComparison.Ordinal);

        var result = GnuPatch.Apply(oldText, unified);

        Assert.NotEqual(0, result.ExitCode);
    }
}
