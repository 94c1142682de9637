using AngleSharp.Dom;
using Bunit;
using ConfigPortal.Domain.Snapshots.Diffing;
using ConfigPortal.Web.Components.Shared;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Components;

public sealed class DiffViewerTests : PortalComponentTest
{
    private static string Lines(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";

    private static string[] Numbered(int count) => Enumerable.Range(1, count).Select(i => $"line {i} value {i}").ToArray();

    private IRenderedComponent<DiffViewer> RenderDiff(string oldText, string newText, int context = 3) =>
        Render<DiffViewer>(p => p.Add(v => v.Diff, LineDiffer.Diff(oldText, newText)).Add(v => v.Context, context));

    private static (string Old, string New) Cells(IElement row)
    {
        var cells = row.QuerySelectorAll("td.cp-ln");
        return (cells[0].TextContent.Trim(), cells[1].TextContent.Trim());
    }

    [Fact]
    public void Deleted_inserted_and_modified_lines_get_their_own_row_kind_classes_and_line_numbers()
    {
        var old = Numbered(12);
        var changed = old.ToList();
        changed.RemoveAt(2);                                   // delete old line 3
        changed[5] = "line 7 value SEVEN";                     // modify old line 7 (new line 6)
        changed.Insert(9, " description added by the test");  // insert as new line 10

        var cut = RenderDiff(Lines(old), Lines(changed));

        var deleted = cut.FindAll("tr[data-kind=deleted]");
        var inserted = cut.FindAll("tr[data-kind=inserted]");
        var modified = cut.FindAll("tr[data-kind=modified]");
        Assert.Single(deleted);
        Assert.Single(inserted);
        Assert.Single(modified);

        Assert.Contains("cp-row-del", deleted[0].ClassList);
        Assert.Equal(("3", ""), Cells(deleted[0]));
        Assert.Contains("line 3 value 3", deleted[0].QuerySelector("td.cp-del")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(deleted[0].QuerySelector("td.cp-empty"));

        Assert.Contains("cp-row-ins", inserted[0].ClassList);
        Assert.Equal(("", "10"), Cells(inserted[0]));
        Assert.Contains("description added by the test", inserted[0].QuerySelector("td.cp-ins")!.TextContent, StringComparison.Ordinal);

        Assert.Contains("cp-row-mod", modified[0].ClassList);
        Assert.Equal(("7", "6"), Cells(modified[0]));
        Assert.Equal("7", modified[0].QuerySelector(".cp-del-word")!.TextContent);
        Assert.Equal("SEVEN", modified[0].QuerySelector(".cp-ins-word")!.TextContent);
        // The unchanged part of a modified line is not highlighted.
        Assert.DoesNotContain(modified[0].QuerySelectorAll(".cp-del-word, .cp-ins-word"), e => e.TextContent.Contains("value", StringComparison.Ordinal));

        Assert.Contains("+2", cut.Find("[data-testid=diff-summary] .cp-added").TextContent, StringComparison.Ordinal);
        Assert.Contains("2", cut.Find("[data-testid=diff-summary] .cp-removed").TextContent, StringComparison.Ordinal);
        Assert.All(cut.FindAll("tr[data-kind=unchanged]"), r => Assert.Contains("cp-row-same", r.ClassList));
    }

    [Fact]
    public void A_long_unchanged_run_is_collapsed_to_the_context_lines_and_expands_on_click()
    {
        var old = Numbered(100);
        var changed = old.ToArray();
        changed[49] = "line 50 value fifty";

        var cut = RenderDiff(Lines(old), Lines(changed), context: 3);

        // 49 unchanged lines before the change (3 kept) and 50 after (3 kept).
        var buttons = cut.FindAll("[data-testid=expand]");
        Assert.Equal(2, buttons.Count);
        Assert.Contains("Show 46 unchanged lines", buttons[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Show 47 unchanged lines", buttons[1].TextContent, StringComparison.Ordinal);
        var visible = cut.FindAll("tr[data-kind=unchanged]").Select(r => Cells(r).Old).ToList();
        Assert.Equal(["47", "48", "49", "51", "52", "53"], visible);

        cut.Find("[data-testid=expand]").Click();

        Assert.Single(cut.FindAll("[data-testid=expand]"));
        var expanded = cut.FindAll("tr[data-kind=unchanged]").Select(r => Cells(r).Old).ToList();
        Assert.Equal(49 + 3, expanded.Count);
        Assert.Equal("1", expanded[0]);
        Assert.Equal(Enumerable.Range(1, 49).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), expanded.Take(49));
    }

    [Fact]
    public void A_short_unchanged_run_between_changes_is_not_collapsed()
    {
        var old = Numbered(10);
        var changed = old.ToArray();
        changed[1] = "line 2 value two";
        changed[8] = "line 9 value nine"; // 6 unchanged lines between: 3 + 3 context, nothing to hide

        var cut = RenderDiff(Lines(old), Lines(changed), context: 3);

        Assert.Empty(cut.FindAll("[data-testid=expand]"));
        Assert.Equal(8, cut.FindAll("tr[data-kind=unchanged]").Count);
    }

    [Fact]
    public void Two_identical_snapshots_show_identical_and_no_table()
    {
        var text = Lines(Numbered(20));

        var cut = RenderDiff(text, text);

        Assert.Contains("identical", cut.Find("[data-testid=diff-identical]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("table"));
        Assert.Empty(cut.FindAll("[data-testid=expand]"));
    }

    [Fact]
    public void A_new_diff_parameter_rebuilds_the_rows_and_collapses_again()
    {
        var old = Numbered(60);
        var changed = old.ToArray();
        changed[30] = "line 31 value changed";
        var cut = RenderDiff(Lines(old), Lines(changed));
        cut.Find("[data-testid=expand]").Click();
        Assert.Single(cut.FindAll("[data-testid=expand]"));

        var again = old.ToArray();
        again[10] = "line 11 value changed";
        cut.Render(p => p.Add(v => v.Diff, LineDiffer.Diff(Lines(old), Lines(again))));

        Assert.Equal(2, cut.FindAll("[data-testid=expand]").Count);
        Assert.Equal("11", Cells(cut.Find("tr[data-kind=modified]")).Old);
    }
}
