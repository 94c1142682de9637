using ConfigPortal.Domain.Audit;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>
/// Someone with database access (raw SQL, no chain key) changes the trail; the verifier names the first broken sequence,
/// in the database and offline on a JSON Lines export.
/// </summary>
public sealed class TamperTests
{
    private const int Tenant = 7;

    private static async Task<AuditTestDatabase> ChainOf(int entries)
    {
        var db = await AuditTestDatabase.CreateAsync();
        await db.AppendAsync(Tenant, entries);
        var before = await db.VerifyInDatabaseAsync(Tenant);
        Assert.True(before.Intact, before.Problem);
        Assert.Equal(entries, before.VerifiedUpTo);
        return db;
    }

    [Fact]
    public async Task An_untouched_chain_verifies_in_the_database_and_offline()
    {
        await using var db = await ChainOf(25);

        var offline = await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines));

        Assert.True(offline.Intact, offline.Problem);
        Assert.Equal(25, offline.VerifiedUpTo);
        Assert.Equal(Tenant, offline.TenantId);
    }

    [Fact]
    public async Task Changing_one_entrys_details_is_named_at_that_sequence()
    {
        await using var db = await ChainOf(10);

        await db.SqlAsync("UPDATE AuditEntries SET DetailsJson = '{\"i\":5,\"changes\":{}}' WHERE TenantId = $t AND Sequence = 5", ("$t", Tenant));

        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(v.Intact);
        Assert.Equal(5, v.FirstBrokenSequence);
        Assert.Equal(4, v.VerifiedUpTo);
        Assert.Contains("changed", v.Problem, StringComparison.Ordinal);

        var offline = await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines));
        Assert.False(offline.Intact);
        Assert.Equal(5, offline.FirstBrokenSequence);
        Assert.Contains("changed", offline.Problem, StringComparison.Ordinal);
    }

    [Theory]
    // The verifier hashes batches of 1,024 entries on another thread while it reads on: whichever problem comes first in
    // the chain is named, whether the hash check or the walk's order check finds it, and whatever batch it sits in.
    [InlineData(30, 2000, "changed")]   // a changed entry in the first batch, a deleted one in the second
    [InlineData(1500, 40, "missing")]   // a deleted entry in the first batch, a changed one in the second
    [InlineData(1030, 1029, "missing")] // both in the second batch, the deleted one first
    public async Task The_first_problem_in_chain_order_is_named_across_hashing_batches(int changed, int deleted, string expected)
    {
        await using var db = await ChainOf(2100);

        await db.SqlAsync("UPDATE AuditEntries SET DetailsJson = '{\"tampered\":true}' WHERE TenantId = $t AND Sequence = $s", ("$t", Tenant), ("$s", changed));
        Assert.Equal(1, await db.SqlAsync("DELETE FROM AuditEntries WHERE TenantId = $t AND Sequence = $s", ("$t", Tenant), ("$s", deleted)));

        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(v.Intact);
        Assert.Equal(Math.Min(changed, deleted), v.FirstBrokenSequence);
        Assert.Equal(Math.Min(changed, deleted) - 1, v.VerifiedUpTo);
        Assert.Contains(expected, v.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_middle_entry_is_named_as_missing()
    {
        await using var db = await ChainOf(10);

        Assert.Equal(1, await db.SqlAsync("DELETE FROM AuditEntries WHERE TenantId = $t AND Sequence = 6", ("$t", Tenant)));

        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(v.Intact);
        Assert.Equal(6, v.FirstBrokenSequence);
        Assert.Contains("missing", v.Problem, StringComparison.Ordinal);

        var offline = await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines));
        Assert.Equal(6, offline.FirstBrokenSequence);
        Assert.Contains("missing", offline.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swapping_two_entries_sequence_numbers_is_named_at_the_first_of_them()
    {
        await using var db = await ChainOf(10);

        // Three steps around the unique (TenantId, Sequence) index.
        await db.SqlAsync("UPDATE AuditEntries SET Sequence = -4 WHERE TenantId = $t AND Sequence = 4", ("$t", Tenant));
        await db.SqlAsync("UPDATE AuditEntries SET Sequence = 4 WHERE TenantId = $t AND Sequence = 7", ("$t", Tenant));
        await db.SqlAsync("UPDATE AuditEntries SET Sequence = 7 WHERE TenantId = $t AND Sequence = -4", ("$t", Tenant));

        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(v.Intact);
        Assert.Equal(4, v.FirstBrokenSequence);
        Assert.Equal(3, v.VerifiedUpTo);

        var offline = await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines));
        Assert.Equal(4, offline.FirstBrokenSequence);
    }

    [Fact]
    public async Task Cutting_the_tail_is_caught_by_the_head_row_and_offline_against_the_signed_head_even_when_the_head_row_is_rewritten()
    {
        await using var db = await ChainOf(10);
        // The auditor keeps a signed head: sequence 10 (verification and the head export then append 11 and 12).
        var head = await db.SignedHeadAsync(Tenant);
        Assert.Equal(10, head.Sequence);

        // The attacker removes everything from 9 on.
        Assert.Equal(4, await db.SqlAsync("DELETE FROM AuditEntries WHERE TenantId = $t AND Sequence >= 9", ("$t", Tenant)));
        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.False(v.Intact);
        Assert.Equal(9, v.FirstBrokenSequence);
        Assert.Contains("cut off", v.Problem, StringComparison.Ordinal);

        // ... and rewrites the head row to the new last entry: the database alone now looks whole.
        await db.SqlAsync("UPDATE AuditChainHeads SET LastSequence = 8, LastHash = (SELECT Hash FROM AuditEntries WHERE TenantId = $t AND Sequence = 8) WHERE TenantId = $t", ("$t", Tenant));
        Assert.True((await db.VerifyInDatabaseAsync(Tenant)).Intact);

        // The signed head the auditor kept still catches it.
        var export = await db.ExportAsync(Tenant, AuditExportFormat.JsonLines);
        var offline = await db.VerifyOfflineAsync(export, head);
        Assert.False(offline.Intact);
        Assert.Equal(9, offline.FirstBrokenSequence);
        Assert.Equal(8, offline.VerifiedUpTo);
        Assert.Contains("cut off", offline.Problem, StringComparison.Ordinal);

        // Without the head the same export looks whole: the head is what proves completeness.
        Assert.True((await db.VerifyOfflineAsync(export)).Intact);
    }

    [Fact]
    public async Task A_signed_head_whose_sequence_was_edited_is_rejected()
    {
        await using var db = await ChainOf(5);
        var head = await db.SignedHeadAsync(Tenant);

        var forged = head with { Sequence = 3 };
        var offline = await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines), forged);

        Assert.False(offline.Intact);
        Assert.Contains("signature", offline.Problem, StringComparison.Ordinal);
        Assert.True((await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines), head)).Intact);
    }

    [Fact]
    public async Task An_edit_of_the_exported_file_is_named_offline()
    {
        await using var db = await ChainOf(6);
        var lines = System.Text.Encoding.UTF8.GetString(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines)).Split('\n');

        lines[2] = lines[2].Replace("\"actorName\":\"system\"", "\"actorName\":\"someone-else\"", StringComparison.Ordinal);

        var offline = await db.VerifyOfflineAsync(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        Assert.Equal(3, offline.FirstBrokenSequence);
    }
}
