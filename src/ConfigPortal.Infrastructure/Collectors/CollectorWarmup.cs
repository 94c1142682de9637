using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Configs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Infrastructure.Collectors;

/// <summary>
/// Pays the collectors' one-time costs when the backup worker starts instead of in the first backups (ADR-017): the
/// SSH library's algorithm tables, the elliptic-curve precomputations of Curve25519 key exchange and Ed25519 host-key
/// checks, the platform crypto the handshake uses, and every vendor pattern (regexes compiled to IL are JIT-compiled on
/// their first match). Measured in the fleet benchmark: without it the first 25 concurrent sessions after a start
/// waited together on these first uses (about 40 ms before connecting and 110 ms at the first prompt). It needs no
/// device and no database, runs once on a background thread, and a failure only costs the first backups that time.
/// </summary>
public sealed class CollectorWarmup(ILogger<CollectorWarmup> logger) : BackgroundService
{
    private readonly TaskCompletionSource<TimeSpan> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the warm-up's duration once it ran (or failed).</summary>
    public Task<TimeSpan> Completion => _done.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            Run(stoppingToken);
            logger.LogInformation("Collector warm-up done in {ElapsedMs} ms", (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Collector warm-up failed: {ErrorType}", ex.GetType().FullName);
        }
        finally
        {
            _done.TrySetResult(Stopwatch.GetElapsedTime(started));
        }
    }, CancellationToken.None);

    /// <summary>The warm-up itself (also for tests): touches what the first SSH session and the first normalize use.</summary>
    public static void Run(CancellationToken ct = default)
    {
        // SSH.NET builds its algorithm tables (key exchange, ciphers, MACs, host-key types) per ConnectionInfo.
        _ = new Renci.SshNet.ConnectionInfo("warm-up.invalid", 22, "warm-up", new Renci.SshNet.NoneAuthenticationMethod("warm-up"));
        // BouncyCastle, which SSH.NET uses for curve25519-sha256 and ssh-ed25519, builds its point tables on first use.
        Org.BouncyCastle.Math.EC.Rfc7748.X25519.Precompute();
        Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Precompute();
        // The platform crypto of the other key exchanges, host-key types, ciphers and MACs (OpenSSL on Linux).
        using (var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256))
        using (var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256))
            _ = ecdh.DeriveRawSecretAgreement(peer.PublicKey);
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            _ = ecdsa.VerifyData((byte[])[1, 2, 3], ecdsa.SignData((byte[])[1, 2, 3], HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
        using (var aes = Aes.Create())
        {
            aes.Key = new byte[32];
            _ = aes.EncryptEcb(new byte[16], PaddingMode.None);
        }
        if (AesGcm.IsSupported)
        {
            using var gcm = new AesGcm(new byte[16], 16);
            gcm.Encrypt(new byte[12], new byte[16], new byte[16], new byte[16]);
        }
        _ = HMACSHA256.HashData(new byte[32], new byte[64]);
        _ = SHA512.HashData(new byte[64]);
        ct.ThrowIfCancellationRequested();

        // Every pattern of every vendor profile once (prompt, pager, errors, filters, masking rules).
        foreach (var profile in VendorProfiles.All)
        {
            foreach (var regex in Patterns(profile))
                _ = regex.IsMatch("warm-up#");
            ct.ThrowIfCancellationRequested();
        }
    }

    private static IEnumerable<Regex> Patterns(VendorProfile p)
    {
        yield return p.Prompt;
        if (p.MorePrompt is { } more) yield return more;
        if (p.UnprivilegedPrompt is { } unprivileged) yield return unprivileged;
        if (p.EndMarker is { } end) yield return end;
        foreach (var r in p.DeleteFilters) yield return r;
        foreach (var r in p.IgnoreFilters) yield return r;
        foreach (var r in p.ErrorPatterns) yield return r;
        foreach (var m in p.MaskRules)
        {
            yield return m.Pattern;
            if (m.Section is { } section) yield return section;
        }
    }
}
