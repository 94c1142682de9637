using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ConfigPortal.Domain.Audit;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>
/// A chain written by the first implementation (string canonical form, one-shot HMAC) and stored in the database verifies
/// with today's verifier, in the database and offline: the hash format did not change.
/// </summary>
public sealed class LegacyChainTests
{
    private const int Tenant = 11;

    [Fact]
    public async Task A_chain_hashed_the_original_way_verifies()
    {
        await using var db = await AuditTestDatabase.CreateAsync();
        var key = Convert.FromBase64String(File.ReadAllText(db.KeyFile).Trim());
        var prev = AuditHasher.GenesisHash;
        var t = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        for (var i = 1; i <= 30; i++)
        {
            var e = new AuditEntry
            {
                TenantId = Tenant, Sequence = i, TimestampUtc = t.AddSeconds(i).AddTicks(i * 7),
                ActorKind = ConfigPortal.Domain.Tenancy.ActorKind.User, ActorId = "u" + i, ActorName = "Ünïcode | user\\" + i,
                Action = AuditActions.DeviceUpdated, ResourceType = "device", ResourceId = i.ToString(CultureInfo.InvariantCulture),
                DeviceId = i % 3 == 0 ? null : i, DeviceName = i % 2 == 0 ? null : "sw\r\n" + i, ClientIp = "", UserAgent = null,
                CorrelationId = "c" + i, Outcome = AuditOutcome.Success, DetailsJson = "{\"note\":\"line1\\nline2 \u2400 😀\",\"i\":" + i + "}",
                PreviousHash = prev, Hash = "",
            };
            e.Hash = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(e.PreviousHash + "\n" + AuditHasher.Canonical(e))));
            await db.SqlAsync("""
                INSERT INTO AuditEntries (TenantId, Sequence, TimestampUtc, ActorKind, ActorId, ActorName, Action, ResourceType, ResourceId, DeviceId, DeviceName, ClientIp, UserAgent, CorrelationId, Outcome, DetailsJson, PreviousHash, Hash)
                VALUES ($t, $s, $ts, $ak, $aid, $an, $a, $rt, $rid, $did, $dn, $ip, $ua, $cid, $o, $d, $p, $h)
                """,
                ("$t", e.TenantId), ("$s", e.Sequence), ("$ts", e.TimestampUtc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
                ("$ak", (int)e.ActorKind), ("$aid", e.ActorId!), ("$an", e.ActorName), ("$a", e.Action), ("$rt", e.ResourceType!), ("$rid", e.ResourceId!),
                ("$did", (object?)e.DeviceId ?? DBNull.Value), ("$dn", (object?)e.DeviceName ?? DBNull.Value), ("$ip", e.ClientIp!), ("$ua", DBNull.Value),
                ("$cid", e.CorrelationId!), ("$o", (int)e.Outcome), ("$d", e.DetailsJson), ("$p", e.PreviousHash), ("$h", e.Hash));
            prev = e.Hash;
        }
        await db.SqlAsync("INSERT INTO AuditChainHeads (TenantId, LastSequence, LastHash, UpdatedAtUtc) VALUES ($t, 30, $h, '2025-06-01 12:00:30')", ("$t", Tenant), ("$h", prev));

        var v = await db.VerifyInDatabaseAsync(Tenant);
        Assert.True(v.Intact, v.Problem);
        Assert.Equal(30, v.VerifiedUpTo);
        var offline = await db.VerifyOfflineAsync(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines));
        Assert.True(offline.Intact, offline.Problem);
        Assert.Equal(30, offline.VerifiedUpTo);
    }
}
