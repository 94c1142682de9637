using System.Text;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Configs;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>
/// The normalizer's prefilters (a literal keyword check before each masking regex, a literal prefix check before each
/// delete/ignore filter) only skip work: for every vendor profile, on every emulator config and on lines that contain the
/// keywords in odd casing (including non-ASCII letters that case-insensitive regexes fold onto ASCII ones), the result
/// with the prefilters equals the result of running every regex on every line. No sshd needed: the configs are the
/// emulators' own.
/// </summary>
public sealed partial class MaskingPrefilterTests
{
    public static TheoryData<string> Profiles => new(VendorProfiles.All.Select(p => p.Id));

    [GeneratedRegex(@"\{\{\w+\}\}")]
    private static partial Regex Token();

    /// <summary>Every emulator's config with its volatile tokens filled in.</summary>
    private static IEnumerable<string> EmulatorConfigs() =>
        VendorEmulations.All.Select(v => Token().Replace(v.Spec.Config, "4711") + "\n");

    /// <summary>A line in odd casings: upper, lower, alternating, and with non-ASCII look-alikes (Kelvin sign, long s, dotted/dotless i).</summary>
    private static IEnumerable<string> Casings(string line)
    {
        yield return line;
        yield return line.ToUpperInvariant();
        yield return line.ToLowerInvariant();
        var sb = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++) sb.Append(i % 2 == 0 ? char.ToUpperInvariant(line[i]) : char.ToLowerInvariant(line[i]));
        yield return sb.ToString();
        yield return line.Replace('k', '\u212A').Replace('K', '\u212A');
        yield return line.Replace('s', '\u017F');
        yield return line.Replace('i', '\u0131').Replace('I', '\u0130');
    }

    /// <summary>Every keyword of every rule inside typical secret-carrying line shapes.</summary>
    private static IEnumerable<string> KeywordLines()
    {
        foreach (var keyword in VendorProfiles.All.SelectMany(p => p.MaskRules).SelectMany(r => r.Keywords ?? []).Distinct())
        {
            yield return $"{keyword} 7 S3cretValue";
            yield return $" {keyword} S3cretValue";
            yield return $"set {keyword} \"S3cret Value\"";
            yield return $"set {keyword} ENC S3cretBlob==";
            yield return $"{keyword}\"S3cret\"";
            yield return $"/snmp community set {keyword} name=S3cret";
            yield return $"    {keyword} ciphertext S3cretCipher";
            yield return $"snmp-server host 192.0.2.1 {keyword} S3cret";
        }
    }

    private static (string Text, string Hash, int Masked, string? Failure) Run(string raw, VendorProfile profile, bool prefilter)
    {
        try
        {
            var n = ConfigNormalizer.Normalize(raw, profile, maskSecrets: true, custom: null, prefilter: prefilter);
            return (n.Text, n.CompareHash, n.MaskedSecrets, null);
        }
        catch (BackupFailedException ex)
        {
            return ("", "", 0, ex.Kind.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Normalizing_every_emulator_config_is_identical_with_and_without_the_prefilters(string vendor)
    {
        var profile = VendorProfiles.Get(vendor);
        foreach (var config in EmulatorConfigs())
        {
            foreach (var variant in Casings(config))
                Assert.Equal(Run(variant, profile, prefilter: false), Run(variant, profile, prefilter: true));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Masking_each_line_in_odd_casing_is_identical_with_and_without_the_keyword_prefilter(string vendor)
    {
        var profile = VendorProfiles.Get(vendor);
        var plan = MaskPlan.For(profile.MaskRules);
        var lines = EmulatorConfigs().SelectMany(c => c.Split('\n')).Concat(KeywordLines()).Distinct().ToList();
        var checkedLines = 0;
        foreach (var line in lines)
        {
            foreach (var variant in Casings(line))
            {
                foreach (var section in new string?[] { null, "config system snmp community", "CONFIG SYSTEM SNMP COMMUNITY", "config system interface" })
                {
                    var expected = ConfigNormalizer.Mask(variant, profile.MaskRules, plan: null, section);
                    var actual = ConfigNormalizer.Mask(variant, profile.MaskRules, plan, section);
                    Assert.True(expected == actual, $"{vendor}: '{variant}' (section {section}): {expected} without, {actual} with the prefilter");
                    checkedLines++;
                }
            }
        }
        Assert.True(checkedLines > 1000);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Delete_and_ignore_filters_give_the_same_answer_with_and_without_the_prefix_prefilter(string vendor)
    {
        var profile = VendorProfiles.Get(vendor);
        var lines = EmulatorConfigs().SelectMany(c => c.Split('\n'))
            .Concat(VendorEmulations.All.SelectMany(v => v.DeletedPrefixes))
            .Concat(["  ntp clock-period 17179", "\tntp clock-period 1", "ntp clock-period", "! Last configuration change at 10:00", "!Time: x", "{master:0}", "{backup}", "#conf_file_ver=1"])
            .SelectMany(Casings).Distinct().ToList();
        foreach (var filters in new[] { profile.DeleteFilters, profile.IgnoreFilters })
        {
            var with = LinePrefilter.For(filters);
            var without = LinePrefilter.Unfiltered(filters);
            foreach (var line in lines)
                Assert.True(without.MatchesAny(line) == with.MatchesAny(line), $"{vendor}: '{line}'");
        }
    }

    [Theory]
    [InlineData(@"^Building configuration\.\.\.\s*$", "Building configuration...", false)]
    [InlineData(@"^\s*ntp clock-period \d+", "ntp clock-period ", true)]
    [InlineData(@"^\{(master|backup|primary|secondary)(:\d+)?\}\s*$", null, false)] // an alternation: left alone
    [InlineData(@"^# \w{3}/\d{2}/\d{4}", "# ", false)]
    [InlineData(@"^abc?d", "ab", false)]  // a quantified character is not required
    [InlineData(@"^ab*", "a", false)]
    [InlineData(@"abc", null, false)]     // not anchored
    [InlineData(@"^\d+ bytes", null, false)]
    public void The_required_prefix_of_a_pattern_is_read_conservatively(string pattern, string? prefix, bool afterWhitespace)
    {
        var (p, ws) = LinePrefilter.RequiredPrefix(new Regex(pattern, RegexOptions.CultureInvariant));

        Assert.Equal(prefix, p);
        if (prefix is not null) Assert.Equal(afterWhitespace, ws);
    }

    [Fact]
    public void A_case_insensitive_pattern_gets_no_prefix()
    {
        Assert.Null(LinePrefilter.RequiredPrefix(new Regex("^abc", RegexOptions.IgnoreCase)).Prefix);
    }

    [Fact]
    public void Every_built_in_mask_rule_declares_keywords()
    {
        // A rule without keywords would turn the whole-line prefilter off for its profile (correct, only slower).
        Assert.All(VendorProfiles.All.SelectMany(p => p.MaskRules), r => Assert.NotEmpty(r.Keywords ?? []));
    }
}
