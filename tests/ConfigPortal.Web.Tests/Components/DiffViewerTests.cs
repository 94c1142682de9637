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

    private IRenderedComponent<DiffViewer> RenderDiff(string oldText, string newText, int context = 3, string? syntax = null,
        DiffViewMode view = DiffViewMode.SideBySide, Action<DiffViewMode>? viewChanged = null) =>
        Render<DiffViewer>(p =>
        {
            p.Add(v => v.Diff, LineDiffer.Diff(oldText, newText)).Add(v => v.Context, context).Add(v => v.Syntax, syntax).Add(v => v.View, view);
            if (viewChanged is not null) p.Add(v => v.ViewChanged, viewChanged);
        });

    private static (string Old, string New) Numbers(IElement row)
    {
        var cells = row.QuerySelectorAll(".cp-ln");
        return (cells[0].TextContent.Trim(), cells[1].TextContent.Trim());
    }

    /// <summary>An IOS-style config with three interfaces and a routing block.</summary>
    private static string[] Ios(string gi1Description = "uplink", string gi3Vlan = "10", bool bgpNeighbor = false)
    {
        var lines = new List<string> { "hostname core1", "!" };
        for (var i = 1; i <= 3; i++)
        {
            lines.Add($"interface GigabitEthernet0/{i}");
            lines.Add($" description {(i == 1 ? gi1Description : $"port {i}")}");
            lines.Add($" switchport access vlan {(i == 3 ? gi3Vlan : "20")}");
            for (var k = 0; k < 8; k++) lines.Add($" storm-control level {i}.{k}");
            lines.Add("!");
        }
        lines.Add("router bgp 65000");
        lines.Add(" bgp log-neighbor-changes");
        if (bgpNeighbor) lines.Add(" neighbor 192.0.2.1 remote-as 65001");
        for (var k = 0; k < 10; k++) lines.Add($" network 10.{k}.0.0 mask 255.255.0.0");
        lines.Add("!");
        lines.Add("end");
        return [.. lines];
    }

    [Fact]
    public void Deleted_inserted_and_modified_lines_get_their_own_row_kind_classes_line_numbers_and_word_highlights()
    {
        var old = Numbered(12);
        var changed = old.ToList();
        changed.RemoveAt(2);                                   // delete old line 3
        changed[5] = "line 7 value SEVEN";                     // modify old line 7 (new line 6)
        changed.Insert(9, " description added by the test");  // insert as new line 10

        var cut = RenderDiff(Lines(old), Lines(changed));

        var deleted = Assert.Single(cut.FindAll(".cp-dr[data-kind=deleted]"));
        var inserted = Assert.Single(cut.FindAll(".cp-dr[data-kind=inserted]"));
        var modified = Assert.Single(cut.FindAll(".cp-dr[data-kind=modified]"));

        Assert.Contains("cp-row-del", deleted.ClassList);
        Assert.Equal(("3", ""), Numbers(deleted));
        Assert.Contains("line 3 value 3", deleted.QuerySelector(".cp-del")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(deleted.QuerySelector(".cp-empty"));

        Assert.Contains("cp-row-ins", inserted.ClassList);
        Assert.Equal(("", "10"), Numbers(inserted));
        Assert.Contains("description added by the test", inserted.QuerySelector(".cp-ins")!.TextContent, StringComparison.Ordinal);

        Assert.Contains("cp-row-mod", modified.ClassList);
        Assert.Equal(("7", "6"), Numbers(modified));
        Assert.Equal("7", modified.QuerySelector(".cp-del-word")!.TextContent);
        Assert.Equal("SEVEN", modified.QuerySelector(".cp-ins-word")!.TextContent);
        // The unchanged part of a modified line is not highlighted.
        Assert.DoesNotContain(modified.QuerySelectorAll(".cp-del-word, .cp-ins-word"), e => e.TextContent.Contains("value", StringComparison.Ordinal));

        Assert.Contains("+2", cut.Find("[data-testid=diff-summary] .cp-added").TextContent, StringComparison.Ordinal);
        Assert.Contains("2", cut.Find("[data-testid=diff-summary] .cp-removed").TextContent, StringComparison.Ordinal);
        Assert.Contains("3 changed blocks", cut.Find("[data-testid=diff-summary]").TextContent, StringComparison.Ordinal);
        Assert.All(cut.FindAll(".cp-dr[data-kind=unchanged]"), r => Assert.Contains("cp-row-same", r.ClassList));
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
        var visible = cut.FindAll(".cp-dr[data-kind=unchanged]").Select(r => Numbers(r).Old).ToList();
        Assert.Equal(["47", "48", "49", "51", "52", "53"], visible);

        cut.Find("[data-testid=expand]").Click();

        Assert.Single(cut.FindAll("[data-testid=expand]"));
        var expanded = cut.FindAll(".cp-dr[data-kind=unchanged]").Select(r => Numbers(r).Old).ToList();
        Assert.Equal(49 + 3, expanded.Count);
        Assert.Equal(Enumerable.Range(1, 49).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), expanded.Take(49));

        // "Expand all" opens the other run too, and collapses both again.
        cut.Find("[data-testid=expand-all]").Click();
        Assert.Empty(cut.FindAll("[data-testid=expand]"));
        cut.Find("[data-testid=expand-all]").Click();
        Assert.Equal(2, cut.FindAll("[data-testid=expand]").Count);
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
        Assert.Equal(8, cut.FindAll(".cp-dr[data-kind=unchanged]").Count);
    }

    [Fact]
    public void Two_identical_snapshots_show_identical_and_no_rows()
    {
        var text = Lines(Numbered(20));

        var cut = RenderDiff(text, text);

        Assert.Contains("identical", cut.Find("[data-testid=diff-identical]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".cp-dr"));
        Assert.Empty(cut.FindAll("[data-testid=expand]"));
        Assert.Empty(cut.FindAll("[data-testid=next-change]"));
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
        Assert.Equal("11", Numbers(cut.Find(".cp-dr[data-kind=modified]")).Old);
    }

    [Fact]
    public void Switching_to_inline_shows_removed_then_added_lines_with_both_numbers_and_reports_the_choice()
    {
        var old = Ios();
        var changed = Ios(gi1Description: "uplink to core2");
        DiffViewMode? reported = null;
        var cut = RenderDiff(Lines(old), Lines(changed), viewChanged: v => reported = v);
        Assert.Equal("side-by-side", cut.Find("[data-testid=diff-viewer]").GetAttribute("data-view"));
        Assert.Single(cut.FindAll(".cp-dr[data-kind=modified]"));

        cut.Find("[data-testid=view-unified]").Click();

        Assert.Equal(DiffViewMode.Unified, reported);
        Assert.Equal("unified", cut.Find("[data-testid=diff-viewer]").GetAttribute("data-view"));
        Assert.Empty(cut.FindAll(".cp-dr[data-kind=modified]"));
        var removed = Assert.Single(cut.FindAll(".cp-dr[data-kind=deleted]"));
        var added = Assert.Single(cut.FindAll(".cp-dr[data-kind=inserted]"));
        Assert.Equal("-", removed.QuerySelector(".cp-sign")!.TextContent);
        Assert.Equal("+", added.QuerySelector(".cp-sign")!.TextContent);
        Assert.Equal(("4", ""), Numbers(removed));
        Assert.Equal(("", "4"), Numbers(added));
        Assert.Equal("to core2", added.QuerySelector(".cp-ins-word")!.TextContent.Trim());
        // The removed line comes first, right after the change's section label.
        var items = cut.FindAll(".cp-dl").ToList();
        var header = items.FindIndex(e => e.GetAttribute("data-testid") == "change-header");
        Assert.Same(removed, items[header + 1]);
        Assert.Same(added, items[header + 2]);
        // Unchanged context lines show both numbers.
        Assert.Equal(("3", "3"), Numbers(items[header - 1]));

        cut.Find("[data-testid=view-side-by-side]").Click();
        Assert.Equal(DiffViewMode.SideBySide, reported);
        Assert.Single(cut.FindAll(".cp-dr[data-kind=modified]"));
    }

    [Fact]
    public void Each_change_is_labelled_with_its_section_and_the_summary_lists_the_changed_sections()
    {
        var cut = RenderDiff(Lines(Ios()), Lines(Ios(gi1Description: "uplink to core2", gi3Vlan: "30", bgpNeighbor: true)), syntax: "indent");

        var headers = cut.FindAll("[data-testid=change-header]");
        Assert.Equal(3, headers.Count);
        Assert.Contains("§ interface GigabitEthernet0/1", headers[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("§ interface GigabitEthernet0/3", headers[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("§ router bgp 65000", headers[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("change 2 of 3", headers[1].TextContent, StringComparison.Ordinal);

        var sections = cut.FindAll("[data-testid=section-link]").Select(e => e.QuerySelector(".cp-dv-link-text")!.TextContent).ToList();
        Assert.Equal(
            ["interface GigabitEthernet0/1: 2 lines changed", "interface GigabitEthernet0/3: 2 lines changed", "router bgp 65000: 1 line changed"],
            sections);
        Assert.Contains("3 sections", cut.Find("[data-testid=diff-summary]").TextContent, StringComparison.Ordinal);

        // A section link jumps to the change in it.
        cut.FindAll("[data-testid=section-link]")[2].Click();
        Assert.Equal("Change 3 of 3", cut.Find("[data-testid=change-position]").TextContent);
        Assert.Equal("true", cut.Find("[data-testid=change-header][data-change='2']").GetAttribute("data-current"));
    }

    [Fact]
    public async Task N_and_p_keys_and_the_buttons_move_between_changes_mark_the_current_one_and_scroll_to_it()
    {
        var cut = RenderDiff(Lines(Ios()), Lines(Ios(gi1Description: "uplink to core2", gi3Vlan: "30", bgpNeighbor: true)), syntax: "indent");
        Assert.Equal("3 changes", cut.Find("[data-testid=change-position]").TextContent);
        Assert.Empty(cut.FindAll("[data-current]"));

        // The keys come from portal.js's listener (it skips keys typed into fields) through OnKey.
        await cut.InvokeAsync(() => cut.Instance.OnKey("n"));
        await cut.InvokeAsync(() => cut.Instance.OnKey("n"));
        await cut.InvokeAsync(() => cut.Instance.OnKey("n"));

        Assert.Equal("Change 3 of 3", cut.Find("[data-testid=change-position]").TextContent);
        var current = cut.FindAll("[data-current=true]");
        Assert.Equal("change-header", current[0].GetAttribute("data-testid"));
        Assert.All(current, e => Assert.Equal("2", e.GetAttribute("data-change")));
        Assert.Contains(current, e => e.GetAttribute("data-kind") == "inserted" && e.TextContent.Contains("neighbor 192.0.2.1", StringComparison.Ordinal));
        Assert.Contains("cp-current", cut.Find("[data-testid=change-link][data-change='2']").ClassList);

        // Each move scrolled the virtualized rows to the change's label: item index × row height.
        var scrolls = JSInterop.Invocations["configPortal.diff.scrollToRow"];
        Assert.Equal(3, scrolls.Count);
        var items = cut.FindAll(".cp-dl").ToList();
        var third = items.FindIndex(e => e.GetAttribute("data-testid") == "change-header" && e.GetAttribute("data-change") == "2");
        Assert.Equal(third, scrolls[^1].Arguments[1]);
        Assert.Equal(DiffViewer.RowHeight, scrolls[^1].Arguments[2]);

        // n at the last change stays there; p goes back; the buttons do the same.
        await cut.InvokeAsync(() => cut.Instance.OnKey("n"));
        Assert.Equal("Change 3 of 3", cut.Find("[data-testid=change-position]").TextContent);
        await cut.InvokeAsync(() => cut.Instance.OnKey("p"));
        Assert.Equal("Change 2 of 3", cut.Find("[data-testid=change-position]").TextContent);
        cut.Find("[data-testid=prev-change]").Click();
        Assert.Equal("Change 1 of 3", cut.Find("[data-testid=change-position]").TextContent);
        Assert.Equal("true", cut.Find("[data-testid=change-header][data-change='0']").GetAttribute("data-current"));
        cut.Find("[data-testid=next-change]").Click();
        Assert.Equal("Change 2 of 3", cut.Find("[data-testid=change-position]").TextContent);

        // A change in the list jumps too.
        cut.Find("[data-testid=change-link][data-change='0']").Click();
        Assert.Equal("Change 1 of 3", cut.Find("[data-testid=change-position]").TextContent);
    }

    [Fact]
    public async Task The_keyboard_listener_is_attached_once_rendered_and_detached_on_dispose()
    {
        var cut = RenderDiff(Lines(Ios()), Lines(Ios(gi3Vlan: "30")));

        Assert.Single(JSInterop.Invocations["configPortal.diff.attach"]);
        Assert.Equal("true", cut.Find("[data-testid=diff-viewer]").GetAttribute("data-ready"));

        await DisposeComponentsAsync();
        Assert.Single(JSInterop.Invocations["configPortal.diff.detach"]);
    }

    [Fact]
    public void Section_line_numbers_replace_the_positions_in_the_cut()
    {
        var cut = Render<DiffViewer>(p => p
            .Add(v => v.Diff, LineDiffer.Diff(" a\n b\n", " a\n c\n"))
            .Add(v => v.OldLineNumbers, [120, 121])
            .Add(v => v.NewLineNumbers, [340, 341]));

        Assert.Equal(("121", "341"), Numbers(cut.Find(".cp-dr[data-kind=modified]")));
        Assert.Equal(("120", "340"), Numbers(cut.Find(".cp-dr[data-kind=unchanged]")));
    }
}
