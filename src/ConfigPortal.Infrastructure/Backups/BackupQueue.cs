using System.Threading.Channels;
using ConfigPortal.Domain.Backups;

namespace ConfigPortal.Infrastructure.Backups;

/// <summary>In-process queue of run ids; the runs themselves are durable rows, so a restart re-queues them.</summary>
public sealed class BackupQueue : IBackupQueue
{
    private readonly Channel<(long RunId, int TenantId)> _channel = Channel.CreateUnbounded<(long, int)>(new UnboundedChannelOptions { SingleReader = false });

    public ChannelReader<(long RunId, int TenantId)> Reader => _channel.Reader;

    public int Pending => _channel.Reader.CanCount ? _channel.Reader.Count : -1;

    public ValueTask EnqueueAsync(long runId, int tenantId, CancellationToken ct = default) =>
        _channel.Writer.WriteAsync((runId, tenantId), ct);
}
