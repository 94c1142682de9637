using System.Text.Json;
using ConfigPortal.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Tests.Support;

internal static class AuditReads
{
    public static Task<List<AuditEntry>> EntriesAsync(this PortalHost portal, int tenantId, string action, int? deviceId = null) =>
        portal.QueryAsync(tenantId, db => db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == action && (deviceId == null || e.DeviceId == deviceId))
            .OrderBy(e => e.Sequence)
            .ToListAsync());

    public static Task<long> LastSequenceAsync(this PortalHost portal, int tenantId) =>
        portal.QueryAsync(tenantId, async db => await db.AuditEntries.AsNoTracking().MaxAsync(e => (long?)e.Sequence) ?? 0);

    public static JsonElement Details(this AuditEntry entry) => JsonDocument.Parse(entry.DetailsJson).RootElement;
}
