using System.Collections.Concurrent;
using System.Threading.Channels;
using ConfigPortal.Domain.Backups;

namespace ConfigPortal.Infrastructure.Backups;

/// <summary>In-process queue of run ids; the runs themselves are durable rows, so a restart re-queues them.</summary>
public sealed class BackupQueue : IBackupQueue
{
    private readonly Channel<(long RunId, int TenantId)> _channel = Channel.CreateUnbounded<(long, int)>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ConcurrentDictionary<long, byte> _known = new();

    public ChannelReader<(long RunId, int TenantId)> Reader => _channel.Reader;

    public int Pending => _channel.Reader.CanCount ? _channel.Reader.Count : -1;

    public ValueTask EnqueueAsync(long runId, int tenantId, CancellationToken ct = default)
    {
        _known.TryAdd(runId, 0);
        return _channel.Writer.WriteAsync((runId, tenantId), ct);
    }

    /// <summary>Queues a run found in the database unless this instance queued it already.</summary>
    internal async ValueTask<bool> EnqueueIfNewAsync(long runId, int tenantId, CancellationToken ct)
    {
        if (!_known.TryAdd(runId, 0)) return false;
        await _channel.Writer.WriteAsync((runId, tenantId), ct);
        return true;
    }

    /// <summary>Forgets runs that are no longer pending in the database.</summary>
    internal void Retain(IReadOnlySet<long> pending)
    {
        foreach (var id in _known.Keys)
        {
            if (!pending.Contains(id)) _known.TryRemove(id, out _);
        }
    }
}

/// <summary>
/// The queue of a web-only instance (<c>Backups:RunWorker=false</c>): the queued run row is the message; a worker
/// instance finds it by polling the database (<c>Backups:PollInterval</c>).
/// </summary>
internal sealed class DatabaseOnlyBackupQueue : IBackupQueue
{
    public ValueTask EnqueueAsync(long runId, int tenantId, CancellationToken ct = default) => ValueTask.CompletedTask;
}
