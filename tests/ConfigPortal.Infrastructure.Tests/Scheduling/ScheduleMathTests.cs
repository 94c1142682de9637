using ConfigPortal.Domain.Scheduling;

namespace ConfigPortal.Infrastructure.Tests.Scheduling;

/// <summary>Slot arithmetic with explicit instants (a fake clock by construction): zones, DST, jitter, precedence.</summary>
public sealed class ScheduleMathTests
{
    private static DateTime Utc(int y, int mo, int d, int h, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);

    [Fact]
    public void A_daily_schedule_fires_at_local_time_in_its_zone()
    {
        var cron = ScheduleMath.TryParse("30 2 * * *", out _)!;
        var zurich = ScheduleMath.TryFindZone("Europe/Zurich", out _)!;
        // Winter: 02:30 CET is 01:30 UTC.
        Assert.Equal(Utc(2026, 1, 15, 1, 30), ScheduleMath.NextSlot(cron, zurich, Utc(2026, 1, 15, 0, 0)));
        // Summer: 02:30 CEST is 00:30 UTC.
        Assert.Equal(Utc(2026, 7, 15, 0, 30), ScheduleMath.NextSlot(cron, zurich, Utc(2026, 7, 14, 23, 0)));
        var newYork = ScheduleMath.TryFindZone("America/New_York", out _)!;
        Assert.Equal(Utc(2026, 1, 15, 7, 30), ScheduleMath.NextSlot(cron, newYork, Utc(2026, 1, 15, 0, 0)));
    }

