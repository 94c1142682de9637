using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>
/// Real OpenSSH servers on 127.0.0.1 playing network devices. One sshd listens on a port per emulated device
/// (<c>Match LocalPort</c> picks the emulator and its fault); a second sshd with another host key plays a device whose
/// key changed; a TCP listener that never speaks plays a device that accepts and hangs. Needs root and
/// /usr/sbin/sshd (apt-get install -y openssh-server): without them it fails with a clear message, never skips.
/// Free of xunit (the benchmarks link this file); the test project makes it a collection fixture (SshLabFixture.cs).
/// </summary>
public sealed partial class SshDeviceLab : IAsyncDisposable
{
    public const string User = "cpdevice";
    /// <summary>Password of the local test user (created for these tests only; sshd only lets it in on 127.0.0.1 ports we own).</summary>
    public const string Password = "Cp-Device-Test-Pass-1";
    public const string KeyPassphrase = "Cp-Key-Passphrase-1";
    private const string Sshd = "/usr/sbin/sshd";

    private readonly List<Process> _servers = [];
    private readonly Dictionary<string, int> _ports = [];
    private TcpListener? _blackHole;
    private readonly List<TcpClient> _heldOpen = [];
    private readonly CancellationTokenSource _stop = new();

    public string Directory { get; private set; } = "";
    public string HostKeyFingerprint { get; private set; } = "";
    public string OtherHostKeyFingerprint { get; private set; } = "";
    public string ClientPrivateKey { get; private set; } = "";
    public int ChangedKeyPort { get; private set; }
    public int BlackHolePort { get; private set; }
    public int ClosedPort { get; private set; }

    /// <summary>The endpoints: every vendor by its profile id, then the fault devices.</summary>
    public static readonly (string Name, string Vendor, string? Fault)[] Devices =
    [
        .. VendorEmulations.All.Select(v => (v.Vendor, v.Vendor, (string?)null)),
        ("ios-paging", "cisco_ios", "ignore-paging"),
        ("ios-invalid", "cisco_ios", "invalid"),
        ("ios-silent", "cisco_ios", "silent"),
        ("ios-slow", "cisco_ios", "slow:0.8"),
        ("nxos-cut", "cisco_nxos", "cut"),
        ("nxos-hang", "cisco_nxos", "hang"),
        ("junos-kill", "juniper_junos", "kill"),
        ("routeros-invalid", "mikrotik_routeros", "invalid"),
        ("ios-banner-prompt", "cisco_ios", "banner-prompt"),
        ("ios-slow-answer", "cisco_ios", "slow-answer"),
    ];

    /// <summary>More endpoints to serve (set before <see cref="InitializeAsync"/>), e.g. the benchmark's slow devices.</summary>
    public IReadOnlyList<(string Name, string Vendor, string? Fault)> ExtraDevices { get; init; } = [];

    /// <summary>
    /// KexAlgorithms of the extra endpoints' sshd (null: OpenSSH's default, which prefers the post-quantum
    /// sntrup761x25519 hybrid that network devices rarely offer and that costs SSH.NET ~100 ms of CPU per connect).
    /// </summary>
    public string? ExtraKexAlgorithms { get; init; }

    private IEnumerable<(string Name, string Vendor, string? Fault)> Endpoints => Devices.Concat(ExtraDevices);

    public int Port(string name) => _ports[name];

    public async ValueTask InitializeAsync()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("The SSH device tests run OpenSSH's sshd and need Linux.");
        if (!File.Exists(Sshd))
            throw new InvalidOperationException($"{Sshd} is missing: the SSH device tests need OpenSSH's server (apt-get install -y openssh-server).");
        if (Run("id", "-u").Output.Trim() != "0")
            throw new InvalidOperationException("The SSH device tests must run as root (they start sshd and create the local test user 'cpdevice').");
        foreach (var tool in new[] { "/usr/bin/ssh-keygen", "/usr/bin/python3" })
        {
            if (!File.Exists(tool))
                throw new InvalidOperationException($"{tool} is missing: the SSH device tests need it (apt-get install -y openssh-server python3).");
        }

        EnsureUser();
        Directory = System.IO.Directory.CreateTempSubdirectory("cp-ssh-lab-").FullName;
        File.SetUnixFileMode(Directory, (UnixFileMode)0b111_101_101);
        System.IO.Directory.CreateDirectory("/run/sshd");

        // Host keys (two: the device's, and the one it "changes" to) and a client key with a passphrase.
        Keygen("host_a", "");
        Keygen("host_b", "");
        Keygen("client", KeyPassphrase);
        HostKeyFingerprint = Fingerprint("host_a.pub");
        OtherHostKeyFingerprint = Fingerprint("host_b.pub");
        ClientPrivateKey = File.ReadAllText(Path.Combine(Directory, "client"));
        WriteReadable("authorized_keys", File.ReadAllText(Path.Combine(Directory, "client.pub")));
        WriteReadable("emulator.py", EmulatorScript.Python);
        foreach (var v in VendorEmulations.All)
            WriteReadable($"{v.Vendor}.json", JsonSerializer.Serialize(v.Spec));

        foreach (var d in Endpoints) _ports[d.Name] = FreePort();
        ChangedKeyPort = FreePort();
        ClosedPort = FreePort();

        // sshd listens on at most 16 sockets (MAX_LISTEN_SOCKS): the built-in endpoints take one server per 16, extra
        // endpoints get their own (same host key, so they are the "same" device family).
        var chunk = 0;
        foreach (var group in Devices.Chunk(16))
        {
            var name = chunk++ == 0 ? "main" : $"main{chunk}";
            await StartSshdAsync(name, ServerConfig(name, group), _ports[group[0].Name]);
        }
        if (ExtraDevices.Count > 0)
        {
            var kex = ExtraKexAlgorithms is { Length: > 0 } k ? $"KexAlgorithms {k}\n" : "";
            await StartSshdAsync("extra", kex + ServerConfig("extra", ExtraDevices), _ports[ExtraDevices[0].Name]);
        }

