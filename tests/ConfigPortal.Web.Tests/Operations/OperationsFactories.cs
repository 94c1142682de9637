using System.Net;
using System.Text.RegularExpressions;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConfigPortal.Web.Tests.Operations;

/// <summary>The portal with the Prometheus scrape endpoint on.</summary>
public sealed class PrometheusPortalFactory : PortalFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telemetry:Prometheus", "true");
    }
}

/// <summary>The executable in the worker role (<c>--role worker</c>).</summary>
public sealed class WorkerPortalFactory : PortalFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Role", "worker");
    }
}

/// <summary>Signs in through the real login form (static SSR: hidden fields + antiforgery token).</summary>
public static partial class CookieLogin
{
    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Hidden();

    [GeneratedRegex("name=\"(?<v>[^\"]*)\"")]
    private static partial Regex Name();

    [GeneratedRegex("value=\"(?<v>[^\"]*)\"")]
    private static partial Regex Value();

    public static async Task<HttpClient> SignedInClientAsync(PortalFactory portal, string email)
    {
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var ct = TestContext.Current.CancellationToken;
        var page = await client.GetStringAsync("/account/login", ct);
        var form = new List<KeyValuePair<string, string>>();
        foreach (Match input in Hidden().Matches(page))
        {
            var name = Name().Match(input.Value);
            if (!name.Success) continue;
            var value = Value().Match(input.Value);
            form.Add(new(WebUtility.HtmlDecode(name.Groups["v"].Value), WebUtility.HtmlDecode(value.Success ? value.Groups["v"].Value : "")));
        }
        form.Add(new("Input.Email", email));
        form.Add(new("Input.Password", Infrastructure.Seeding.DemoSeeder.DemoPassword));
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(form), ct);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {email} answered {(int)response.StatusCode}");
        return client;
    }
}

/// <summary>The portal with a key exchange the SSH driver does not implement in its settings.</summary>
public sealed class UnknownKeyExchangePortalFactory : PortalFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ssh:KeyExchangeAlgorithms:0", "ecdh-sha2-nistp256");
        builder.UseSetting("Ssh:KeyExchangeAlgorithms:1", "curve448-sha512");
    }
}