    [Fact]
    public void Across_the_spring_DST_change_a_skipped_local_time_fires_once_right_after_the_gap()
    {
        // Europe/Zurich, 29 March 2026: 02:00 local jumps to 03:00 (01:00 UTC). 02:30 does not exist that day.
        var cron = ScheduleMath.TryParse("30 2 * * *", out _)!;
        var zurich = ScheduleMath.TryFindZone("Europe/Zurich", out _)!;
        var slots = ScheduleMath.Slots(cron, zurich, Utc(2026, 3, 27, 12), Utc(2026, 3, 30, 12));
        Assert.Equal([Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 30, 0, 30)], slots);
    }

    [Fact]
    public void Across_the_autumn_DST_change_an_hourly_schedule_keeps_real_hours_and_a_daily_one_fires_once()
    {
        // Europe/Zurich, 25 October 2026: 03:00 CEST goes back to 02:00 CET (01:00 UTC); 02:xx happens twice.
        var zurich = ScheduleMath.TryFindZone("Europe/Zurich", out _)!;
        var hourly = ScheduleMath.TryParse(ScheduleMath.EveryHours(1), out _)!;
        var slots = ScheduleMath.Slots(hourly, zurich, Utc(2026, 10, 24, 23, 30), Utc(2026, 10, 25, 2, 30));
        Assert.Equal([Utc(2026, 10, 25, 0), Utc(2026, 10, 25, 1), Utc(2026, 10, 25, 2)], slots);
        var daily = ScheduleMath.TryParse("30 2 * * *", out _)!;
        var once = ScheduleMath.Slots(daily, zurich, Utc(2026, 10, 24, 12), Utc(2026, 10, 25, 12));
        Assert.Equal([Utc(2026, 10, 25, 0, 30)], once); // the first 02:30 (CEST)
    }

    [Fact]
    public void Jitter_is_deterministic_within_its_bound_and_spreads_devices()
    {
        foreach (var bound in new[] { 0, 1, 59, 300, 3600 })
        {
            var values = Enumerable.Range(1, 2000).Select(id => ScheduleMath.JitterFor(id, bound)).ToList();
            Assert.All(values, v => Assert.InRange(v, 0, bound));
            Assert.Equal(values, Enumerable.Range(1, 2000).Select(id => ScheduleMath.JitterFor(id, bound)));
            if (bound >= 300) Assert.True(values.Distinct().Count() > Math.Min(bound, 2000) / 2, $"bound {bound}: jitter should spread devices");
        }
    }

    [Fact]
    public void The_latest_due_slot_waits_for_the_devices_jitter()
    {
        var cron = ScheduleMath.TryParse("0 * * * *", out _)!;
        var id = Enumerable.Range(1, 100).First(i => ScheduleMath.JitterFor(i, 600) > 60);
        var jitter = ScheduleMath.JitterFor(id, 600);
        var slot = Utc(2026, 5, 1, 10);
        Assert.Equal(Utc(2026, 5, 1, 9), ScheduleMath.LatestDueSlot(cron, TimeZoneInfo.Utc, jitter, slot.AddSeconds(jitter - 1), Utc(2026, 5, 1, 0)));
        Assert.Equal(slot, ScheduleMath.LatestDueSlot(cron, TimeZoneInfo.Utc, jitter, slot.AddSeconds(jitter), Utc(2026, 5, 1, 0)));
        Assert.Equal(slot.AddSeconds(jitter), ScheduleMath.NextRunUtc(cron, TimeZoneInfo.Utc, id, 600, slot.AddSeconds(jitter - 1)));
    }

    [Fact]
    public void Overrides_win_device_then_group_then_tenant_default_and_the_first_group_by_name()
    {
        var groups = new Dictionary<string, string> { ["core"] = "group core", ["branch"] = "group branch" };
        Assert.Equal("device", ScheduleMath.Resolve("device", ["core"], groups.GetValueOrDefault, "tenant"));
        Assert.Equal("group core", ScheduleMath.Resolve(null, ["core"], groups.GetValueOrDefault, "tenant"));
        Assert.Equal("tenant", ScheduleMath.Resolve(null, ["edge"], groups.GetValueOrDefault, "tenant"));
        Assert.Equal("tenant", ScheduleMath.Resolve<string>(null, [], groups.GetValueOrDefault, "tenant"));
        Assert.Null(ScheduleMath.Resolve<string>(null, [], groups.GetValueOrDefault, null));
        // Several groups: ordinal name order, whatever order they are listed in.
        Assert.Equal("group branch", ScheduleMath.Resolve(null, ["core", "branch"], groups.GetValueOrDefault, "tenant"));
    }

    [Theory]
    [InlineData("", "CronExpression")]
    [InlineData("* * *", "CronExpression")]
    [InlineData("61 * * * *", "CronExpression")]
    [InlineData("0 25 * * *", "CronExpression")]
    [InlineData("*/5 * * * * *", "CronExpression")]
    public void Bad_cron_expressions_are_rejected_with_a_field_error(string cron, string field)
    {
        var errors = ScheduleMath.Validate(new ScheduleInput { CronExpression = cron });
        Assert.True(errors.ContainsKey(field));
        Assert.DoesNotContain("TimeZoneId", errors.Keys);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    [InlineData("Europe/Zurich; drop table")]
    public void Unknown_time_zones_are_rejected(string zone)
    {
        var errors = ScheduleMath.Validate(new ScheduleInput { TimeZoneId = zone });
        Assert.Equal(["TimeZoneId"], errors.Keys);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(3600, true)]
    [InlineData(3601, false)]
    public void Jitter_must_be_within_zero_and_an_hour(int jitter, bool ok)
    {
        var errors = ScheduleMath.Validate(new ScheduleInput { JitterSeconds = jitter });
        Assert.Equal(ok, errors.Count == 0);
    }

    [Theory]
    [InlineData(1, 0, "0 * * * *")]
    [InlineData(6, 15, "15 */6 * * *")]
    [InlineData(24, 30, "30 0 * * *")]
    public void The_every_N_hours_picker_writes_a_cron_it_reads_back(int hours, int minute, string cron)
    {
        Assert.Equal(cron, ScheduleMath.EveryHours(hours, minute));
        Assert.Equal((hours, minute), ScheduleMath.AsEveryHours(cron));
        Assert.Null(ScheduleMath.AsEveryHours("0 2 * * 1"));
    }
}
