using ConfigPortal.Domain.Audit;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>Keyset pages of the audit grid equal its offset pages; the timeline counts what the filter holds, per tenant.</summary>
public sealed class AuditPagingTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Auditor = "auditor@acme.example";
    private PortalHost Portal => fixture.Portal;

    /// <summary>Records <paramref name="count"/> entries of a resource type of their own, so the filter isolates this test's entries.</summary>
    private async Task<string> RecordAsync(int tenantId, int count, string? resourceType = null, Func<int, AuditOutcome>? outcome = null)
    {
        resourceType ??= "paging-" + Guid.NewGuid().ToString("N")[..8];
        await using var scope = Portal.SystemScope(tenantId);
        var audit = scope.ServiceProvider.GetRequiredService<IAuditService>();
        for (var i = 0; i < count; i++)
        {
            await audit.RecordAsync(new AuditRecord
            {
                TenantId = tenantId,
                Action = AuditActions.DeviceUpdated,
                ResourceType = resourceType,
                ResourceId = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Outcome = outcome?.Invoke(i) ?? AuditOutcome.Success,
                Details = new { i },
            });
        }
        return resourceType;
    }

    [Fact]
    public async Task KeysetPagesEqualOffsetPagesWithoutGapsOrOverlaps()
    {
        var type = await RecordAsync(Portal.AcmeId, 25, outcome: i => i % 4 == 0 ? AuditOutcome.Failure : AuditOutcome.Success);
        var filter = new AuditFilter { ResourceType = type, Outcome = AuditOutcome.Success };
        const int size = 6;

        await using var scope = Portal.ScopeAs(Portal.AcmeId, Auditor);
        var audit = scope.ServiceProvider.GetRequiredService<AuditQueryService>();

        var all = await audit.QueryAsync(filter, 0, 100);
        Assert.Equal(18, all.TotalCount);

        long? anchor = null;
        var seen = new List<long>();
        for (var page = 0; page < 3; page++)
        {
            var offset = await audit.QueryAsync(filter, page * size, size);
            var keyset = await audit.QueryKeysetAsync(filter, anchor, size);
            var viaPage = await audit.QueryPageAsync(filter, page, size, anchor);

            Assert.Equal(offset.Items.Select(e => e.Sequence), keyset.Items.Select(e => e.Sequence));
            Assert.Equal(offset.Items.Select(e => e.Sequence), viaPage.Items.Select(e => e.Sequence));
            Assert.Equal(18, viaPage.TotalCount);
            Assert.Equal(size, keyset.Items.Count);
            Assert.All(keyset.Items, e => Assert.Equal(AuditOutcome.Success, e.Outcome));
            seen.AddRange(keyset.Items.Select(e => e.Sequence));
            anchor = keyset.NextBeforeSequence;
            Assert.Equal(keyset.Items[^1].Sequence, anchor);
        }

        // Three pages of six: every matching entry exactly once, newest first.
        Assert.Equal(all.Items.Select(e => e.Sequence), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.OrderDescending(), seen);

        // Past the end there is nothing more, and the offset fallback (no anchor) of a later page is the same page.
        Assert.Empty((await audit.QueryKeysetAsync(filter, anchor, size)).Items);
        var jumped = await audit.QueryPageAsync(filter, 2, size, null);
        Assert.Equal(seen.Skip(2 * size), jumped.Items.Select(e => e.Sequence));
    }

    [Fact]
    public async Task TimelineBucketsSumToTheFilteredCountOfTheCallersTenantOnly()
    {
        var type = await RecordAsync(Portal.AcmeId, 7, outcome: i => i < 2 ? AuditOutcome.Denied : AuditOutcome.Success);
        await RecordAsync(Portal.GlobexId, 5, type);

        await using var scope = Portal.ScopeAs(Portal.AcmeId, Auditor);
        var audit = scope.ServiceProvider.GetRequiredService<AuditQueryService>();

        foreach (var filter in new[]
        {
            new AuditFilter { ResourceType = type },                                                   // per day (no range)
            new AuditFilter { ResourceType = type, FromUtc = DateTime.UtcNow.AddDays(-1) },            // per hour
            new AuditFilter { ResourceType = type, Outcome = AuditOutcome.Denied },
        })
        {
            var timeline = await audit.TimelineAsync(filter);
            var count = (await audit.QueryAsync(filter, 0, 1)).TotalCount;

            Assert.NotEmpty(timeline);
            Assert.Equal(count, timeline.Sum(b => b.Count));
            Assert.All(timeline, b => Assert.Equal(DateTimeKind.Utc, b.StartUtc.Kind));
            Assert.All(timeline, b => Assert.InRange(b.StartUtc, DateTime.UtcNow.AddDays(-2), DateTime.UtcNow));
            Assert.Equal(timeline.OrderBy(b => b.StartUtc), timeline);
            var hourly = AuditQueryService.IsHourlyTimeline(filter);
            Assert.All(timeline, b => Assert.Equal(hourly ? b.StartUtc.Date.AddHours(b.StartUtc.Hour) : b.StartUtc.Date, b.StartUtc));
        }
        Assert.Equal(7, (await audit.TimelineAsync(new AuditFilter { ResourceType = type })).Sum(b => b.Count));
        Assert.Equal(2, (await audit.TimelineAsync(new AuditFilter { ResourceType = type, Outcome = AuditOutcome.Denied })).Sum(b => b.Count));
        Assert.Contains(type, await audit.ResourceTypesAsync());
    }

    [Fact]
    public async Task ATimelineOfANarrowRangeIsHourlyAndOfAWideOneDaily()
    {
        var now = DateTime.UtcNow;
        Assert.True(AuditQueryService.IsHourlyTimeline(new AuditFilter { FromUtc = now.AddHours(-1) }, now));
        Assert.True(AuditQueryService.IsHourlyTimeline(new AuditFilter { FromUtc = now.AddDays(-2), ToUtc = now }, now));
        Assert.False(AuditQueryService.IsHourlyTimeline(new AuditFilter { FromUtc = now.AddDays(-7) }, now));
        Assert.False(AuditQueryService.IsHourlyTimeline(new AuditFilter(), now));

        await using var scope = Portal.ScopeAs(Portal.AcmeId, Auditor);
        var audit = scope.ServiceProvider.GetRequiredService<AuditQueryService>();
        // A daily timeline never has more than the capped number of buckets.
        Assert.InRange((await audit.TimelineAsync(new AuditFilter())).Count, 0, AuditQueryService.MaxTimelineDays);
    }
}
