using System.Collections.Concurrent;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Infrastructure.Collectors.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace ConfigPortal.EndToEnd.Tests;

/// <summary>
/// The real portal, in-process on Kestrel (127.0.0.1, a free port), on a fresh SQLite file in a temp folder with the demo
/// seeded, plus Debian's Chromium driven by Playwright. One per test class.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string DemoPassword = "Demo-Portal-2026!";

    /// <summary>Chromium as Debian ships it; Playwright downloads nothing here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private PortalFactory? _factory;
    private IPlaywright? _playwright;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "configportal-e2e-" + Guid.NewGuid().ToString("N")[..12]);

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Console errors and page errors of every page opened through <see cref="NewPageAsync"/>.</summary>
    public ConcurrentQueue<string> BrowserErrors { get; } = new();

    public string DatabasePath => Path.Combine(DataDirectory, "configportal.db");

    /// <summary>The app's services (a test seeds data through the domain services with them).</summary>
    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("Not started.");

    /// <summary>Configs a simulated device answers instead of the generated one, by device name (large diffs).</summary>
    public ConcurrentDictionary<string, string> ScriptedConfigs { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (./test.sh does it when run as root).");

        Directory.CreateDirectory(DataDirectory);
        _factory = new PortalFactory(DataDirectory, ScriptedConfigs);
        _factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel reported no addresses.");
        BaseUrl = addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A new browser context (own cookies) and page at the screenshot size, with console errors collected.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.Console += (_, msg) =>
        {
            if (msg.Type is "error" or "warning")
                BrowserErrors.Enqueue($"[{msg.Type}] {page.Url}: {msg.Text}");
        };
        page.PageError += (_, error) => BrowserErrors.Enqueue($"[pageerror] {page.Url}: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) BrowserErrors.Enqueue($"[http {response.Status}] {response.Url}");
        };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>The simulator, except for devices named in <see cref="ScriptedConfigs"/>: those answer the scripted text.</summary>
    private sealed class ScriptedCollector(ConcurrentDictionary<string, string> scripts, SimulatedDeviceCollector simulator) : IDeviceCollector
    {
        public ConfigPortal.Domain.Devices.DeviceDriver Driver => simulator.Driver;

        public Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken) =>
            scripts.TryGetValue(request.DeviceName, out var text)
                ? Task.FromResult(new CollectedConfig(text, "scripted"))
                : simulator.CollectAsync(request, cancellationToken);
    }

    private sealed class PortalFactory(string dataDirectory, ConcurrentDictionary<string, string> scripts) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("Database:DataDirectory", dataDirectory);
            builder.UseSetting("Audit:KeyFile", Path.Combine(dataDirectory, "audit-chain.key"));
            builder.UseSetting("Simulator:Latency", "00:00:00.300");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:ConfigPortal", "Warning");
            // First in the list, so that the pipeline (first collector of the driver) picks it over the simulator.
            builder.ConfigureTestServices(s => s.Insert(0, ServiceDescriptor.Singleton<IDeviceCollector>(sp => new ScriptedCollector(scripts,
                new SimulatedDeviceCollector(sp.GetRequiredService<IOptions<SimulatorOptions>>(), sp.GetRequiredService<TimeProvider>())))));
        }
    }
}
