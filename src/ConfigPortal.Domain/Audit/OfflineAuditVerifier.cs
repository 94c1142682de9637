using System.Globalization;
using System.Text.Json;

namespace ConfigPortal.Domain.Audit;

/// <summary>The result of checking an exported file: where the chain is intact up to and, when not, the first broken sequence.</summary>
public sealed record OfflineVerification(
    bool Intact,
    long EntriesChecked,
    long VerifiedUpTo,
    long? FirstBrokenSequence,
    string? Problem,
    int? TenantId,
    bool HeadChecked,
    long FirstSequence = 1);

/// <summary>
/// Verifies a JSON Lines export of a whole tenant chain (no filter) without the database: re-hashes every entry with the
/// chain key, checks the sequence is gapless from 1 (or, for a chain trimmed by retention, from the first kept entry,
/// which must link to the range named by the file's latest <see cref="AuditActions.AuditRetentionApplied"/> checkpoint)
/// and every entry links to the one before, and, given a signed head
/// exported earlier, that the export still reaches that head with the same hash (a cut tail is caught even when the
/// database's own head row was rewritten as well).
/// </summary>
public static class OfflineAuditVerifier
{
    public static async Task<OfflineVerification> VerifyAsync(TextReader jsonLines, AuditHasher hasher, SignedChainHead? head = null, CancellationToken ct = default)
    {
        if (head is not null)
        {
            if (head.Format != SignedChainHead.FormatName)
                return Broken(0, 0, null, $"The head file's format '{head.Format}' is not {SignedChainHead.FormatName}.", null, true);
            if (!hasher.IsAuthentic(head))
                return Broken(0, 0, null, "The head file's signature does not match this key: it was changed or signed with another key.", null, true);
        }

        long expected = 1;
        long checkedCount = 0;
        var previousHash = AuditHasher.GenesisHash;
        int? tenantId = null;
        long lineNumber = 0;
        // A trimmed chain: the first entry is taken as the start provisionally; the latest retention checkpoint in the
        // file must name the range that ends just before it, with the hash it links to.
        long firstSequence = 1;
        string? firstPreviousHash = null;
        RetentionCheckpoint? latestCheckpoint = null;
        using var hashing = hasher.CreateSession();
        while (await jsonLines.ReadLineAsync(ct) is { } text)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
                continue;
            AuditExportLine? line;
            try
            {
                line = JsonSerializer.Deserialize<AuditExportLine>(text, AuditExportService.JsonOptions);
            }
            catch (JsonException)
            {
                line = null;
            }
            if (line is null || line.ActorName is null || line.Action is null || line.Hash is null || line.PreviousHash is null || line.DetailsJson is null)
                return Broken(checkedCount, expected - 1, expected, $"Line {lineNumber} is not an audit entry.", tenantId, head is not null);

            if (tenantId is null && line.Sequence > 1)
            {
                expected = firstSequence = line.Sequence;
                previousHash = firstPreviousHash = line.PreviousHash;
            }
            tenantId ??= line.TenantId;
            string? problem = null;
            if (line.TenantId != tenantId)
                problem = $"Entry {line.Sequence} belongs to tenant {line.TenantId}, not {tenantId}: the file mixes chains.";
            else if (line.Sequence != expected)
                problem = line.Sequence > expected
                    ? $"Entry {expected} is missing (the next entry found is {line.Sequence})."
                    : $"Entry {line.Sequence} appears twice or out of order.";
            else if (line.PreviousHash != previousHash)
                problem = $"Entry {line.Sequence} does not link to entry {expected - 1}: entries were removed, replaced or reordered.";
            else if (!hashing.Matches(line.ToEntry()))
                problem = $"Entry {line.Sequence} was changed after it was written (its hash does not match its content).";
            else if (head is not null && line.Sequence == head.Sequence && line.Hash != head.Hash)
                problem = $"Entry {line.Sequence} does not match the signed head of {Time(head)}: the chain was rewritten from there.";
            if (problem is not null)
                return Broken(checkedCount, expected - 1, Math.Min(expected, line.Sequence), problem, tenantId, head is not null, firstSequence);

            if (line.Action == AuditActions.AuditRetentionApplied && RetentionCheckpoint.TryParse(line.DetailsJson) is { } cp)
                latestCheckpoint = cp;
            previousHash = line.Hash;
            expected++;
            checkedCount++;
        }

        var last = expected - 1;
        if (firstSequence > 1)
        {
            if (latestCheckpoint is null)
                return Broken(checkedCount, last, 1, $"Entries 1–{firstSequence - 1} are missing and no retention checkpoint in the file accounts for them.", tenantId, head is not null, firstSequence);
            if (latestCheckpoint.LastSequence != firstSequence - 1 || latestCheckpoint.LastHash != firstPreviousHash)
                return Broken(checkedCount, last, Math.Min(latestCheckpoint.LastSequence + 1, firstSequence),
                    $"The file starts at entry {firstSequence}, but the latest retention checkpoint removed entries {latestCheckpoint.FirstSequence}–{latestCheckpoint.LastSequence}"
                    + (latestCheckpoint.LastSequence == firstSequence - 1 ? " ending in another hash: entries were removed or replaced." : ": entries were removed."), tenantId, head is not null, firstSequence);
        }
        if (head is not null)
        {
            if (tenantId is { } t && t != head.TenantId)
                return Broken(checkedCount, last, null, $"The head file is for tenant {head.TenantId}, the export for tenant {t}.", tenantId, true);
            if (last < head.Sequence)
                return Broken(checkedCount, last, last + 1,
                    $"Entries {last + 1}–{head.Sequence} were cut off the end: the signed head of {Time(head)} says the chain reached {head.Sequence}.", tenantId, true);
        }
        return new OfflineVerification(true, checkedCount, last, null, null, tenantId, head is not null, firstSequence);
    }

    /// <summary>Reads a key file the way the portal does: base64 of 32 or more bytes.</summary>
    public static byte[] ReadKeyFile(string path)
    {
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        if (key.Length < 32) throw new InvalidDataException("The audit chain key must be at least 32 bytes.");
        return key;
    }

    private static string Time(SignedChainHead head) => head.VerifiedAtUtc.ToString("u", CultureInfo.InvariantCulture);

    private static OfflineVerification Broken(long checkedCount, long upTo, long? first, string problem, int? tenantId, bool headChecked, long firstSequence = 1) =>
        new(false, checkedCount, upTo, first, problem, tenantId, headChecked, firstSequence);
}
