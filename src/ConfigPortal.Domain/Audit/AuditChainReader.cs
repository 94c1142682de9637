using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ConfigPortal.Domain.Audit;

/// <summary>
/// Reads a tenant's whole chain (up to a sequence) with a plain data reader: the verifier and the unfiltered export
/// need every entry once, in order, and EF's materialization cost more than the rest of their work.
/// </summary>
internal static class AuditChainReader
{
    /// <summary>
    /// The tenant's chain in sequence order, streamed straight from a data reader: the walk needs each entry once, and
    /// EF's materialization was most of the verification time (docs/benchmarks.md, Audit).
    /// </summary>
    public static async IAsyncEnumerable<AuditEntry> ReadAsync(IPortalDb db, int tenantId, long upTo, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            cmd.CommandText = ChainSql;
            var p = cmd.CreateParameter();
            p.ParameterName = "@tenant";
            p.Value = tenantId;
            cmd.Parameters.Add(p);
            var last = cmd.CreateParameter();
            last.ParameterName = "@upTo";
            last.Value = upTo;
            cmd.Parameters.Add(last);
            await using var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await r.ReadAsync(ct))
            {
                var e = new AuditEntry { ActorName = "", Action = "", PreviousHash = "", Hash = "" };
                e.TenantId = r.GetInt32(0);
                e.Sequence = r.GetInt64(1);
                e.TimestampUtc = DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc);
                e.ActorKind = (ActorKind)r.GetInt32(3);
                e.ActorId = r.IsDBNull(4) ? null : r.GetString(4);
                e.ActorName = r.GetString(5);
                e.Action = r.GetString(6);
                e.ResourceType = r.IsDBNull(7) ? null : r.GetString(7);
                e.ResourceId = r.IsDBNull(8) ? null : r.GetString(8);
                e.DeviceId = r.IsDBNull(9) ? null : r.GetInt32(9);
                e.DeviceName = r.IsDBNull(10) ? null : r.GetString(10);
                e.ClientIp = r.IsDBNull(11) ? null : r.GetString(11);
                e.UserAgent = r.IsDBNull(12) ? null : r.GetString(12);
                e.CorrelationId = r.IsDBNull(13) ? null : r.GetString(13);
                e.Outcome = (AuditOutcome)r.GetInt32(14);
                e.DetailsJson = r.GetString(15);
                e.PreviousHash = r.GetString(16);
                e.Hash = r.GetString(17);
                yield return e;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // Standard double-quoted identifiers: SQLite, and SQL Server (QUOTED_IDENTIFIER is on for every SqlClient session).
    private const string ChainSql = """
        SELECT "TenantId", "Sequence", "TimestampUtc", "ActorKind", "ActorId", "ActorName", "Action", "ResourceType", "ResourceId",
               "DeviceId", "DeviceName", "ClientIp", "UserAgent", "CorrelationId", "Outcome", "DetailsJson", "PreviousHash", "Hash"
        FROM "AuditEntries" WHERE "TenantId" = @tenant AND "Sequence" <= @upTo ORDER BY "Sequence"
        """;
}
