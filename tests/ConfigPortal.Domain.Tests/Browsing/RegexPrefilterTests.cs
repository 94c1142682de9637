using System.Text.RegularExpressions;
using ConfigPortal.Domain.Snapshots.Browsing;

namespace ConfigPortal.Domain.Tests.Browsing;

public sealed class RegexPrefilterTests
{
    [Theory]
    [InlineData(@"ip address 10\.1\.\d+\.\d+", false, "ip address 10.1.")]
    [InlineData(@"^\s*shutdown$", false, "shutdown")]
    [InlineData(@"snmp-server community \S+ RW", false, "snmp-server community ")]
    [InlineData(@"interfaces? Gi", false, "interface")]
    [InlineData(@"neighbor \d+ remote-as 6500[0-9]", false, " remote-as 6500")]
    [InlineData(@"colou?r", false, "colo")]
    [InlineData(@"abc{0,2}def", false, "def")]
    [InlineData(@"deny|permit", false, null)]
    [InlineData(@"(?i)route", false, null)]
    [InlineData(@"(vlan)+ 100", false, " 100")]
    [InlineData(@"hostname core", true, "tname core")]
    [InlineData(@"description link to switch", true, "cription lin")]
    public void FindsOnlyLiteralsEveryMatchContains(string pattern, bool ignoreCase, string? expected)
    {
        Assert.Equal(expected, RegexPrefilter.RequiredLiteral(pattern, ignoreCase));
    }

    [Theory]
    [InlineData(@"ip address 10\.1\.\d+\.\d+", " ip address 10.1.7.1 255.255.255.0")]
    [InlineData(@"interfaces? Gi", "interface Gi0/1")]
    [InlineData(@"abc{0,2}def", "abdef")]
    [InlineData(@"(vlan)+ 100", "vlanvlan 100")]
    [InlineData(@"Kelvin \d", "\u212Aelvin 5")]
    public void TheLiteralIsInEveryMatchingText(string pattern, string text)
    {
        foreach (var ignoreCase in new[] { false, true })
        {
            var regex = new Regex(pattern, RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
            if (!regex.IsMatch(text)) continue;
            var literal = RegexPrefilter.RequiredLiteral(pattern, ignoreCase);
            if (literal is null) continue;
            Assert.Contains(literal, text, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }
    }
}
