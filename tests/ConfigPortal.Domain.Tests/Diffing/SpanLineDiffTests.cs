using ConfigPortal.Domain.Snapshots.Diffing;

namespace ConfigPortal.Domain.Tests.Diffing;

/// <summary>The string overload hashes line spans in place; it must see exactly the lines and edits the array overload does.</summary>
public sealed class SpanLineDiffTests
{
    private static readonly string[] Breaks = ["\n", "\r\n", "\r"];

    private static string RandomText(Random rng, int lines, int vocabulary, bool mixedBreaks)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var r = rng.Next(10);
            sb.Append(r switch
            {
                0 => "",
                1 => "!",
                2 => $" description Straße {rng.Next(vocabulary)} 東京 ✓",
                3 => "   ",
                _ => $" line {rng.Next(vocabulary)}",
            });
            if (i < lines - 1 || rng.Next(2) == 0) sb.Append(mixedBreaks ? Breaks[rng.Next(3)] : "\n");
        }
        return sb.ToString();
    }

    public static TheoryData<string, string> EdgeCases => new()
    {
        { "", "" },
        { "", "a\n" },
        { "a\n", "" },
        { "\n", "\n\n" },
        { "a", "a\n" },
        { "a\r", "a\n" },
        { "a\r\r\nb", "a\n\nb" },
        { "\r\n\r\n", "\n\r" },
        { "x\ny\nz", "x\ny\nz\n" },
        { "zürich\n東京\n🚀", "zürich\n東京 ✓\n🚀" },
        { new string('x', 100_000) + "\n", new string('x', 99_999) + "y\n" },
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void EdgeCasesMatchTheLineArrayDiff(string oldText, string newText) => AssertSame(oldText, newText);

    [Theory]
    [InlineData(1, 200, false)]
    [InlineData(2, 200, true)]
    [InlineData(3, 3_000, false)]
    [InlineData(4, 3_000, true)]
    public void RandomTextsMatchTheLineArrayDiff(int seed, int lines, bool mixedBreaks)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 30; round++)
        {
            var a = RandomText(rng, lines, lines / 3 + 2, mixedBreaks);
            var b = rng.Next(4) == 0 ? RandomText(rng, lines, lines / 3 + 2, mixedBreaks) : Mutate(rng, a);
            AssertSame(a, b);
        }
    }

    [Fact]
    public void TheUnifiedDiffReadsLinesWithoutMaterializingThemAndMatchesTheArrayDiff()
    {
        var a = string.Concat(Enumerable.Range(0, 5_000).Select(i => $"line {i}\r\n"));
        var b = a.Replace("line 2500\r\n", "line 2500 changed\r\n", StringComparison.Ordinal);
        var fromText = LineDiffer.Diff(a, b);
        var fromLines = LineDiffer.Diff(LineDiffer.SplitLines(a), LineDiffer.SplitLines(b));
        Assert.Equal(UnifiedDiff.Write(fromLines, "a/x", "b/x"), UnifiedDiff.Write(fromText, "a/x", "b/x"));
        Assert.Equal(LineDiffer.SplitLines(a), fromText.OldLines);
        Assert.Equal(LineDiffer.SplitLines(b), fromText.NewLines);
        Assert.Equal(UnifiedDiff.Write(fromLines, "a/x", "b/x"), UnifiedDiff.Write(fromText, "a/x", "b/x")); // materialized now
    }

    private static string Mutate(Random rng, string text)
    {
        var lines = text.Split('\n').ToList();
        for (var k = 0; k < Math.Max(1, lines.Count / 20); k++)
        {
            var at = rng.Next(lines.Count);
            switch (rng.Next(3))
            {
                case 0: lines[at] += " changed"; break;
                case 1: lines.Insert(at, $"inserted {rng.Next(50)}"); break;
                default: lines.RemoveAt(at); break;
            }
        }
        return string.Join('\n', lines);
    }

    private static void AssertSame(string oldText, string newText)
    {
        var fromText = LineDiffer.Diff(oldText, newText);
        var fromLines = LineDiffer.Diff(LineDiffer.SplitLines(oldText), LineDiffer.SplitLines(newText));
        Assert.Equal(fromLines.Edits, fromText.Edits);
        Assert.Equal(UnifiedDiff.Write(fromLines, "a/cfg", "b/cfg"), UnifiedDiff.Write(fromText, "a/cfg", "b/cfg"));
        Assert.Equal(fromLines.OldLines, fromText.OldLines);
        Assert.Equal(fromLines.NewLines, fromText.NewLines);
    }
}
