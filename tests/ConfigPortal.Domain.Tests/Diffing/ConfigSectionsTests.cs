using ConfigPortal.Domain.Snapshots.Diffing;
using Xunit;

namespace ConfigPortal.Domain.Tests.Diffing;

public sealed class ConfigSectionsTests
{
    private static string[] Lines(string text) => LineDiffer.SplitLines(text.ReplaceLineEndings("\n"));

    [Fact]
    public void Ios_blocks_and_nested_blocks_get_paths()
    {
        var lines = Lines("""
            hostname core1
            !
            interface GigabitEthernet0/1
             description uplink
             ip address 10.0.0.1 255.255.255.0
            !
            router bgp 65000
             neighbor 10.0.0.2 remote-as 65001
             address-family ipv4
              network 10.0.0.0 mask 255.255.255.0
             exit-address-family
            !
            ntp server 10.1.1.1
            """);
        var s = ConfigSections.Resolve(lines, "indent");
        Assert.Equal(ConfigSections.Global, s[0]);
        Assert.Equal("interface GigabitEthernet0/1", s[2]);
        Assert.Equal("interface GigabitEthernet0/1", s[4]);
        Assert.Equal("router bgp 65000", s[7]);
        Assert.Equal("router bgp 65000 › address-family ipv4", s[8]);
        Assert.Equal("router bgp 65000 › address-family ipv4", s[9]);
        Assert.Equal("router bgp 65000", s[10]);
        Assert.Equal(ConfigSections.Global, s[12]);
    }

    [Fact]
    public void Junos_braces_and_set_paths()
    {
        var braces = Lines("""
            system {
                host-name mx1;
            }
            interfaces {
                ge-0/0/0 {
                    unit 0 {
                        family inet {
                            address 10.0.0.1/24;
                        }
                    }
                }
            }
            """);
        var s = ConfigSections.Resolve(braces, "braces");
        Assert.Equal("system", s[1]);
        Assert.Equal("interfaces › ge-0/0/0 › unit 0 › family inet", s[7]);
        Assert.Equal("interfaces", s[11]);

        var set = ConfigSections.Resolve(Lines("set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24\nset system host-name mx1"), "braces");
        Assert.Equal("interfaces ge-0/0/0", set[0]);
        Assert.Equal("system host-name", set[1]);
    }

    [Fact]
    public void RouterOs_slash_sections_and_FortiOs_config_edit()
    {
        var ros = ConfigSections.Resolve(Lines("""
            /ip address
            add address=10.0.0.1/24 interface=ether1
            /ip firewall filter
            add action=accept chain=input \
                comment=ssh
            /system identity set name=r1
            """), "slash");
        Assert.Equal("/ip address", ros[1]);
        Assert.Equal("/ip firewall filter", ros[3]);
        Assert.Equal("/ip firewall filter", ros[4]);
        Assert.Equal("/system identity", ros[5]);

        var forti = ConfigSections.Resolve(Lines("""
            config system global
                set hostname "fw1"
            end
            config firewall policy
                edit 3
                    set action accept
                next
            end
            """), "fortios");
        Assert.Equal("config system global", forti[1]);
        Assert.Equal("config firewall policy › edit 3", forti[5]);
        Assert.Equal("config firewall policy › edit 3", forti[6]); // "next" closes the edit block it belongs to
        Assert.Equal("config firewall policy", forti[7]);
    }

    [Fact]
    public void Summary_lists_changed_sections_with_counts_in_order()
    {
        var oldText = "hostname a\n!\ninterface Gi0/1\n description old\n shutdown\n!\ninterface Gi0/2\n description b\n!\n";
        var newText = "hostname a\n!\ninterface Gi0/1\n description new\n!\ninterface Gi0/2\n description b\n!\nntp server 1.1.1.1\n";
        var diff = LineDiffer.Diff(oldText, newText);
        var summary = ConfigSections.Summarize(diff, "indent");
        Assert.Equal(2, summary.Count);
        Assert.Equal(new ChangedSection("interface Gi0/1", 1, 2), summary[0]);
        Assert.Equal(new ChangedSection(ConfigSections.Global, 1, 0), summary[1]);
        Assert.Equal("interface Gi0/1: 3 lines changed (+1 −2)", summary[0].ToString());

        var oldSections = ConfigSections.Resolve(diff.OldLines, "indent");
        var newSections = ConfigSections.Resolve(diff.NewLines, "indent");
        Assert.Equal("interface Gi0/1", ConfigSections.SectionOf(diff.Edits[0], oldSections, newSections));
    }

    [Fact]
    public void Unchanged_diff_has_no_sections_and_empty_input_is_fine()
    {
        Assert.Empty(ConfigSections.Summarize(LineDiffer.Diff("a\n", "a\n"), "indent"));
        foreach (var syntax in new[] { "indent", "braces", "slash", "fortios", null })
            Assert.Empty(ConfigSections.Resolve([], syntax));
    }
}
