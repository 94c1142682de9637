using Bunit;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Web.Components.Pages.Audit;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Components;

/// <summary>Entries whose device names and details carry CR/LF, ANSI escapes, markup and CSV formulas.</summary>
public sealed class AuditInjectionFixture : IAsyncLifetime
{
    public const string ScriptDevice = "<script>alert('x')</script>";
    public const string FormulaDevice = "=cmd|' /C calc'!A0";
    public const string AnsiDevice = "core\u001b[31m-red\r\nsecond line";

    public PortalDatabase Db { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await Db.InitializeAsync();
        var services = new ServiceCollection();
        Db.AddTo(services);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(Db.AcmeId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        var audit = scope.ServiceProvider.GetRequiredService<IAuditService>();
        var i = 9000;
        foreach (var name in new[] { ScriptDevice, FormulaDevice, AnsiDevice })
        {
            await audit.RecordAsync(new AuditRecord
            {
                TenantId = Db.AcmeId,
                Action = AuditActions.DeviceUpdated,
                ResourceType = "device",
                ResourceId = (++i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                DeviceId = i,
                DeviceName = name,
                Details = new { changes = new { description = new { before = "<b>bold</b>", after = name } } },
            });
        }
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}

public sealed class AuditInjectionTests : PortalComponentTest, IClassFixture<AuditInjectionFixture>
{
    public AuditInjectionTests(AuditInjectionFixture fixture) : base(fixture.Db)
    {
        ActAs(fixture.Db.AcmeId, fixture.Db.UserIds["auditor@acme.example"], "auditor@acme.example");
    }

    private IRenderedComponent<AuditLog> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<AuditLog>();
    }

    [Fact]
    public void Hostile_device_names_and_details_are_rendered_as_text_not_markup()
    {
        var cut = RenderAt("audit?action=device_updated");

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=audit-action]").Count));
        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("tbody b"));
        Assert.Contains("&lt;script&gt;", cut.Markup, StringComparison.Ordinal);
        var cells = cut.FindAll("tbody td").Select(td => td.TextContent).ToList();
        Assert.Contains(AuditInjectionFixture.ScriptDevice, cells);
        Assert.Contains(AuditInjectionFixture.FormulaDevice, cells);
        // HTML parsing folds CRLF to LF; the ESC stays a character of the text.
        Assert.Contains(AuditInjectionFixture.AnsiDevice.Replace("\r\n", "\n", StringComparison.Ordinal), cells);
    }

    [Fact]
    public void The_export_links_carry_the_grids_filter()
    {
        var cut = RenderAt("audit?action=device_updated&actor=system&q=%3Cscript");

        var href = cut.Find("[data-testid=export-csv]").GetAttribute("href");
        Assert.StartsWith("/download/audit.csv?", href, StringComparison.Ordinal);
        Assert.Contains("action=device_updated", href, StringComparison.Ordinal);
        Assert.Contains("actor=system", href, StringComparison.Ordinal);
        Assert.Contains("text=%3Cscript", href, StringComparison.Ordinal);
        Assert.StartsWith("/download/audit.jsonl?", cut.Find("[data-testid=export-jsonl]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal("/download/audit-head.json", cut.Find("[data-testid=export-head]").GetAttribute("href"));
    }
}
