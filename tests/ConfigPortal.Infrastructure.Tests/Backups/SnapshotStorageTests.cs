using System.IO.Compression;
using System.Text;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Diffing;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Backups;

/// <summary>Snapshot content stored as zstd keyframes and deltas (ADR-006), through the real pipeline on SQLite.</summary>
public sealed class SnapshotStorageTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private async Task<(int DeviceId, List<Snapshot> Snapshots)> DriftingDeviceAsync(string name, int backups)
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, name, SimulatorBehavior.Drifting);
        for (var i = 0; i < backups; i++)
        {
            var run = await Portal.BackupAsync(Acme, deviceId);
            Assert.Equal(RunOutcome.Created, run.Outcome);
        }
        var snapshots = await Portal.QueryAsync(Acme, db => db.Snapshots.AsNoTracking().Where(s => s.DeviceId == deviceId).OrderBy(s => s.Id).ToListAsync());
        return (deviceId, snapshots);
    }

    private Task<List<SnapshotContent>> ContentsAsync(IEnumerable<long> ids) =>
        Portal.QueryAsync(Acme, db => db.SnapshotContents.AsNoTracking().Where(c => ids.Contains(c.SnapshotId)).OrderBy(c => c.SnapshotId).ToListAsync());

    private Task<string> TextAsync(long snapshotId) => Portal.QueryAsync(Acme, db => SnapshotContentStore.LoadTextAsync(db, snapshotId));

    [Fact]
    public async Task NewVersionsAreStoredAsDeltasAgainstAFullCopyAndEveryVersionDecodesExactly()
    {
        var (_, snapshots) = await DriftingDeviceAsync("storage-chain-sw", 12);
        var contents = await ContentsAsync(snapshots.Select(s => s.Id));
        Assert.Equal(12, contents.Count);
        Assert.Equal(ContentEncoding.Zstd, contents[0].Encoding);
        Assert.Null(contents[0].BaseSnapshotId);
        Assert.Contains(contents, c => c.Encoding == ContentEncoding.ZstdDelta);
        var byId = contents.ToDictionary(c => c.SnapshotId);
        foreach (var delta in contents.Where(c => c.Encoding == ContentEncoding.ZstdDelta))
        {
            // Two steps at most: the base is a full copy of the same device.
            var b = byId[Assert.NotNull(delta.BaseSnapshotId)];
            Assert.NotEqual(ContentEncoding.ZstdDelta, b.Encoding);
            Assert.True(delta.Data.Length < b.Data.Length, $"delta {delta.Data.Length} B against keyframe {b.Data.Length} B");
        }

        // Every decoded version reproduces the diffs the pipeline stored when it was created.
        var texts = new List<string>();
        foreach (var s in snapshots) texts.Add(await TextAsync(s.Id));
        var diffs = await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.AsNoTracking()
            .Where(d => snapshots.Select(s => s.Id).Contains(d.ToSnapshotId)).OrderBy(d => d.ToSnapshotId).ToListAsync());
        Assert.Equal(11, diffs.Count);
        for (var i = 1; i < texts.Count; i++)
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(texts[i]), snapshots[i].SizeBytes);
            Assert.Equal(diffs[i - 1].UnifiedDiff, UnifiedDiff.Write(LineDiffer.Diff(texts[i - 1], texts[i]), "a/storage-chain-sw", "b/storage-chain-sw"));
        }

        // Reading many at once (two queries, each keyframe decoded once) gives the same texts.
        var batch = await Portal.QueryAsync(Acme, db => SnapshotContentStore.LoadTextsAsync(db, [.. snapshots.Select(s => s.Id).Reverse()]));
        Assert.Equal(texts, snapshots.Select(s => batch[s.Id]));
        var lastOnly = await Portal.QueryAsync(Acme, db => SnapshotContentStore.LoadTextsAsync(db, [snapshots[^1].Id]));
        Assert.Equal(texts[^1], lastOnly[snapshots[^1].Id]);

        // The pages' path (SnapshotService) reads the same text.
        await using var scope = Portal.ScopeAs(Acme, "operator@acme.example");
        var service = scope.ServiceProvider.GetRequiredService<SnapshotService>();
        Assert.Equal(texts[^1], (await service.GetTextAsync(snapshots[^1].Id)).Text);
        var cmp = await service.CompareAsync(snapshots[0].DeviceId, snapshots[3].Id, snapshots[9].Id);
        Assert.NotNull(cmp);
        Assert.True(cmp.Diff.HasChanges);
    }

    /// <summary>
    /// The keyframe group a delta joins is counted in memory when the previous snapshot is in the text cache, and by a
    /// query when it is not (ADR-016). Backups alternate between the two (the cache is cleared before every third), and
    /// every stored row must be what the rule decides on the rows stored before it: each delta fits its group as
    /// stored, and each later keyframe was started because the delta would not have.
    /// </summary>
    [Fact]
    public async Task KeyframeDecisionsFromTheCachedGroupMatchTheStoredRows()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "storage-group-sw", SimulatorBehavior.Drifting);
        var cache = Portal.Services.GetRequiredService<SnapshotTextCache>();
        for (var i = 0; i < 45; i++)
        {
            if (i % 3 == 2) cache.Clear();
            Assert.Equal(RunOutcome.Created, (await Portal.BackupAsync(Acme, deviceId)).Outcome);
        }
        var snapshots = await Portal.QueryAsync(Acme, db => db.Snapshots.AsNoTracking().Where(s => s.DeviceId == deviceId).OrderBy(s => s.Id).ToListAsync());
        var contents = await ContentsAsync(snapshots.Select(s => s.Id));
        Assert.Equal(45, contents.Count);
        Assert.Contains(contents, c => c.Encoding == ContentEncoding.ZstdDelta);

        var keyframe = contents[0];
        Assert.Null(keyframe.BaseSnapshotId);
        for (var k = 1; k < contents.Count; k++)
        {
            var row = contents[k];
            var group = contents.Take(k).Where(c => c.BaseSnapshotId == keyframe.SnapshotId).ToList();
            if (row.BaseSnapshotId is { } baseId)
            {
                Assert.Equal(keyframe.SnapshotId, baseId);
                Assert.True(SnapshotContentStore.KeepDelta(row.Data.Length, keyframe.Data.Length, group.Count, group.Sum(c => (long)c.Data.Length)),
                    $"snapshot {row.SnapshotId}: a delta of {row.Data.Length} B joined a group it does not fit");
            }
            else
            {
                var wouldBe = ContentCodec.EncodeDelta(await TextAsync(row.SnapshotId), await TextAsync(keyframe.SnapshotId));
                Assert.False(SnapshotContentStore.KeepDelta(wouldBe.Length, keyframe.Data.Length, group.Count, group.Sum(c => (long)c.Data.Length)),
                    $"snapshot {row.SnapshotId} started a keyframe although its delta fitted the group");
                keyframe = row;
            }
        }
    }

    [Fact]
    public async Task ARowWrittenBeforeZstdStillDecodesAndServesAsTheNextKeyframe()
    {
        var (deviceId, snapshots) = await DriftingDeviceAsync("storage-legacy-sw", 2);
        var latest = snapshots[^1];
        var text = await TextAsync(latest.Id);
        using (var ms = new MemoryStream())
        {
            using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(Encoding.UTF8.GetBytes(text));
            var deflated = ms.ToArray();
            await Portal.QueryAsync(Acme, async db =>
            {
                var row = await db.SnapshotContents.SingleAsync(c => c.SnapshotId == latest.Id);
                row.Encoding = ContentEncoding.Deflate;
                row.Data = deflated;
                row.BaseSnapshotId = null;
                return await db.SaveChangesAsync();
            });
        }
        Assert.Equal(text, await TextAsync(latest.Id));
        // The row was rewritten behind the portal's back, as an older version wrote it: the portal that reads it has
        // been restarted since (upgraded), so it holds no copy of that snapshot's text.
        Portal.Services.GetRequiredService<SnapshotTextCache>().Clear();

        var run = await Portal.BackupAsync(Acme, deviceId);
        Assert.Equal(RunOutcome.Created, run.Outcome);
        var next = (await ContentsAsync([run.SnapshotId!.Value])).Single();
        Assert.Equal(ContentEncoding.ZstdDelta, next.Encoding);
        Assert.Equal(latest.Id, next.BaseSnapshotId);
        var nextText = await TextAsync(run.SnapshotId.Value);
        Assert.NotEqual(text, nextText);
        Assert.Contains("hostname", nextText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingOrCorruptBaseIsAClearErrorNotGarbage()
    {
        var (_, snapshots) = await DriftingDeviceAsync("storage-broken-sw", 3);
        var contents = await ContentsAsync(snapshots.Select(s => s.Id));
        var delta = contents.Last(c => c.Encoding == ContentEncoding.ZstdDelta);
        var baseId = delta.BaseSnapshotId!.Value;

        // Corrupt base: one flipped byte in the keyframe.
        var original = contents.Single(c => c.SnapshotId == baseId).Data;
        await SetBaseDataAsync(baseId, Flip(original));
        var corrupt = await Assert.ThrowsAsync<SnapshotContentException>(() => TextAsync(delta.SnapshotId));
        Assert.Contains($"Snapshot {baseId}", corrupt.Message, StringComparison.Ordinal);

        // Missing base content row.
        await Portal.QueryAsync(Acme, db => db.Database.ExecuteSqlAsync($"DELETE FROM SnapshotContents WHERE SnapshotId = {baseId}"));
        var missing = await Assert.ThrowsAsync<SnapshotContentException>(() => TextAsync(delta.SnapshotId));
        Assert.Contains($"delta against snapshot {baseId}, whose content is missing", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SnapshotContentException>(() => Portal.QueryAsync(Acme, db => SnapshotContentStore.LoadTextsAsync(db, [delta.SnapshotId])));
        await using var scope = Portal.ScopeAs(Acme, "operator@acme.example");
        await Assert.ThrowsAsync<SnapshotContentException>(() => scope.ServiceProvider.GetRequiredService<SnapshotService>().GetTextAsync(delta.SnapshotId));
    }

    private static byte[] Flip(byte[] data)
    {
        var copy = (byte[])data.Clone();
        copy[copy.Length / 2] ^= 0x20;
        return copy;
    }

    private Task SetBaseDataAsync(long snapshotId, byte[] data) => Portal.QueryAsync(Acme, async db =>
    {
        var row = await db.SnapshotContents.SingleAsync(c => c.SnapshotId == snapshotId);
        row.Data = data;
        return await db.SaveChangesAsync();
    });
}
