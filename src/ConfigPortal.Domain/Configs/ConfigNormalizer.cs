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

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PemPrivateKeyBegin();

    /// <summary>Removes ANSI/VT100 escape sequences (colours, cursor moves) that device CLIs print.</summary>
    public static string StripTerminalEscapes(string text) => AnsiEscape().Replace(text, "");

    public static NormalizedConfig Normalize(string raw, VendorProfile profile, bool maskSecrets, CustomFilters? custom = null) =>
        Normalize(raw, profile, maskSecrets, custom, prefilter: true);

    /// <summary>
    /// <paramref name="prefilter"/> false runs every vendor regex on every line (the reference the prefilter tests compare
    /// against); true skips a regex on a line that cannot match it (<see cref="LinePrefilter"/>, <see cref="MaskPlan"/>).
    /// </summary>
    internal static NormalizedConfig Normalize(string raw, VendorProfile profile, bool maskSecrets, CustomFilters? custom, bool prefilter)
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

        foreach (var error in profile.ErrorPatterns)
        {
            if (IsMatchPatient(error, text))
                throw new BackupFailedException(FailureKind.CommandRejected, $"The device rejected the config command ({profile.DisplayName}).");
        }

        var kept = KeepLines(text, prefilter ? LinePrefilter.For(profile.DeleteFilters) : LinePrefilter.Unfiltered(profile.DeleteFilters), customDelete, ref timedOut);

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
                if (IsMatchPatient(marker, kept[i])) { found = true; break; }
            }
            if (!found)
                throw new BackupFailedException(FailureKind.TruncatedOutput, "The configuration ended before its end marker: the output was cut off.");
        }

        var masked = maskSecrets ? MaskLines(kept, profile.MaskRules, prefilter ? MaskPlan.For(profile.MaskRules) : null) : 0;
        var (stored, compareHash) = StoredAndCompareHash(kept, text.Length,
            prefilter ? LinePrefilter.For(profile.IgnoreFilters) : LinePrefilter.Unfiltered(profile.IgnoreFilters), customIgnore, ref timedOut);
        return new NormalizedConfig(stored, kept.Count, Encoding.UTF8.GetByteCount(stored), compareHash, masked, timedOut);
    }

    /// <summary>
    /// The lines of <paramref name="text"/> (split at \r\n, \r or \n), right-trimmed, minus the vendor's and the
    /// custom delete filters' lines.
    /// </summary>
    private static List<string> KeepLines(string text, LinePrefilter delete, List<Regex> customDelete, ref int timedOut)
    {
        var kept = new List<string>(text.Length / 24 + 16);
        var rest = text.AsSpan();
        while (true)
        {
            var at = rest.IndexOfAny('\r', '\n');
            var raw = at < 0 ? rest : rest[..at];
            var line = raw.TrimEnd().ToString();
            if (!delete.MatchesAny(line) && !MatchesCustom(customDelete, line, ref timedOut))
                kept.Add(line);
            if (at < 0) break;
            rest = rest[(at + (rest[at] == '\r' && at + 1 < rest.Length && rest[at + 1] == '\n' ? 2 : 1))..];
        }
        return kept;
    }

    /// <summary>Masks the secrets of <paramref name="lines"/> in place; returns how many were replaced.</summary>
    private static int MaskLines(List<string> lines, IReadOnlyList<MaskRule> rules, MaskPlan? plan)
    {
        var masked = 0;
        var inKeyBlock = false;
        // FortiOS-style "config a b" ... "end" blocks, innermost last, for rules that apply within one section only.
        List<string>? sections = null;
        foreach (var rule in rules)
            if (rule.Section is not null) sections = [];
        for (var i = 0; i < lines.Count; i++)
        {
            var current = lines[i];
            // A PEM private key spans lines (FortiOS "set private-key"): every line up to its END line is secret.
            if (inKeyBlock)
            {
                if (current.Contains("-----END", StringComparison.Ordinal)) inKeyBlock = false;
                else lines[i] = VendorProfiles.SecretPlaceholder;
                continue;
            }
            if (sections is not null) TrackSection(sections, current);
            // The Contains is implied by the (case-sensitive) regex; it only saves running it on every line.
            inKeyBlock = current.Contains("-----BEGIN ", StringComparison.Ordinal) && PemPrivateKeyBegin().IsMatch(current)
                && !current.Contains("-----END", StringComparison.Ordinal);
            var (line, n) = Mask(current, rules, plan, sections is { Count: > 0 } ? sections[^1] : null);
            lines[i] = line;
            masked += n;
        }
        return masked;
    }

    private static void TrackSection(List<string> sections, string line)
    {
        var t = line.AsSpan().Trim();
        if (t.StartsWith("config ", StringComparison.Ordinal)) sections.Add(t.ToString());
        else if (t.SequenceEqual("end") && sections.Count > 0) sections.RemoveAt(sections.Count - 1);
    }

    /// <summary>The stored text (lines joined with \n) and the hash of its compare view (minus ignore-filter lines).</summary>
    private static (string Stored, string CompareHash) StoredAndCompareHash(List<string> kept, int capacity, LinePrefilter ignore, List<Regex> customIgnore, ref int timedOut)
    {
        var sb = new StringBuilder(capacity);
        StringBuilder? compare = null;
        foreach (var line in kept)
        {
            var ignored = ignore.MatchesAny(line) || MatchesCustom(customIgnore, line, ref timedOut);
            if (ignored && compare is null)
                compare = new StringBuilder(capacity).Append(sb); // the compare view so far equals the stored text so far
            sb.Append(line).Append('\n');
            if (!ignored) compare?.Append(line).Append('\n');
        }
        var stored = sb.ToString();
        return (stored, Hash(compare is null ? stored : compare.ToString()));
    }

    /// <summary>SHA-256 (hex) of a compare view.</summary>
    public static string Hash(string compareView) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(compareView)));

    /// <summary>Whether a stored line is one the vendor (or tenant) says to ignore when comparing.</summary>
    public static bool IsIgnored(string line, VendorProfile profile, CustomFilters? custom = null) =>
        LinePrefilter.For(profile.IgnoreFilters).MatchesAny(line) || (custom is not null && LineFilters.MatchesAny(custom.Ignore, line));

    internal static (string Line, int Count) Mask(string line, IReadOnlyList<MaskRule> rules, MaskPlan? plan = null, string? section = null)
    {
        var count = 0;
        // The prefilter compares keywords ignoring ASCII case only, so it decides ASCII lines only.
        var ascii = plan is not null && Ascii.IsValid(line);
        if (ascii && !plan!.MayMatchAny(line))
            return (line, 0);
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            if (rule.Section is not null && (section is null || !IsMatchPatient(rule.Section, section)))
                continue;
            if (ascii && !plan!.MayMatch(r, line))
                continue;
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
        catch (RegexMatchTimeoutException) { return Patient(regex).Match(input, start); }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Regex, Regex> WithoutTimeout = new();

    /// <summary>
    /// The vendor profiles' own patterns are trusted and linear; their (wall-clock) match timeout can only fire when the
    /// machine starves the thread. Taking that as "no match" would leave a secret unmasked or a volatile line in the hash,
    /// so a timed-out vendor pattern is run again without a timeout. Tenant and device
    /// patterns (user input) keep their timeout (<see cref="MatchesCustom"/>).
    /// </summary>
    internal static Regex Patient(Regex regex) =>
        WithoutTimeout.GetOrAdd(regex, r => new Regex(r.ToString(), r.Options, Regex.InfiniteMatchTimeout));

    internal static bool IsMatchPatient(Regex regex, string input)
    {
        try { return regex.IsMatch(input); }
        catch (RegexMatchTimeoutException) { return Patient(regex).IsMatch(input); }
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
