using Microsoft.Extensions.Options;

namespace ConfigPortal.Domain.Backups;

/// <summary>
/// The cap on devices collected at once by this instance (<see cref="BackupOptions.MaxConcurrentSessions"/>). The
/// pipeline takes a slot before it claims a run and gives it back as soon as the device session is over, before the
/// config is normalized and committed: the cap is on device sessions, and the next device connects while the last one's
/// config is still being stored (ADR-017). Slots are handed out in arrival order.
/// </summary>
public sealed class DeviceSessionSlots(IOptions<BackupOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(CapOf(options.Value));

    /// <summary>The number of slots (the configured cap, at least 1).</summary>
    public int Capacity { get; } = CapOf(options.Value);

    private static int CapOf(BackupOptions options) => Math.Max(1, options.MaxConcurrentSessions);

    /// <summary>Slots taken right now (runs being claimed, or their device sessions opened or collected).</summary>
    public int InUse => Capacity - _slots.CurrentCount;

    /// <summary>Waits for a free slot; dispose the result (once is enough, more is harmless) to give it back.</summary>
    public async Task<Slot> AcquireAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        return new Slot(this);
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>One taken slot. Releasing twice gives back one slot only.</summary>
    public sealed class Slot : IDisposable
    {
        private DeviceSessionSlots? _owner;

        internal Slot(DeviceSessionSlots owner) => _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?._slots.Release();
    }
}
