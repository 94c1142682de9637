using ConfigPortal.Infrastructure.Collectors.Ssh;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>The login pacing on its own (no device): places, hold limit, double release, cancellation.</summary>
public sealed class SshLoginGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logins_beyond_the_limit_wait_until_a_login_ends()
    {
        using var gate = new SshLoginGate(2, TimeSpan.FromMinutes(5));
        var first = await gate.EnterAsync(Ct);
        var second = await gate.EnterAsync(Ct);
        var third = gate.EnterAsync(Ct).AsTask();

        await Task.Delay(100, Ct);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, gate.InProgress);

        first.Dispose();
        using var lease = await third.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(2, gate.InProgress);
        second.Dispose();
        Assert.Equal(1, gate.InProgress);
    }

    [Fact]
    public async Task A_login_that_never_ends_gives_its_place_back_after_the_hold_limit()
    {
        using var gate = new SshLoginGate(1, TimeSpan.FromMilliseconds(200));
        var stalled = await gate.EnterAsync(Ct); // never disposed before the next one gets in
        var next = gate.EnterAsync(Ct).AsTask();

        using var lease = await next.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(1, gate.InProgress);
        stalled.Dispose(); // after the hold limit gave its place back: frees nothing more
        Assert.Equal(1, gate.InProgress);
    }

    [Fact]
    public async Task Ending_a_login_twice_frees_one_place()
    {
        using var gate = new SshLoginGate(2, TimeSpan.FromMinutes(5));
        var a = await gate.EnterAsync(Ct);
        using var b = await gate.EnterAsync(Ct);
        var copy = a; // the lease is a struct: copies share one place
        a.Dispose();
        copy.Dispose();
        a.Dispose();
        Assert.Equal(1, gate.InProgress);
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_place()
    {
        using var gate = new SshLoginGate(1, TimeSpan.FromMinutes(5));
        var held = await gate.EnterAsync(Ct);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.EnterAsync(cancel.Token));
        Assert.Equal(1, gate.InProgress);
        held.Dispose();
        Assert.Equal(0, gate.InProgress);
        using var again = await gate.EnterAsync(Ct);
        Assert.Equal(1, gate.InProgress);
    }

    [Fact]
    public async Task Zero_logins_means_no_pacing()
    {
        using var gate = new SshLoginGate(0, TimeSpan.FromMinutes(5));
        var leases = new List<SshLoginGate.Lease>();
        for (var i = 0; i < 100; i++)
            leases.Add(await gate.EnterAsync(Ct));
        Assert.Equal(0, gate.InProgress);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Unset_logins_default_to_two_per_core_and_negative_means_none()
    {
        Assert.Equal(2 * Environment.ProcessorCount, new SshCollectorOptions().EffectiveMaxConcurrentLogins);
        Assert.Equal(3, new SshCollectorOptions { MaxConcurrentLogins = 3 }.EffectiveMaxConcurrentLogins);
        Assert.Equal(0, new SshCollectorOptions { MaxConcurrentLogins = 0 }.EffectiveMaxConcurrentLogins);
        Assert.Equal(0, new SshCollectorOptions { MaxConcurrentLogins = -4 }.EffectiveMaxConcurrentLogins);
    }
}
