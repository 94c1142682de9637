using System.Net;
using System.Text.Json;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ApiValidationTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/v1/devices/abc", "id")]
    [InlineData("/api/v1/devices/0", "id")]
    [InlineData("/api/v1/devices/-5", "id")]
    [InlineData("/api/v1/devices?take=-1", "take")]
    [InlineData("/api/v1/devices?take=100000", "take")]
    [InlineData("/api/v1/devices?desc=maybe", "desc")]
    [InlineData("/api/v1/runs/abc", "id")]
    [InlineData("/api/v1/snapshots/1.5/raw", "id")]
    [InlineData("/api/v1/devices/{device}/diff", "from")]
    [InlineData("/api/v1/devices/{device}/diff?from=1", "to")]
    [InlineData("/api/v1/devices/{device}/diff?from=x&to=2", "from")]
    [InlineData("/api/v1/audit?take=-1", "take")]
    [InlineData("/api/v1/audit?action=no_such_action", "action")]
    [InlineData("/api/v1/audit?action=config_diff_generated,made_up", "action")]
    [InlineData("/api/v1/audit?from=yesterday", "from")]
    [InlineData("/api/v1/audit?deviceId=abc", "deviceId")]
    [InlineData("/api/v1/audit?before=abc", "before")]
    [InlineData("/api/v1/audit?outcome=maybe", "outcome")]
    public async Task Malformed_input_is_a_400_problem_naming_the_field(string url, string field)
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        var deviceId = await portal.DeviceIdAsync("Acme Networks", "acme-core-sw2");
        using var client = portal.ClientWith(token.Secret);

        var response = await client.GetAsync(url.Replace("{device}", deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem.RootElement}");
    }

    [Fact]
    public async Task A_known_audit_action_is_accepted()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(token.Secret);

        var response = await client.GetAsync("/api/v1/audit?action=config_diff_generated&take=5", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
