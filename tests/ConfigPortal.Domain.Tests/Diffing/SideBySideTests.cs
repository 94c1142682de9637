using ConfigPortal.Domain.Snapshots.Diffing;

namespace ConfigPortal.Domain.Tests.Diffing;

public sealed class SideBySideTests
{
    private static IReadOnlyList<DiffRow> Rows(string oldText, string newText) => SideBySide.BuildRows(LineDiffer.Diff(oldText, newText));

    private static string Lines(int from, int to) => string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"line {i}\n"));

    [Fact]
    public void AChangedLineIsOneModifiedRowPairingBothSides()
    {
        var rows = Rows("a\nb\nc\n", "a\nB\nc\n");

        Assert.Equal([RowKind.Unchanged, RowKind.Modified, RowKind.Unchanged], rows.Select(r => r.Kind));
        var modified = rows[1];
        Assert.Equal((2, "b", 2, "B"), (modified.OldNumber, modified.OldText, modified.NewNumber, modified.NewText));
    }

    [Fact]
    public void AnAddedLineHasOnlyANewSideAndARemovedLineOnlyAnOldSide()
    {
        var added = Rows("a\nc\n", "a\nb\nc\n");
        var removed = Rows("a\nb\nc\n", "a\nc\n");

        var insert = Assert.Single(added, r => r.Kind == RowKind.Inserted);
        Assert.Equal((null, null, 2, "b"), (insert.OldNumber, insert.OldText, insert.NewNumber, insert.NewText));
        var delete = Assert.Single(removed, r => r.Kind == RowKind.Deleted);
        Assert.Equal((2, "b", null, null), (delete.OldNumber, delete.OldText, delete.NewNumber, delete.NewText));
        // Line numbers after the change follow each side.
        Assert.Equal((2, 3), (added[2].OldNumber!.Value, added[2].NewNumber!.Value));
        Assert.Equal((3, 2), (removed[2].OldNumber!.Value, removed[2].NewNumber!.Value));
    }

    [Fact]
    public void AnEditWithMoreNewLinesThanOldPairsWhatItCanAndInsertsTheRest()
    {
        var diff = LineDiffer.Diff("keep\nold1\nkeep2\n", "keep\nnew1\nnew2\nnew3\nkeep2\n");
        var rows = SideBySide.BuildRows(diff);

        Assert.Equal([RowKind.Unchanged, RowKind.Modified, RowKind.Inserted, RowKind.Inserted, RowKind.Unchanged], rows.Select(r => r.Kind));
        Assert.Equal(3, diff.Added);
        Assert.Equal(1, diff.Removed);
    }

    [Fact]
    public void EveryLineOfBothSidesAppearsOnceInOrder()
    {
        var oldText = Lines(1, 40);
        var newText = Lines(1, 40).Replace("line 3\n", "", StringComparison.Ordinal).Replace("line 20\n", "line twenty\nline 20b\n", StringComparison.Ordinal) + "line 41\n";

        var rows = Rows(oldText, newText);

        Assert.Equal(LineDiffer.SplitLines(oldText), rows.Where(r => r.OldText is not null).Select(r => r.OldText!));
        Assert.Equal(LineDiffer.SplitLines(newText), rows.Where(r => r.NewText is not null).Select(r => r.NewText!));
        Assert.Equal(Enumerable.Range(1, 40), rows.Where(r => r.OldNumber is not null).Select(r => r.OldNumber!.Value));
    }

    [Fact]
    public void AModifiedRowMarksOnlyTheChangedWords()
    {
        var (oldPieces, newPieces) = SideBySide.Pieces(" description uplink to core-sw1", " description uplink to core-sw2");

        Assert.Equal(" description uplink to core-sw1", string.Concat(oldPieces.Select(p => p.Text)));
        Assert.Equal(" description uplink to core-sw2", string.Concat(newPieces.Select(p => p.Text)));
        Assert.Contains(oldPieces, p => !p.Changed && p.Text.Contains("description uplink to", StringComparison.Ordinal));
        Assert.All(oldPieces.Where(p => p.Changed), p => Assert.DoesNotContain("description", p.Text, StringComparison.Ordinal));
        Assert.Contains(oldPieces, p => p.Changed && p.Text.Contains("sw1", StringComparison.Ordinal));
        Assert.Contains(newPieces, p => p.Changed && p.Text.Contains("sw2", StringComparison.Ordinal));
    }

    [Fact]
    public void ModifiedRowsCarryWordPiecesAndOtherRowsDoNot()
    {
        var rows = Rows("a b c\nsame\n", "a X c\nsame\n");

        Assert.NotNull(rows[0].OldPieces);
        Assert.NotNull(rows[0].NewPieces);
        Assert.Null(rows[1].OldPieces);
        Assert.Null(SideBySide.BuildRows(LineDiffer.Diff("a\n", "b\n"), wordPieces: false)[0].OldPieces);
    }

    [Fact]
    public void LongUnchangedRunsAreCollapsibleWithContextAroundTheChange()
    {
        var oldText = Lines(1, 50);
        var newText = oldText.Replace("line 25\n", "line XXV\n", StringComparison.Ordinal);

        var segments = SideBySide.Segment(Rows(oldText, newText), context: 3);

        // 24 unchanged before: 21 collapsed + 3 context; the change; 3 context + 22 collapsed after.
        Assert.Equal([(true, 21), (false, 3), (false, 1), (false, 3), (true, 22)], segments.Select(s => (s.Collapsible, s.Rows.Count)));
        Assert.Equal([0, 21, 24, 25, 28], segments.Select(s => s.FirstIndex));
        Assert.Equal(RowKind.Modified, segments[2].Rows[0].Kind);
        Assert.Equal(50, segments.Sum(s => s.Rows.Count));
    }

    [Fact]
    public void ShortUnchangedRunsBetweenChangesAreNotCollapsed()
    {
        var oldText = Lines(1, 12);
        var newText = oldText.Replace("line 2\n", "line two\n", StringComparison.Ordinal).Replace("line 9\n", "line nine\n", StringComparison.Ordinal);

        var segments = SideBySide.Segment(Rows(oldText, newText), context: 3);

        Assert.DoesNotContain(segments, s => s.Collapsible);
        Assert.Equal(12, segments.Sum(s => s.Rows.Count));
    }

    [Fact]
    public void IdenticalTextsAreOneCollapsibleRunAndNoChange()
    {
        var diff = LineDiffer.Diff(Lines(1, 30), Lines(1, 30));
        var segments = SideBySide.Segment(SideBySide.BuildRows(diff));

        Assert.False(diff.HasChanges);
        var only = Assert.Single(segments);
        Assert.True(only.Collapsible);
        Assert.Equal(30, only.Rows.Count);
    }

    [Fact]
    public void AnEmptyOldSideIsAllInsertedAndAnEmptyNewSideAllDeleted()
    {
        var fromNothing = LineDiffer.Diff("", "a\nb\n");
        var toNothing = LineDiffer.Diff("a\nb\n", "");

        Assert.All(SideBySide.BuildRows(fromNothing), r => Assert.Equal(RowKind.Inserted, r.Kind));
        Assert.Equal((2, 0), (fromNothing.Added, fromNothing.Removed));
        Assert.All(SideBySide.BuildRows(toNothing), r => Assert.Equal(RowKind.Deleted, r.Kind));
        Assert.Equal((0, 2), (toNothing.Added, toNothing.Removed));
        Assert.Empty(SideBySide.BuildRows(LineDiffer.Diff("", "")));
        Assert.Empty(SideBySide.Segment([]));
    }

    [Fact]
    public void CrlfAndLfVersionsOfOneTextHaveNoDifferences()
    {
        var diff = LineDiffer.Diff("hostname r1\r\ninterface Gi1\r\n description x\r\n", "hostname r1\ninterface Gi1\n description x\n");

        Assert.False(diff.HasChanges);
        Assert.Equal(["hostname r1", "interface Gi1", " description x"], diff.OldLines);
    }

    [Fact]
    public void AMissingFinalNewlineIsNotAnExtraOrChangedLine()
    {
        Assert.False(LineDiffer.Diff("a\nb", "a\nb\n").HasChanges);
        Assert.Equal(["a", ""], LineDiffer.SplitLines("a\n\n"));
    }

    [Fact]
    public void NonAsciiTextSurvivesRowsAndPieces()
    {
        var rows = Rows("hostname zürich-core\n description Straße – ✓ 東京\n", "hostname zürich-core\n description Straße – ✗ 東京\n");

        var modified = Assert.Single(rows, r => r.Kind == RowKind.Modified);
        Assert.Equal(" description Straße – ✓ 東京", modified.OldText);
        Assert.Equal(" description Straße – ✓ 東京", string.Concat(modified.OldPieces!.Select(p => p.Text)));
        Assert.Equal(" description Straße – ✗ 東京", string.Concat(modified.NewPieces!.Select(p => p.Text)));
        Assert.Contains(modified.NewPieces!, p => p.Changed && p.Text.Contains('✗', StringComparison.Ordinal));
    }

    [Fact]
    public void IgnoringWhitespaceTreatsReindentedLinesAsUnchanged()
    {
        Assert.True(LineDiffer.Diff(" a  b\n", "a b\n").HasChanges);
        Assert.False(LineDiffer.Diff(" a  b\n", "a b\n", new DiffOptions(IgnoreWhitespace: true)).HasChanges);
    }
}
