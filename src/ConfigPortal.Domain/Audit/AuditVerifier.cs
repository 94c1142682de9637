using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Audit;

/// <summary>The result of walking a tenant's chain (from <see cref="FirstSequence"/>: 1, or the first entry kept by retention).</summary>
public sealed record ChainVerification(
    bool Intact,
    long EntriesChecked,
    long VerifiedUpTo,
    long? FirstBrokenSequence,
    string? Problem,
    long HeadSequence,
    string HeadHash,
    DateTime VerifiedAtUtc,
    long FirstSequence = 1);

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
            Details = new { intact = result.Intact, entriesChecked = result.EntriesChecked, firstSequence = result.FirstSequence, verifiedUpTo = result.VerifiedUpTo, firstBrokenSequence = result.FirstBrokenSequence, problem = result.Problem, headSequence = result.HeadSequence, headHash = result.HeadHash },
        }, ct);
        return result;
    }

    /// <summary>
    /// Verification without authorization or audit, for the platform and for tests. A chain trimmed by retention starts
    /// at its first remaining entry, which must link to the range named by the latest
    /// <see cref="AuditActions.AuditRetentionApplied"/> checkpoint (itself an entry of the chain, so its content is
    /// verified by the same walk).
    /// </summary>
    public async Task<ChainVerification> VerifyTenantAsync(int tenantId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        var head = await db.AuditChainHeads.AsNoTracking().FirstOrDefaultAsync(h => h.TenantId == tenantId, ct);
        var checkpointDetails = await db.AuditEntries.AsNoTracking().OfTenant(tenantId)
            .Where(e => e.Action == AuditActions.AuditRetentionApplied)
            .OrderByDescending(e => e.Sequence).Select(e => e.DetailsJson).FirstOrDefaultAsync(ct);
        var checkpoint = RetentionCheckpoint.TryParse(checkpointDetails);

        long expected = 1;
        long firstSequence = 1;
        var previousHash = AuditHasher.GenesisHash;
        long checkedCount = 0;
        var first = true;
        // The walk checks order and links as it reads; the hashes of each batch of entries are checked on another
        // thread meanwhile (one batch after the other, so one hash session does them all): reading and hashing overlap.
        var hashing = new BatchedHashCheck(hasher);
        var batch = new List<AuditEntry>(BatchedHashCheck.BatchSize);
        (long Sequence, long Checked, long Expected, string Problem)? linkProblem = null;
        try
        {
            await foreach (var e in AuditChainReader.ReadAsync(db, tenantId, long.MaxValue, ct))
            {
                if (first)
                {
                    first = false;
                    if (e.Sequence > 1 && checkpoint is not null && e.Sequence > checkpoint.LastSequence)
                    {
                        // Trimmed by retention: the chain continues after the removed range, from its last hash.
                        expected = firstSequence = checkpoint.LastSequence + 1;
                        previousHash = checkpoint.LastHash;
                    }
                }
                string? problem = null;
                if (e.Sequence != expected)
                    problem = e.Sequence > expected
                        ? $"Entry {expected} is missing (the next entry found is {e.Sequence})."
                        : $"Entry {e.Sequence} appears twice or out of order.";
                else if (e.PreviousHash != previousHash)
                    problem = checkedCount == 0 && firstSequence > 1
                        ? $"Entry {e.Sequence} does not link to the range {checkpoint!.FirstSequence}–{checkpoint.LastSequence} that retention removed: entries were removed or replaced."
                        : $"Entry {e.Sequence} does not link to entry {expected - 1}: entries were removed, replaced or reordered.";
                if (problem is not null)
                {
                    linkProblem = (Math.Min(expected, e.Sequence), checkedCount, expected, problem);
                    break;
                }
                batch.Add(e);
                if (batch.Count == BatchedHashCheck.BatchSize)
                {
                    hashing.Add(batch);
                    batch = new List<AuditEntry>(BatchedHashCheck.BatchSize);
                }
                previousHash = e.Hash;
                expected++;
                checkedCount++;
            }
            hashing.Add(batch);
        }
        finally
        {
            await hashing.DisposeAsync();
        }

        // The first problem in chain order: a changed entry the hashing found before the walk's first order or link problem.
        if (await hashing.FirstChangedAsync() is { } changed && (linkProblem is null || changed < linkProblem.Value.Sequence))
            return new ChainVerification(false, changed - firstSequence, changed - 1, changed,
                $"Entry {changed} was changed after it was written (its hash does not match its content).", head?.LastSequence ?? 0, head?.LastHash ?? "", Now(), firstSequence);
        if (linkProblem is { } link)
            return new ChainVerification(false, link.Checked, link.Expected - 1, link.Sequence, link.Problem, head?.LastSequence ?? 0, head?.LastHash ?? "", Now(), firstSequence);
        var last = expected - 1;
        if (head is not null && head.LastSequence > last)
            return new ChainVerification(false, checkedCount, last, last + 1, $"Entries {last + 1}–{head.LastSequence} were cut off the end of the chain.", head.LastSequence, head.LastHash, Now(), firstSequence);
        if (head is not null && head.LastSequence == last && head.LastHash != previousHash)
            return new ChainVerification(false, checkedCount, last - 1, last, $"Entry {last} does not match the chain head.", head.LastSequence, head.LastHash, Now(), firstSequence);
        return new ChainVerification(true, checkedCount, last, null, null, last, previousHash, Now(), firstSequence);
    }

    /// <summary>
    /// Checks the hashes of batches of entries on a thread-pool thread, one batch after the other (one hash session, not
    /// thread-safe, serves them all), and remembers the first entry whose hash does not match; later batches are skipped.
    /// </summary>
    private sealed class BatchedHashCheck(AuditHasher hasher) : IAsyncDisposable
    {
        public const int BatchSize = 1024;
        private readonly AuditHasher.HashSession _session = hasher.CreateSession();
        private Task<long?> _tail = Task.FromResult<long?>(null);

        public void Add(List<AuditEntry> batch)
        {
            if (batch.Count == 0) return;
            var previous = _tail;
            // Not ExecuteSynchronously: a continuation of a finished task would then run on the reading thread.
            _tail = previous.ContinueWith(t => t.Result ?? FirstChanged(batch), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default);
        }

        private long? FirstChanged(List<AuditEntry> batch)
        {
            foreach (var e in batch)
                if (!_session.Matches(e)) return e.Sequence;
            return null;
        }

        public Task<long?> FirstChangedAsync() => _tail;

        public async ValueTask DisposeAsync()
        {
            await ((Task)_tail).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _session.Dispose();
        }
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
