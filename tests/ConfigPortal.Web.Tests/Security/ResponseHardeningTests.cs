using System.Net;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Web.Tests.Security;

/// <summary>Security headers on pages, and no exception details to clients outside Development.</summary>
[Collection(SecurityCollection.Name)]
public sealed class SecurityHeaderTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool> Pages => new() { { "/account/login", false }, { "/devices", true }, { "/api/v1/devices", false } };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Responses_carry_the_csp_with_frame_ancestors_none_the_referrer_policy_and_nosniff(string path, bool signIn)
    {
        using var browser = Browser.Open(portal);
        if (signIn) await browser.SignInOkAsync("auditor@acme.example");

        var response = await browser.Client.GetAsync(path, Ct);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode}");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }
}

/// <summary>The portal in Production with a service that fails: the client sees a generic error, never the exception.</summary>
public sealed class ProductionErrorTests : IClassFixture<ProductionErrorTests.FailingProductionPortal>
{
    public const string Secret = "boom-internal-detail-7f3a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FailingProductionPortal _portal;

    public ProductionErrorTests(FailingProductionPortal portal) => _portal = portal;

    public sealed class FailingProductionPortal : PortalFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting("SeedDemo", "true");
            builder.ConfigureServices(s => s.AddScoped<AuditQueryService>(_ => throw new InvalidOperationException(Secret)));
        }
    }

    [Fact]
    public async Task A_failing_page_shows_the_generic_error_page_without_exception_details()
    {
        using var browser = Browser.Open(_portal);
        await browser.SignInOkAsync("auditor@acme.example");

        var response = await browser.Client.GetAsync("/audit", Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Something went wrong", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ConfigPortal.Web.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_api_call_answers_500_without_exception_details()
    {
        var token = await _portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = _portal.ClientWith(token.Secret);

        var response = await client.GetAsync("/api/v1/audit", Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Interactive_circuits_send_no_detailed_errors_in_production()
    {
        Assert.False(_portal.Services.GetRequiredService<IOptions<CircuitOptions>>().Value.DetailedErrors);
    }
}
