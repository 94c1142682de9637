using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Audit;

/// <summary>The result of walking a tenant's chain.</summary>
public sealed record ChainVerification(
    bool Intact,
    long EntriesChecked,
    long VerifiedUpTo,
    long? FirstBrokenSequence,
    string? Problem,
    long HeadSequence,
    string HeadHash,
    DateTime VerifiedAtUtc);

/// <summary>
/// Walks a tenant's audit chain in sequence order and names the first broken entry: a changed entry (its hash no longer
/// matches), a missing entry (a gap in the sequence), a broken link (reordered or replaced entries), or entries cut off
/// the end (the chain head says there were more).
/// </summary>
public sealed class AuditVerifier(IPortalDbFactory dbFactory, TenantAccess access, AuditHasher hasher, IAuditService audit, TimeProvider clock)
{
    public async Task<ChainVerification> VerifyAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ViewAudit, "verify the audit log", ct);
        var result = await VerifyTenantAsync(grant.TenantId, ct);
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = grant.TenantId,
            Action = AuditActions.AuditIntegrityVerified,
            ResourceType = "audit_chain",
            ResourceId = grant.TenantId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Outcome = result.Intact ? AuditOutcome.Success : AuditOutcome.Failure,
            Details = new { intact = result.Intact, entriesChecked = result.EntriesChecked, verifiedUpTo = result.VerifiedUpTo, firstBrokenSequence = result.FirstBrokenSequence, problem = result.Problem, headSequence = result.HeadSequence, headHash = result.HeadHash },
        }, ct);
        return result;
    }

    /// <summary>Verification without authorization or audit, for the platform and for tests.</summary>
    public async Task<ChainVerification> VerifyTenantAsync(int tenantId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        var head = await db.AuditChainHeads.AsNoTracking().FirstOrDefaultAsync(h => h.TenantId == tenantId, ct);
        long expected = 1;
        var previousHash = AuditHasher.GenesisHash;
        long checkedCount = 0;
        var entries = db.AuditEntries.AsNoTracking().OfTenant(tenantId).OrderBy(e => e.Sequence).AsAsyncEnumerable();
        await foreach (var e in entries.WithCancellation(ct))
        {
            string? problem = null;
            if (e.Sequence != expected)
                problem = e.Sequence > expected
                    ? $"Entry {expected} is missing (the next entry found is {e.Sequence})."
                    : $"Entry {e.Sequence} appears twice or out of order.";
            else if (e.PreviousHash != previousHash)
                problem = $"Entry {e.Sequence} does not link to entry {expected - 1}: entries were removed, replaced or reordered.";
            else if (hasher.ComputeHash(e) != e.Hash)
                problem = $"Entry {e.Sequence} was changed after it was written (its hash does not match its content).";

            if (problem is not null)
                return new ChainVerification(false, checkedCount, expected - 1, Math.Min(expected, e.Sequence), problem, head?.LastSequence ?? 0, head?.LastHash ?? "", Now());
            previousHash = e.Hash;
            expected++;
            checkedCount++;
        }
        var last = expected - 1;
        if (head is not null && head.LastSequence > last)
            return new ChainVerification(false, checkedCount, last, last + 1, $"Entries {last + 1}–{head.LastSequence} were cut off the end of the chain.", head.LastSequence, head.LastHash, Now());
        if (head is not null && head.LastSequence == last && head.LastHash != previousHash)
            return new ChainVerification(false, checkedCount, last - 1, last, $"Entry {last} does not match the chain head.", head.LastSequence, head.LastHash, Now());
        return new ChainVerification(true, checkedCount, last, null, null, last, previousHash, Now());
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}

internal static class AuditQueryableExtensions
{
    /// <summary>
    /// Audit entries of one tenant. The context's filter already restricts to the scope's tenant; this adds the explicit
    /// tenant so that a verification never mixes chains.
    /// </summary>
    public static IQueryable<AuditEntry> OfTenant(this IQueryable<AuditEntry> q, int tenantId) =>
        q.Where(e => e.TenantId == tenantId);
}
