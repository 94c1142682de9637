using System.Text.RegularExpressions;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Configs;

namespace ConfigPortal.Domain.Tests.Configs;

public sealed class ConfigNormalizerTests
{
    private const string IosConfig = """
        Building configuration...

        Current configuration : 1234 bytes
        !
        ! Last configuration change at 10:00:00 UTC Mon Jan 5 2026 by admin
        ! NVRAM config last updated at 10:00:01 UTC Mon Jan 5 2026 by admin
        !
        version 17.9
        hostname core-sw1
        !
        interface GigabitEthernet1/0/1
         description uplink to core
        !
        ntp server 10.0.0.123
        ntp clock-period 17179869
        !
        end

        """;

    private static NormalizedConfig Ios(string raw, bool mask = true, CustomFilters? custom = null) =>
        ConfigNormalizer.Normalize(raw, VendorProfiles.CiscoIos, mask, custom);

    [Fact]
    public void DeleteFilterLinesAreDroppedFromTheStoredText()
    {
        var result = Ios(IosConfig);

        Assert.DoesNotContain("Building configuration", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Current configuration", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("NVRAM config last updated", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ntp clock-period", result.Text, StringComparison.Ordinal);
        Assert.Contains("ntp server 10.0.0.123\n", result.Text, StringComparison.Ordinal);
        Assert.StartsWith("!\n! Last configuration change at", result.Text, StringComparison.Ordinal);
        Assert.EndsWith("!\nend\n", result.Text, StringComparison.Ordinal);
        Assert.Equal(result.Text.Split('\n').Length - 1, result.LineCount);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(result.Text), result.SizeBytes);
    }

    [Fact]
    public void VolatileDeleteFilterLinesDoNotChangeTheStoredTextOrTheHash()
    {
        var later = IosConfig.Replace("1234 bytes", "1240 bytes", StringComparison.Ordinal)
            .Replace("ntp clock-period 17179869", "ntp clock-period 17179999", StringComparison.Ordinal)
            .Replace("updated at 10:00:01", "updated at 11:11:11", StringComparison.Ordinal);

        var a = Ios(IosConfig);
        var b = Ios(later);

        Assert.Equal(a.Text, b.Text);
        Assert.Equal(a.CompareHash, b.CompareHash);
    }

    [Fact]
    public void IgnoreFilterLinesAreStoredButDoNotChangeTheCompareHash()
    {
        var later = IosConfig.Replace("change at 10:00:00", "change at 12:34:56", StringComparison.Ordinal);

        var a = Ios(IosConfig);
        var b = Ios(later);

        Assert.Contains("! Last configuration change at 10:00:00", a.Text, StringComparison.Ordinal);
        Assert.Contains("! Last configuration change at 12:34:56", b.Text, StringComparison.Ordinal);
        Assert.NotEqual(a.Text, b.Text);
        Assert.Equal(a.CompareHash, b.CompareHash);
        Assert.True(ConfigNormalizer.IsIgnored("! Last configuration change at 12:34:56 UTC", VendorProfiles.CiscoIos));
    }

    [Fact]
    public void AChangedConfigLineChangesTheCompareHash()
    {
        var later = IosConfig.Replace("uplink to core", "uplink to edge", StringComparison.Ordinal);

        Assert.NotEqual(Ios(IosConfig).CompareHash, Ios(later).CompareHash);
    }

    [Fact]
    public void TheCompareHashIsTheSha256OfTheStoredTextWithoutIgnoredLines()
    {
        var result = Ios(IosConfig);
        var view = string.Concat(result.Text.Split('\n').SkipLast(1)
            .Where(l => !l.StartsWith("! Last configuration change at ", StringComparison.Ordinal))
            .Select(l => l + "\n"));

        Assert.Equal(ConfigNormalizer.Hash(view), result.CompareHash);
        Assert.Matches("^[0-9a-f]{64}$", result.CompareHash);
    }

    [Fact]
    public void CrlfLineEndingsAndTrailingWhitespaceNormalizeToTheSameTextAsClean()
    {
        var messy = string.Join("\r\n", IosConfig.Split('\n').Select(l => l.Length > 0 ? l + "   \t" : l));

        var clean = Ios(IosConfig);
        var normalized = Ios(messy);

        Assert.Equal(clean.Text, normalized.Text);
        Assert.Equal(clean.CompareHash, normalized.CompareHash);
        Assert.DoesNotContain('\r', normalized.Text);
        Assert.DoesNotContain(" \n", normalized.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneCarriageReturnsCountAsLineBreaks()
    {
        var oldMac = IosConfig.Replace("\n", "\r", StringComparison.Ordinal);

        Assert.Equal(Ios(IosConfig).Text, Ios(oldMac).Text);
    }

    [Fact]
    public void AnsiEscapesAndBackspacesFromATerminalAreRemoved()
    {
        var colored = IosConfig
            .Replace("hostname core-sw1", "\u001b[1;32mhostname core-sw1\u001b[0m", StringComparison.Ordinal)
            .Replace("version 17.9", "\u001b[?25lversion 17.X\b9", StringComparison.Ordinal);

        var result = Ios(colored);

        Assert.Equal(Ios(IosConfig).Text, result.Text);
        Assert.DoesNotContain('\u001b', result.Text);
        Assert.DoesNotContain('\b', result.Text);
    }

    [Fact]
    public void BlankLinesAtBothEndsAreDroppedButInnerBlankLinesKept()
    {
        var result = Ios("\n\n  \nhostname r1\n\ninterface Gi1\nend\n\n\n");

        Assert.Equal("hostname r1\n\ninterface Gi1\nend\n", result.Text);
        Assert.Equal(4, result.LineCount);
    }

    [Fact]
    public void AnIosConfigWithoutItsEndLineIsTruncatedOutput()
    {
        var cut = IosConfig[..IosConfig.IndexOf("ntp server", StringComparison.Ordinal)];

        var ex = Assert.Throws<BackupFailedException>(() => Ios(cut));

        Assert.Equal(FailureKind.TruncatedOutput, ex.Kind);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public void AnIosConfigWhoseEndLineIsFollowedByAFewTrailerLinesIsAccepted()
    {
        var result = Ios(IosConfig + "\ncore-sw1#\n");

        Assert.EndsWith("end\n\ncore-sw1#\n", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("% Invalid input detected at '^' marker.")]
    [InlineData("   % Invalid input detected at '^' marker.")]
    [InlineData("% Incomplete command.")]
    [InlineData("% Unknown command or computer name, or unable to find computer address")]
    public void ADeviceErrorMessageIsCommandRejected(string error)
    {
        var ex = Assert.Throws<BackupFailedException>(() => Ios("show running-confg\n" + error + "\n"));

        Assert.Equal(FailureKind.CommandRejected, ex.Kind);
        Assert.False(ex.IsTransient);
    }

    [Theory]
    [InlineData("syntax error, expecting <command>")]
    [InlineData("\tUnknown command: show")]
    [InlineData("% Ambiguous command:  \"sh\"")]
    public void EveryCommonErrorIsFoundAtALineStartAfterBlanks(string error)
    {
        Assert.Equal(FailureKind.CommandRejected, Assert.Throws<BackupFailedException>(() => Ios(IosConfig.Replace("version 17.9", "version 17.9\n" + error, StringComparison.Ordinal))).Kind);
    }

    [Theory]
    [InlineData(" description syntax error seen on uplink")]
    [InlineData(" description unknown command % Invalid input")]
    [InlineData("banner motd ^C Incomplete command ^C")]
    public void ErrorWordsInsideAConfigLineAreNotAnError(string line)
    {
        var result = Ios(IosConfig.Replace("version 17.9", "version 17.9\n" + line, StringComparison.Ordinal));

        Assert.Contains(line, result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeviceErrorInsideAnOtherwiseCompleteConfigIsStillCommandRejected()
    {
        var withError = IosConfig.Replace("version 17.9", "version 17.9\n% Invalid input detected at '^' marker.", StringComparison.Ordinal);

        Assert.Equal(FailureKind.CommandRejected, Assert.Throws<BackupFailedException>(() => Ios(withError)).Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("   \r\n\t\r\n")]
    [InlineData("Building configuration...\nCurrent configuration : 10 bytes\n")]
    public void AnEmptyOutputIsEmptyConfig(string raw)
    {
        var ex = Assert.Throws<BackupFailedException>(() => Ios(raw));

        Assert.Equal(FailureKind.EmptyConfig, ex.Kind);
    }

    [Fact]
    public void AnEmptyOutputIsEmptyConfigForVendorsWithoutAnEndMarker()
    {
        var ex = Assert.Throws<BackupFailedException>(() => ConfigNormalizer.Normalize("\n", VendorProfiles.JuniperJunos, maskSecrets: true));

        Assert.Equal(FailureKind.EmptyConfig, ex.Kind);
    }

    [Fact]
    public void CustomDeleteAndIgnoreFiltersApplyOnTopOfTheVendorFilters()
    {
        var custom = new CustomFilters(
            [new Regex("^ntp server ", RegexOptions.None, TimeSpan.FromSeconds(1))],
            [new Regex("^ description ", RegexOptions.None, TimeSpan.FromSeconds(1))]);
        var changedDescription = IosConfig.Replace("uplink to core", "uplink to edge", StringComparison.Ordinal);

        var a = Ios(IosConfig, custom: custom);
        var b = Ios(changedDescription, custom: custom);

        Assert.DoesNotContain("ntp server", a.Text, StringComparison.Ordinal);
        Assert.Contains(" description uplink to edge", b.Text, StringComparison.Ordinal);
        Assert.Equal(a.CompareHash, b.CompareHash);
    }

    [Fact]
    public void SecretsAreKeptWhenTheTenantTurnsMaskingOff()
    {
        var raw = IosConfig.Replace("version 17.9", "version 17.9\nenable secret 9 $9$abc$def", StringComparison.Ordinal);

        var unmasked = Ios(raw, mask: false);
        var masked = Ios(raw, mask: true);

        Assert.Contains("enable secret 9 $9$abc$def", unmasked.Text, StringComparison.Ordinal);
        Assert.Equal(0, unmasked.MaskedSecrets);
        Assert.Contains("enable secret 9 <removed>", masked.Text, StringComparison.Ordinal);
        Assert.Equal(1, masked.MaskedSecrets);
    }
}
