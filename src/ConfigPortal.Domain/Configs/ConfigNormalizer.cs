using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Backups;

namespace ConfigPortal.Domain.Configs;

/// <summary>A config ready for storage: cleaned, masked, and hashed over its compare view.</summary>
/// <remarks><c>TimedOutFilters</c> counts custom filters that hit their match timeout and were dropped for this config.</remarks>
public sealed record NormalizedConfig(string Text, int LineCount, int SizeBytes, string CompareHash, int MaskedSecrets, int TimedOutFilters = 0);

/// <summary>Extra filters a tenant or device adds on top of its vendor's.</summary>
public sealed record CustomFilters(IReadOnlyList<Regex> Delete, IReadOnlyList<Regex> Ignore)
{
    public static readonly CustomFilters None = new([], []);
}

/// <summary>
/// The normalize → mask → compare-view → hash steps of the pipeline, as pure functions.
/// Throws <see cref="BackupFailedException"/> when the output is not a whole config.
/// </summary>
public static partial class ConfigNormalizer
{
    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]|\x1B[()][A-Za-z0-9]|\x1B[=>]", RegexOptions.CultureInvariant)]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"\r\n|\r|\n", RegexOptions.CultureInvariant)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PemPrivateKeyBegin();

    /// <summary>Removes ANSI/VT100 escape sequences (colours, cursor moves) that device CLIs print.</summary>
    public static string StripTerminalEscapes(string text) => AnsiEscape().Replace(text, "");

    public static NormalizedConfig Normalize(string raw, VendorProfile profile, bool maskSecrets, CustomFilters? custom = null)
    {
        custom ??= CustomFilters.None;
        ArgumentNullException.ThrowIfNull(raw);
        // Custom (tenant/device) filters are user input: one that times out is dropped for the rest of this config,
        // so a catastrophic pattern costs at most one match timeout per filter, not one per line.
        var customDelete = custom.Delete.ToList();
        var customIgnore = custom.Ignore.ToList();
        var timedOut = 0;

        var text = StripTerminalEscapes(raw);
        text = ApplyBackspaces(text);
        var lines = LineBreak().Split(text);

        foreach (var error in profile.ErrorPatterns)
        {
            if (error.IsMatch(text))
                throw new BackupFailedException(FailureKind.CommandRejected, $"The device rejected the config command ({profile.DisplayName}).");
        }

        var kept = new List<string>(lines.Length);
        foreach (var rawLine in lines)
        {
            var line = rawLine.TrimEnd();
            if (MatchesAny(profile.DeleteFilters, line) || MatchesCustom(customDelete, line, ref timedOut))
                continue;
            kept.Add(line);
        }

        // Drop blank lines at both ends.
        var start = 0;
        while (start < kept.Count && kept[start].Length == 0) start++;
        var end = kept.Count;
        while (end > start && kept[end - 1].Length == 0) end--;
        if (end - start == 0)
            throw new BackupFailedException(FailureKind.EmptyConfig, "The device returned an empty configuration.");
        kept = kept.GetRange(start, end - start);

        if (profile.EndMarker is { } marker)
        {
            var found = false;
            for (var i = kept.Count - 1; i >= Math.Max(0, kept.Count - 5); i--)
            {
                if (marker.IsMatch(kept[i])) { found = true; break; }
            }
            if (!found)
                throw new BackupFailedException(FailureKind.TruncatedOutput, "The configuration ended before its end marker: the output was cut off.");
        }

        var masked = 0;
        if (maskSecrets)
        {
            var inKeyBlock = false;
            for (var i = 0; i < kept.Count; i++)
            {
                // A PEM private key spans lines (FortiOS "set private-key"): every line up to its END line is secret.
                if (inKeyBlock)
                {
                    if (kept[i].Contains("-----END", StringComparison.Ordinal)) inKeyBlock = false;
                    else kept[i] = VendorProfiles.SecretPlaceholder;
                    continue;
                }
                inKeyBlock = PemPrivateKeyBegin().IsMatch(kept[i]) && !kept[i].Contains("-----END", StringComparison.Ordinal);
                var (line, n) = Mask(kept[i], profile.MaskRules);
                kept[i] = line;
                masked += n;
            }
        }

        var sb = new StringBuilder(text.Length);
        var compare = new StringBuilder(text.Length);
        foreach (var line in kept)
        {
            sb.Append(line).Append('\n');
            if (!MatchesAny(profile.IgnoreFilters, line) && !MatchesCustom(customIgnore, line, ref timedOut))
                compare.Append(line).Append('\n');
        }
        var stored = sb.ToString();
        return new NormalizedConfig(stored, kept.Count, Encoding.UTF8.GetByteCount(stored), Hash(compare.ToString()), masked, timedOut);
    }

    /// <summary>SHA-256 (hex) of a compare view.</summary>
    public static string Hash(string compareView) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(compareView)));

    /// <summary>Whether a stored line is one the vendor (or tenant) says to ignore when comparing.</summary>
    public static bool IsIgnored(string line, VendorProfile profile, CustomFilters? custom = null) =>
        MatchesAny(profile.IgnoreFilters, line) || (custom is not null && MatchesAny(custom.Ignore, line));

    internal static (string Line, int Count) Mask(string line, IReadOnlyList<MaskRule> rules)
    {
        var count = 0;
        foreach (var rule in rules)
        {
            var m = SafeMatch(rule.Pattern, line);
            while (m is { Success: true })
            {
                var g = m.Groups["secret"];
                if (!g.Success || g.Value == VendorProfiles.SecretPlaceholder)
                {
                    m = m.NextMatch();
                    continue;
                }
                line = string.Concat(line.AsSpan(0, g.Index), VendorProfiles.SecretPlaceholder, line.AsSpan(g.Index + g.Length));
                count++;
                m = SafeMatch(rule.Pattern, line, g.Index + VendorProfiles.SecretPlaceholder.Length);
            }
        }
        return (line, count);
    }

    private static Match? SafeMatch(Regex regex, string input, int start = 0)
    {
        if (start > input.Length) return null;
        try { return regex.Match(input, start); }
        catch (RegexMatchTimeoutException) { return null; }
    }

    private static bool MatchesCustom(List<Regex> filters, string line, ref int timedOut)
    {
        for (var i = 0; i < filters.Count; i++)
        {
            try
            {
                if (filters[i].IsMatch(line)) return true;
            }
            catch (RegexMatchTimeoutException)
            {
                filters.RemoveAt(i--);
                timedOut++;
            }
        }
        return false;
    }

    private static bool MatchesAny(IReadOnlyList<Regex> filters, string line)
    {
        foreach (var f in filters)
        {
            try
            {
                if (f.IsMatch(line)) return true;
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological custom pattern must not stall collection; treat as no match.
            }
        }
        return false;
    }

    private static string ApplyBackspaces(string text)
    {
        if (!text.Contains('\b', StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\b') { if (sb.Length > 0) sb.Length--; }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
