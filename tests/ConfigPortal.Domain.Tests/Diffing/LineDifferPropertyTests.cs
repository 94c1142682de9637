using ConfigPortal.Domain.Snapshots.Diffing;
using DiffPlex;
using DiffPlex.Chunkers;
using Xunit;

namespace ConfigPortal.Domain.Tests.Diffing;

/// <summary>The anchored differ must always produce a diff that turns the old text into the new one.</summary>
public sealed class LineDifferPropertyTests
{
    private static string[] Apply(LineDiffResult diff)
    {
        var result = new List<string>();
        var o = 0;
        foreach (var e in diff.Edits)
        {
            Assert.True(e.OldStart >= o, "edits must be ordered and disjoint");
            while (o < e.OldStart) result.Add(diff.OldLines[o++]);
            Assert.Equal(e.NewStart, result.Count);
            for (var k = 0; k < e.NewCount; k++) result.Add(diff.NewLines[e.NewStart + k]);
            o = e.OldStart + e.OldCount;
        }
        while (o < diff.OldLines.Length) result.Add(diff.OldLines[o++]);
        return [.. result];
    }

    private static string[] Config(Random rng, int lines, int vocabulary) =>
        Enumerable.Range(0, lines).Select(i => rng.Next(4) == 0 ? "!" : $" line {rng.Next(vocabulary)}").ToArray();

    private static string[] Mutate(Random rng, string[] a, double rate)
    {
        var b = new List<string>(a.Length + 16);
        foreach (var line in a)
        {
            var r = rng.NextDouble();
            if (r < rate / 3) continue;                                  // delete
            if (r < 2 * rate / 3) { b.Add(line + " changed"); continue; } // modify
            b.Add(line);
            if (r < rate) b.Add($" inserted {rng.Next(1000)}");        // insert
        }
        return [.. b];
    }

    [Theory]
    [InlineData(1, 50, 0.1)]
    [InlineData(2, 500, 0.01)]
    [InlineData(3, 500, 0.3)]
    [InlineData(4, 3000, 0.05)]
    [InlineData(5, 20, 0.9)]
    public void ApplyingTheEditsToTheOldLinesGivesTheNewLines(int seed, int lines, double rate)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            var a = Config(rng, lines, lines / 2 + 3);
            var b = Mutate(rng, a, rate);
            var diff = LineDiffer.Diff(a, b);
            Assert.Equal(b, Apply(diff));
        }
    }

    [Fact]
    public void UnrelatedConfigsStillRoundTrip()
    {
        var rng = new Random(42);
        var a = Enumerable.Range(0, 4000).Select(i => $"interface Gi0/{i}\n description a{rng.Next()}").SelectMany(s => s.Split('\n')).ToArray();
        var b = Enumerable.Range(0, 4000).Select(i => $"set interfaces ge-0/0/{i} description b{rng.Next()}").ToArray();
        var diff = LineDiffer.Diff(a, b);
        Assert.Equal(b, Apply(diff));
        Assert.Equal(a.Length, diff.Removed);
        Assert.Equal(b.Length, diff.Added);
    }

    [Fact]
    public void SmallRegionsAreAsMinimalAsDiffPlex()
    {
        var rng = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var a = Config(rng, 40, 12);
            var b = Mutate(rng, a, 0.2);
            var ours = LineDiffer.Diff(a, b);
            var plex = Differ.Instance.CreateDiffs(string.Join('\n', a), string.Join('\n', b), false, false, LineChunker.Instance);
            var plexSize = plex.DiffBlocks.Sum(x => x.DeleteCountA + x.InsertCountB);
            Assert.True(ours.Added + ours.Removed <= plexSize + 2, $"ours {ours.Added + ours.Removed} vs DiffPlex {plexSize}");
        }
    }

    [Fact]
    public void LinesTheVendorIgnoresAreNotCountedButTheUnifiedDiffStaysExact()
    {
        var ios = ConfigPortal.Domain.Configs.VendorProfiles.CiscoIos;
        const string Old = "!\n! Last configuration change at 10:00:00 UTC Sat Nov 28 2026\nhostname a\ninterface Gi1\n description old\nend\n";
        const string New = "!\n! Last configuration change at 10:05:00 UTC Sat Nov 28 2026\nhostname a\ninterface Gi1\n description new\nend\n";

        var counted = LineDiffer.Diff(Old, New, new DiffOptions(IgnoreLines: ios.IgnoreFilters));
        var exact = LineDiffer.Diff(Old, New);

        Assert.Equal((1, 1), (counted.Added, counted.Removed));
        Assert.Equal((2, 2), (exact.Added, exact.Removed));
        var rows = SideBySide.BuildRows(counted);
        var stamp = Assert.Single(rows, r => r.OldText?.StartsWith("! Last", StringComparison.Ordinal) == true);
        Assert.Equal(RowKind.Unchanged, stamp.Kind);
        Assert.Contains("10:05:00", stamp.NewText, StringComparison.Ordinal);
    }
}
