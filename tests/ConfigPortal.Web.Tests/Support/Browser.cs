using System.Net;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Seeding;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Support;

/// <summary>
/// A cookie-keeping HttpClient that fills the static server-rendered account forms the way a browser does: it reads the
/// page, takes the antiforgery token, and posts the fields with the form's <c>_handler</c>. Redirects are not followed,
/// so tests see where a post sends the user.
/// </summary>
public sealed partial class Browser(HttpClient client) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient Client { get; } = client;

    public static Browser Open(PortalFactory portal) =>
        new(portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"(?<t>[^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    public async Task<string> GetStringAsync(string url)
    {
        var response = await Client.GetAsync(url, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} gave {(int)response.StatusCode} {response.Headers.Location}");
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>GETs the page at <paramref name="url"/> and posts its form <paramref name="handler"/> back to the same URL.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string url, string handler, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await GetStringAsync(url);
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {url}");
        var body = new List<KeyValuePair<string, string>>
        {
            new("_handler", handler),
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups["t"].Value)),
        };
        body.AddRange(fields);
        using var content = new FormUrlEncodedContent(body);
        return await Client.PostAsync(url, content, Ct);
    }

    public Task<HttpResponseMessage> SignInAsync(string email, string password, string url = "/account/login") =>
        SubmitAsync(url, "login", [new("Input.Email", email), new("Input.Password", password)]);

    /// <summary>Signs in and asserts that the portal sends the user on (a redirect), returning where to.</summary>
    public async Task<string> SignInOkAsync(string email, string password = DemoSeeder.DemoPassword)
    {
        var response = await SignInAsync(email, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {email} gave {(int)response.StatusCode}");
        return Location(response);
    }

    /// <summary>The redirect's target as a local path and query ("/devices"), however the server wrote it.</summary>
    public static string Location(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"expected a redirect, got {(int)response.StatusCode}");
        var location = response.Headers.Location!;
        if (!location.IsAbsoluteUri) return location.OriginalString;
        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>Users and audit reads for the security tests, straight through the portal's own services.</summary>
public static class SecurityData
{
    public const string StrongPassword = "Correct-Horse-Battery-42";

    /// <summary>A fresh user with a membership (so tests never lock out or change the shared demo users).</summary>
    public static async Task<ApplicationUser> CreateUserAsync(this PortalFactory portal, string tenantName = "Acme Networks", TenantRole role = TenantRole.Operator,
        bool mustChangePassword = false, string password = StrongPassword)
    {
        var tenantId = await portal.TenantIdAsync(tenantName);
        var email = $"u{Guid.NewGuid():N}"[..13] + "@security.example";
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = "Test " + email,
            ActiveTenantId = tenantId,
            MustChangePassword = mustChangePassword,
            CreatedAtUtc = DateTime.UtcNow,
        };
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user, password);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        }
        await portal.SetMembershipAsync(tenantName, user.Id, role);
        return user;
    }

    public static async Task SetMembershipAsync(this PortalFactory portal, string tenantName, string userId, TenantRole? role)
    {
        var tenantId = await portal.TenantIdAsync(tenantName);
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var existing = await db.TenantMemberships.Where(m => m.UserId == userId).ToListAsync();
        db.TenantMemberships.RemoveRange(existing);
        if (role is { } r)
            db.TenantMemberships.Add(new TenantMembership { TenantId = tenantId, UserId = userId, Role = r, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    public static async Task<T> WithUsersAsync<T>(this PortalFactory portal, Func<UserManager<ApplicationUser>, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
    }

    public static Task<ApplicationUser> ReloadAsync(this PortalFactory portal, ApplicationUser user) =>
        portal.WithUsersAsync(async users => await users.FindByIdAsync(user.Id) ?? throw new InvalidOperationException("user gone"));

    /// <summary>Runs <paramref name="read"/> on a fresh copy of the user (the test's copy is stale after the portal changed it).</summary>
    public static Task<T> ReadUserAsync<T>(this PortalFactory portal, ApplicationUser user, Func<UserManager<ApplicationUser>, ApplicationUser, Task<T>> read) =>
        portal.WithUsersAsync(async users => await read(users, await users.FindByIdAsync(user.Id) ?? throw new InvalidOperationException("user gone")));

    /// <summary>The audit entries of a tenant whose actor is the user, oldest first.</summary>
    public static async Task<List<AuditEntry>> AuditOfUserAsync(this PortalFactory portal, string tenantName, string userId)
    {
        var tenantId = await portal.TenantIdAsync(tenantName);
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.AuditEntries.AsNoTracking().Where(e => e.ActorId == userId).OrderBy(e => e.Sequence).ToListAsync();
    }

    public static async Task<long> LastSequenceAsync(this PortalFactory portal, string tenantName)
    {
        var tenantId = await portal.TenantIdAsync(tenantName);
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.AuditEntries.MaxAsync(e => (long?)e.Sequence) ?? 0;
    }

    public static async Task<List<AuditEntry>> AuditSinceAsync(this PortalFactory portal, string tenantName, long afterSequence)
    {
        var tenantId = await portal.TenantIdAsync(tenantName);
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.AuditEntries.AsNoTracking().Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence).ToListAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<PortalFactory>
{
    public const string Name = "security";
}
