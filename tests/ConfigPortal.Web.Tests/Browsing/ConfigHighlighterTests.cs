using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Web.Components.Shared;

namespace ConfigPortal.Web.Tests.Browsing;

public sealed class ConfigHighlighterTests
{
    [Theory]
    [InlineData("indent")]
    [InlineData("braces")]
    [InlineData("slash")]
    [InlineData("fortios")]
    public void Config_text_is_always_html_encoded_whatever_the_syntax(string syntax)
    {
        const string line = "banner motd ^<script>alert('x')</script> & <img src=x onerror=alert(1)> \"<b>\"^";

        var html = ConfigHighlighter.ToHtml(line, syntax, [new MatchSpan(7, 4)], 0);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&amp;", html, StringComparison.Ordinal);
        // Only the highlighter's own tags are markup.
        var tags = System.Text.RegularExpressions.Regex.Matches(html, "<(/?)([a-z]+)").Select(m => m.Groups[2].Value).Distinct();
        Assert.All(tags, t => Assert.Contains(t, new[] { "span", "mark" }));
    }

    [Fact]
    public void Ios_comments_keywords_addresses_secrets_and_strings_get_their_classes()
    {
        Assert.Equal("<span class=\"cp-tok-comment\">! Last configuration change</span>", ConfigHighlighter.ToHtml("! Last configuration change", "indent"));
        Assert.StartsWith("<span class=\"cp-tok-kw\">interface</span>", ConfigHighlighter.ToHtml("interface Gi0/1", "indent"), StringComparison.Ordinal);

        var address = ConfigHighlighter.ToHtml(" ip address 10.1.2.3 255.255.255.0", "indent");
        Assert.Contains("<span class=\"cp-tok-kw\">ip</span>", address, StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-addr\">10.1.2.3</span>", address, StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-addr\">255.255.255.0</span>", address, StringComparison.Ordinal);

        Assert.Contains("<span class=\"cp-tok-addr\">2001:db8:10::1/64</span>", ConfigHighlighter.ToHtml(" ipv6 address 2001:db8:10::1/64", "indent"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-addr\">fe80::1</span>", ConfigHighlighter.ToHtml("ipv6 route ::/0 fe80::1", "indent"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-secret\">&lt;removed&gt;</span>", ConfigHighlighter.ToHtml(" password 7 <removed>", "indent"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-str\">&quot;core uplink&quot;</span>", ConfigHighlighter.ToHtml(" description \"core uplink\"", "indent"), StringComparison.Ordinal);
        // Interface names and versions are not addresses.
        Assert.DoesNotContain("cp-tok-addr", ConfigHighlighter.ToHtml("interface Ethernet1/1.100", "indent"), StringComparison.Ordinal);
        Assert.DoesNotContain("cp-tok-addr", ConfigHighlighter.ToHtml("version 15.2", "indent"), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_vendor_syntax_has_its_own_comments_and_keywords()
    {
        Assert.StartsWith("<span class=\"cp-tok-kw\">set</span>", ConfigHighlighter.ToHtml("set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24", "braces"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-addr\">192.0.2.1/24</span>", ConfigHighlighter.ToHtml("set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24", "braces"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"cp-tok-comment\">## SECRET-DATA</span>", ConfigHighlighter.ToHtml("    encrypted-password \"<removed>\"; ## SECRET-DATA", "braces"), StringComparison.Ordinal);
        Assert.Equal("<span class=\"cp-tok-comment\"># jan/02/2026 by RouterOS</span>", ConfigHighlighter.ToHtml("# jan/02/2026 by RouterOS", "slash"));
        Assert.StartsWith("<span class=\"cp-tok-kw\">/ip firewall filter</span>", ConfigHighlighter.ToHtml("/ip firewall filter add chain=input action=accept", "slash"), StringComparison.Ordinal);
        Assert.StartsWith("    <span class=\"cp-tok-kw\">edit</span>", ConfigHighlighter.ToHtml("    edit \"port1\"", "fortios"), StringComparison.Ordinal);
        Assert.StartsWith("<span class=\"cp-tok-kw\">config</span>", ConfigHighlighter.ToHtml("config system interface", "fortios"), StringComparison.Ordinal);
        // "!" is an IOS comment, not a FortiOS one.
        Assert.DoesNotContain("cp-tok-comment", ConfigHighlighter.ToHtml("! not a comment here", "fortios"), StringComparison.Ordinal);
    }

    [Fact]
    public void Search_marks_wrap_the_matched_text_and_the_current_one_is_marked_current()
    {
        var html = ConfigHighlighter.ToHtml("description uplink to uplink", "indent", [new MatchSpan(12, 6), new MatchSpan(22, 6)], currentMark: 1);

        Assert.Contains("<mark class=\"cp-hit\">uplink</mark>", html, StringComparison.Ordinal);
        Assert.Contains("<mark class=\"cp-hit cp-hit-current\">uplink</mark>", html, StringComparison.Ordinal);
    }
}
