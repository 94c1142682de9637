using ConfigPortal.Domain.Audit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>
/// A time window is read as a sequence range (two index seeks, then the sequence order of the grid). The pages must be
/// exactly the entries of the window, newest first, with ties on the boundaries and when the clock goes back.
/// </summary>
public sealed class AuditTimeWindowTests
{
    private const int Tenant = 9;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Window_pages_hold_exactly_the_entries_in_the_window_with_ties_on_the_bounds()
    {
        var clock = new TestClock(T0);
        await using var db = await AuditTestDatabase.CreateAsync(clock);
        // 60 steps of 10 minutes, 1–3 entries per step (ties), and twice the clock steps back (entries keep the last time).
        for (var step = 0; step < 60; step++)
        {
            await db.AppendAsync(Tenant, 1 + step % 3, startAt: step * 10);
            if (step is 20 or 40)
            {
                clock.Advance(TimeSpan.FromMinutes(-25));
                await db.AppendAsync(Tenant, 2, startAt: step * 10 + 5);
                clock.Advance(TimeSpan.FromMinutes(25));
            }
            clock.Advance(TimeSpan.FromMinutes(10));
        }

        List<AuditEntryView> all;
        await using (var scope = db.Scope(Tenant))
            all = (await scope.ServiceProvider.GetRequiredService<AuditQueryService>().QueryAsync(new AuditFilter { OldestFirst = true }, 0, 500)).Items.ToList();
        // Timestamps never go back along the chain (the clock did).
        for (var i = 1; i < all.Count; i++) Assert.True(all[i].TimestampUtc >= all[i - 1].TimestampUtc, $"entry {all[i].Sequence} is older than {all[i - 1].Sequence}");

        var at = (int m) => T0.UtcDateTime.AddMinutes(m);
        var windows = new (DateTime? From, DateTime? To)[]
        {
            (at(100), at(200)),          // both bounds on a step holding several entries
            (at(105), at(205)),          // between steps
            (at(0), at(10)),             // the first step only
            (at(590), null),             // the last step, open end
            (null, at(30)),              // open start
            (at(1000), at(2000)),        // after the last entry: empty
            (at(-100), at(0)),           // before the first entry: empty
            (at(200), at(200)),          // empty range on a tie
        };
        await using var s = db.Scope(Tenant);
        var query = s.ServiceProvider.GetRequiredService<AuditQueryService>();
        foreach (var (from, to) in windows)
        {
            foreach (var actions in new IReadOnlyList<string>?[] { null, [AuditActions.DeviceUpdated] })
            {
                var expected = all.Where(e => (from is null || e.TimestampUtc >= from) && (to is null || e.TimestampUtc < to)
                        && (actions is null || actions.Contains(e.Action)))
                    .OrderByDescending(e => e.Sequence).Select(e => e.Sequence).ToList();
                var filter = new AuditFilter { FromUtc = from, ToUtc = to, Actions = actions };
                var got = new List<long>();
                long? before = null;
                do
                {
                    var page = await query.QueryKeysetAsync(filter, before, 7);
                    got.AddRange(page.Items.Select(i => i.Sequence));
                    before = page.NextBeforeSequence;
                }
                while (before is not null);
                Assert.True(expected.SequenceEqual(got), $"window {from:o}–{to:o} {actions?.FirstOrDefault()}: expected [{string.Join(",", expected)}], got [{string.Join(",", got)}]");
                var counted = await query.QueryAsync(filter, 0, 500);
                Assert.Equal(expected.Count, counted.TotalCount);
                Assert.Equal(expected, counted.Items.Select(i => i.Sequence));
            }
        }
    }
}
