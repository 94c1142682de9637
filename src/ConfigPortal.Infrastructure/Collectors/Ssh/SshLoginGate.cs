namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>
/// Paces logins: at most <see cref="SshCollectorOptions.MaxConcurrentLogins"/> sessions of this instance are in their
/// login phase (TCP connect, key exchange, authentication, shell open, first prompt) at once. That phase is a burst of
/// CPU on both ends (key exchange, the server's fork per login); a session then mostly waits for the device. Without
/// pacing, a full wave of sessions logs in together, every login competes with the others for the CPU, and the waves
/// stay in step round after round; paced, logins queue briefly and later waves spread out over the devices' waiting
/// time (ADR-018). A lease is given back when the login phase ends or after
/// <see cref="SshCollectorOptions.LoginHoldLimit"/>, whichever comes first, so a device that accepts TCP and then
/// stalls holds a place only that long. Zero logins: no pacing.
/// </summary>
internal sealed class SshLoginGate : IDisposable
{
    private readonly SemaphoreSlim? _gate;
    private readonly int _capacity;
    private readonly TimeSpan _holdLimit;

    /// <param name="maxConcurrentLogins">Logins at once; zero or less: no pacing.</param>
    /// <param name="holdLimit">The longest a login keeps its place (at least 1 ms).</param>
    public SshLoginGate(int maxConcurrentLogins, TimeSpan holdLimit)
    {
        _capacity = Math.Max(0, maxConcurrentLogins);
        _gate = _capacity > 0 ? new SemaphoreSlim(_capacity, _capacity) : null;
        _holdLimit = holdLimit >= TimeSpan.FromMilliseconds(1) ? holdLimit : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>Places taken now (always 0 without pacing).</summary>
    public int InProgress => _gate is null ? 0 : _capacity - _gate.CurrentCount;

    /// <summary>Waits for a place; the lease gives it back once, on <see cref="Lease.Dispose"/> or after the hold limit.</summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken ct)
    {
        if (_gate is null) return default;
        await _gate.WaitAsync(ct);
        return new Lease(new Holder(_gate, _holdLimit));
    }

    public void Dispose() => _gate?.Dispose();

    /// <summary>A place in the gate; disposing it (more than once is fine) gives the place back.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly Holder? _holder;
        internal Lease(Holder holder) => _holder = holder;
        public void Dispose() => _holder?.Release();
    }

    internal sealed class Holder
    {
        private readonly SemaphoreSlim _gate;
        private readonly Timer _timer;
        private int _released;

        public Holder(SemaphoreSlim gate, TimeSpan holdLimit)
        {
            _gate = gate;
            _timer = new Timer(static s => ((Holder)s!).Release(), this, holdLimit, Timeout.InfiniteTimeSpan);
        }

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            _timer.Dispose();
            try
            {
                _gate.Release();
            }
            catch (ObjectDisposedException)
            {
                // The collector was disposed (shutdown) while this login was in progress.
            }
        }
    }
}
