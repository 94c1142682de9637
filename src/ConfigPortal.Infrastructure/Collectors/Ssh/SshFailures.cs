using System.Net.Sockets;
using ConfigPortal.Domain.Backups;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ConfigPortal.Infrastructure.Collectors.Ssh;

/// <summary>
/// Turns what SSH.NET and the socket layer throw into a classified <see cref="BackupFailedException"/>. Messages are
/// written here, never copied from the inner exception, so no device output or secret can leak into them.
/// </summary>
public static class SshFailures
{
    /// <summary>The kinds worth retrying: the network or the device may answer next time.</summary>
    public static bool IsRetryable(FailureKind kind) =>
        kind is FailureKind.Unreachable or FailureKind.ConnectionRefused or FailureKind.Timeout;

    /// <summary>Classifies a failure of the connect + handshake stage.</summary>
    public static BackupFailedException FromConnect(Exception ex, string target, TimeSpan connectTimeout)
    {
        var seconds = connectTimeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        return ex switch
        {
            BackupFailedException b => b,
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } s =>
                new(FailureKind.ConnectionRefused, $"{target} refused the connection (nothing listens on that port).", s),
            SocketException { SocketErrorCode: SocketError.TimedOut } s =>
                new(FailureKind.Unreachable, $"{target} did not answer the TCP connect.", s),
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } s =>
                new(FailureKind.Unreachable, $"{target}: the host name could not be resolved.", s),
            SocketException s =>
                new(FailureKind.Unreachable, $"{target} is unreachable ({s.SocketErrorCode}).", s),
            SshOperationTimeoutException t =>
                new(FailureKind.Timeout, $"{target} did not complete the SSH handshake within {seconds} s.", t),
            OperationCanceledException o =>
                new(FailureKind.Timeout, $"{target} did not complete the SSH handshake within {seconds} s.", o),
            // No algorithm in common is a setting to change on one side, not a fault to retry (ADR-019).
            SshConnectionException { DisconnectReason: DisconnectReason.KeyExchangeFailed } k =>
                new(FailureKind.Misconfigured, $"{target} and the portal have no SSH algorithm in common for the key exchange, host key, cipher or MAC; " +
                    "compare the device's SSH settings with Ssh:KeyExchangeAlgorithms.", k),
            SshConnectionException c =>
                new(FailureKind.Unreachable, $"{target} closed the connection during the SSH handshake ({c.DisconnectReason}).", c),
            SshException e =>
                new(FailureKind.Unreachable, $"The SSH handshake with {target} failed (is it an SSH server?).", e),
            _ => new(FailureKind.InternalError, $"Connecting to {target} failed unexpectedly ({ex.GetType().Name}).", ex),
        };
    }

    /// <summary>Classifies a failure after login (while running commands).</summary>
    public static BackupFailedException FromSession(Exception ex, string target) => ex switch
    {
        BackupFailedException b => b,
        SshOperationTimeoutException t => new(FailureKind.Timeout, $"{target} stopped answering during the collection.", t),
        SshConnectionException c => new(FailureKind.TruncatedOutput, $"The connection to {target} dropped during the collection ({c.DisconnectReason}).", c),
        SocketException s => new(FailureKind.TruncatedOutput, $"The connection to {target} dropped during the collection ({s.SocketErrorCode}).", s),
        IOException io => new(FailureKind.TruncatedOutput, $"The connection to {target} dropped during the collection.", io),
        SshException e => new(FailureKind.CommandRejected, $"{target} refused the session or command.", e),
        _ => new(FailureKind.InternalError, $"Collecting from {target} failed unexpectedly ({ex.GetType().Name}).", ex),
    };
}
