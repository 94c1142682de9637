using System.Net;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ApiAuthenticationTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_without_a_token_is_401_with_a_bearer_challenge()
    {
        using var client = portal.ClientWith(null);

        var response = await client.GetAsync("/api/v1/devices", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("cpt_thisTokenWasNeverIssuedByThePortal000000000")]
    public async Task A_garbage_token_is_401(string token)
    {
        using var client = portal.ClientWith(token);

        var response = await client.GetAsync("/api/v1/devices", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_non_bearer_authorization_header_is_401()
    {
        using var client = portal.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "b3BlcmF0b3I6cGFzcw==");

        var response = await client.GetAsync("/api/v1/devices", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_token_works_until_it_is_revoked_and_is_401_afterwards()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(token.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/devices", Ct)).StatusCode);

        await portal.RevokeTokenAsync("Acme Networks", token.Token.Id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/devices", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_token_works_until_it_expires_and_is_401_afterwards()
    {
        // No race with the wall clock (a token that expired 2 s after its creation was already expired at its first
        // use on a busy machine): the token expires in an hour, and then its expiry time is made to have come.
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read, DateTime.UtcNow.AddHours(1));
        using var client = portal.ClientWith(token.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/devices", Ct)).StatusCode);

        await SetExpiryAsync(token.Token.Id, DateTime.UtcNow.AddSeconds(-1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/devices", Ct)).StatusCode);
    }

    private async Task SetExpiryAsync(int tokenId, DateTime expiresAtUtc)
    {
        var tenantId = await portal.TenantIdAsync("Acme Networks");
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var updated = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiTokens.Where(t => t.Id == tokenId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAtUtc, expiresAtUtc), Ct);
        Assert.Equal(1, updated);
    }

    [Fact]
    public async Task A_read_only_token_cannot_trigger_a_backup_and_gets_403()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        var deviceId = await portal.DeviceIdAsync("Acme Networks", "acme-edge-r2");
        using var client = portal.ClientWith(token.Secret);

        var response = await client.PostAsync($"/api/v1/devices/{deviceId}/backup", null, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_backup_only_token_cannot_read_the_audit_log()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);

        var response = await client.GetAsync("/api/v1/audit", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
