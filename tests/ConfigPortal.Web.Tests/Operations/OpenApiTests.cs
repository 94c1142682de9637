using System.Net;
using System.Text.Json;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConfigPortal.Web.Tests.Operations;

public sealed class OpenApiTests : IClassFixture<PortalFactory>
{
    private readonly PortalFactory _portal;

    public OpenApiTests(PortalFactory portal) => _portal = portal;

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/reference")]
    public async Task Anonymous_callers_are_sent_to_sign_in(string path)
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.Contains("/account/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_is_refused()
    {
        using var client = await CookieLogin.SignedInClientAsync(_portal, "operator@acme.example");
        using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.Contains("access-denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_admin_gets_the_document_of_api_v1_and_the_reference_page()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = await CookieLogin.SignedInClientAsync(_portal, "admin@acme.example");

        using var doc = await client.GetAsync("/openapi/v1.json", ct);
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        using var json = JsonDocument.Parse(await doc.Content.ReadAsStringAsync(ct));
        var paths = json.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/devices", paths);
        Assert.Contains("/api/v1/devices/{id}/backup", paths);
        Assert.Contains("/api/v1/runs/{id}", paths);
        Assert.Contains("/api/v1/devices/backup", paths);
        Assert.Contains("/api/v1/bulk-backups/{id}", paths);
        Assert.Contains("/api/v1/runs", paths);
        Assert.All(paths, p => Assert.StartsWith("/api/v1/", p, StringComparison.Ordinal));
        Assert.Equal("ConfigPortal API", json.RootElement.GetProperty("info").GetProperty("title").GetString());

        using var page = await client.GetAsync("/api/reference", ct);
        if (page.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently)
        {
            // Scalar redirects /api/reference to /api/reference/ with a relative Location ("reference/").
            var next = new Uri(page.RequestMessage!.RequestUri!, page.Headers.Location!);
            Assert.Equal("/api/reference/", next.AbsolutePath);
            using var followed = await client.GetAsync(next, ct);
            await AssertReferencePageAsync(followed, ct);
        }
        else
        {
            await AssertReferencePageAsync(page, ct);
        }

        // The relaxed policy is the reference page's only; everything else keeps the strict one.
        using var home = await client.GetAsync("/", ct);
        var csp = string.Join(";", home.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
    }

    private static async Task AssertReferencePageAsync(HttpResponseMessage page, CancellationToken ct)
    {
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{page.RequestMessage?.RequestUri}: {(int)page.StatusCode}");
        var html = await page.Content.ReadAsStringAsync(ct);
        Assert.Contains("openapi/", html, StringComparison.Ordinal);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
    }
}