        var changed = CommonConfig("host_b", "changed") + $"Port {ChangedKeyPort}\nForceCommand {Emulator("cisco_ios", null)}\n";
        await StartSshdAsync("changed", changed, ChangedKeyPort);

        // Accepts TCP and never sends the SSH banner.
        _blackHole = new TcpListener(IPAddress.Loopback, 0);
        _blackHole.Start();
        BlackHolePort = ((IPEndPoint)_blackHole.LocalEndpoint).Port;
        _ = Task.Run(AcceptAndHoldAsync);
    }

    private async Task AcceptAndHoldAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _blackHole!.AcceptTcpClientAsync(_stop.Token);
                lock (_heldOpen) _heldOpen.Add(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private string ServerConfig(string name, IReadOnlyList<(string Name, string Vendor, string? Fault)> endpoints)
    {
        if (endpoints.Count > 16)
            throw new InvalidOperationException("One sshd listens on at most 16 ports.");
        var config = new StringBuilder(CommonConfig("host_a", name));
        foreach (var d in endpoints) config.Append("Port ").Append(_ports[d.Name]).Append('\n');
        foreach (var d in endpoints)
            config.Append($"Match LocalPort {_ports[d.Name]}\n    ForceCommand {Emulator(d.Vendor, d.Fault)}\n");
        return config.ToString();
    }

    /// <summary>The ForceCommand of an endpoint: the python emulator, or (fault "command:...") a command of the caller's.</summary>
    private string Emulator(string vendor, string? fault) => fault is { } f && f.StartsWith("command:", StringComparison.Ordinal)
        ? f["command:".Length..]
        : $"/usr/bin/python3 -S {Directory}/emulator.py {Directory}/{vendor}.json {fault}".TrimEnd();

    private string CommonConfig(string hostKey, string name) => $"""
        ListenAddress 127.0.0.1
        HostKey {Directory}/{hostKey}
        PidFile {Directory}/sshd-{name}.pid
        AuthorizedKeysFile {Directory}/authorized_keys
        PasswordAuthentication yes
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin no
        AllowUsers {User}
        StrictModes no
        UsePAM no
        PrintMotd no
        PrintLastLog no
        X11Forwarding no
        AllowTcpForwarding no
        PermitTTY yes
        MaxStartups 200
        MaxSessions 50
        LoginGraceTime 30
        LogLevel VERBOSE

        """;

    private async Task StartSshdAsync(string name, string config, int probePort)
    {
        var path = Path.Combine(Directory, $"sshd_config-{name}");
        await File.WriteAllTextAsync(path, config);
        var check = Run(Sshd, "-t", "-f", path);
        if (check.ExitCode != 0)
            throw new InvalidOperationException($"sshd rejected the test configuration {path}: {check.Error}");

        var log = Path.Combine(Directory, $"sshd-{name}.log");
        var process = Process.Start(new ProcessStartInfo(Sshd) { ArgumentList = { "-D", "-r", "-f", path, "-E", log }, UseShellExecute = false })
            ?? throw new InvalidOperationException("sshd did not start.");
        _servers.Add(process);

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"sshd ({name}) exited with {process.ExitCode}: {ReadLog(log)}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, probePort);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"sshd ({name}) did not listen on 127.0.0.1:{probePort} within 15 s: {ReadLog(log)}");
    }

    private static string ReadLog(string path) => File.Exists(path) ? File.ReadAllText(path) : "(no log)";

    private static void EnsureUser()
    {
        if (Run("id", "-u", User).ExitCode != 0)
        {
            var add = Run("useradd", "-m", "-s", "/bin/bash", User);
            if (add.ExitCode != 0 && add.ExitCode != 9) // 9: created meanwhile by a parallel run
                throw new InvalidOperationException($"useradd {User} failed: {add.Error}");
        }
        // SHA-512 crypt with 1,000 rounds, not the system default (yescrypt on Debian 12): the lab plays remote devices,
        // whose password check runs on the device; here every login's check ran on the portal's own two cores, and
        // yescrypt took 27.5 ms of CPU per login (SHA-512 at 1,000 rounds: under 1 ms), which the 100-session fleet
        // benchmark paid a hundred times per round (docs/benchmarks.md, SSH fleet).
        var set = RunWithInput("chpasswd", $"{User}:{Password}\n", "-c", "SHA512", "-s", "1000");
        if (set.ExitCode != 0)
            throw new InvalidOperationException($"chpasswd for {User} failed: {set.Error}");
    }

    private void Keygen(string file, string passphrase)
    {
        var r = Run("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", file, "-f", Path.Combine(Directory, file));
        if (r.ExitCode != 0) throw new InvalidOperationException($"ssh-keygen failed: {r.Error}");
    }

    /// <summary>"SHA256:..." of a public key, as ssh-keygen -l prints it.</summary>
    private string Fingerprint(string pub)
    {
        var r = Run("/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(Directory, pub));
        return r.Output.Split(' ')[1];
    }

    private void WriteReadable(string name, string content)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException();
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    internal static (int ExitCode, string Output, string Error) Run(string file, params string[] args) => RunWithInput(file, null, args);

    internal static (int ExitCode, string Output, string Error) RunWithInput(string file, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start.");
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _blackHole?.Stop();
        lock (_heldOpen)
        {
            foreach (var c in _heldOpen) c.Dispose();
        }
        foreach (var p in _servers)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
        _stop.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
