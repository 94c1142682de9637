using System.Text;
using System.Threading.Channels;

namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>
/// Pumps a blocking shell stream into text chunks on a background task, so the dialog can wait for output with a
/// deadline and a cancellation token. <see cref="Closed"/> turns true when the device closed the channel.
/// </summary>
internal sealed class ShellReader
{
    private readonly Channel<string> _chunks = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _pump;

    public ShellReader(Stream stream, Encoding encoding)
    {
        _pump = Task.Factory.StartNew(() => Pump(stream, encoding), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public bool Closed { get; private set; }

    private void Pump(Stream stream, Encoding encoding)
    {
        var decoder = encoding.GetDecoder();
        var bytes = new byte[16 * 1024];
        var chars = new char[encoding.GetMaxCharCount(bytes.Length)];
        try
        {
            while (true)
            {
                var n = stream.Read(bytes, 0, bytes.Length);
                if (n <= 0) break;
                var c = decoder.GetChars(bytes, 0, n, chars, 0, flush: false);
                if (c > 0) _chunks.Writer.TryWrite(new string(chars, 0, c));
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or IOException or InvalidOperationException or Renci.SshNet.Common.SshException)
        {
            // The session ended (disconnect, dispose): same as end of stream for the dialog.
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next chunk. Returns null on timeout, or when the stream ended
    /// (then <see cref="Closed"/> is true).
    /// </summary>
    public async Task<string?> ReadAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_chunks.Reader.TryRead(out var ready)) return ready;
        if (timeout <= TimeSpan.Zero) return null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            if (await _chunks.Reader.WaitToReadAsync(cts.Token))
                return _chunks.Reader.TryRead(out var chunk) ? chunk : "";
            Closed = true;
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Lets the pump finish after the stream was disposed (it returns at end of stream).</summary>
    public Task Completion => _pump;
}
