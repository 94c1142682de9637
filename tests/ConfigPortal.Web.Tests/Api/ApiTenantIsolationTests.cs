using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ApiTenantIsolationTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_acme_token_gets_404_for_every_globex_id_and_each_attempt_is_audited_as_authorization_denied()
    {
        // A Globex device with a finished run and a snapshot.
        var globex = await portal.CreateTokenAsync("Globex", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var globexClient = portal.ClientWith(globex.Secret);
        var globexDevice = await portal.DeviceIdAsync("Globex", "globex-core2");
        var (globexRun, _) = await PortalFactory.BackupAndWaitAsync(globexClient, globexDevice);
        Assert.NotNull(globexRun.SnapshotId);
        var globexSnapshot = globexRun.SnapshotId.Value;

        var acme = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var acmeClient = portal.ClientWith(acme.Secret);
        var d = globexDevice.ToString(CultureInfo.InvariantCulture);
        var s = globexSnapshot.ToString(CultureInfo.InvariantCulture);
        var r = globexRun.Id.ToString(CultureInfo.InvariantCulture);

        foreach (var (method, url) in new[]
                 {
                     (HttpMethod.Get, $"/api/v1/devices/{d}"),
                     (HttpMethod.Get, $"/api/v1/devices/{d}/snapshots"),
                     (HttpMethod.Get, $"/api/v1/snapshots/{s}/raw"),
                     (HttpMethod.Get, $"/api/v1/runs/{r}"),
                     (HttpMethod.Get, $"/api/v1/devices/{d}/diff?from={s}&to={s}"),
                     (HttpMethod.Post, $"/api/v1/devices/{d}/backup"),
                 })
        {
            using var request = new HttpRequestMessage(method, url);
            var response = await acmeClient.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {url} gave {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain("globex", body, StringComparison.OrdinalIgnoreCase);
        }

        // The Globex ids stay visible to Globex (the 404s are about tenancy, not about missing rows).
        Assert.Equal(HttpStatusCode.OK, (await globexClient.GetAsync($"/api/v1/snapshots/{s}/raw", Ct)).StatusCode);

        var audit = await acmeClient.GetFromJsonAsync<AuditResponse>($"/api/v1/audit?action={AuditActions.AuthorizationDenied}&take=200", PortalFactory.Json, Ct);
        Assert.NotNull(audit);
        var denied = audit.Items.Select(e => (e.ResourceType, e.ResourceId)).ToHashSet();
        Assert.Contains(("device", d), denied);
        Assert.Contains(("snapshot", s), denied);
        Assert.Contains(("backup_run", r), denied);
        Assert.All(audit.Items, e => Assert.Equal(AuditOutcome.Denied, e.Outcome));

        // ...and none of it lands in Globex's own log.
        var globexAudit = await globexClient.GetFromJsonAsync<AuditResponse>($"/api/v1/audit?action={AuditActions.AuthorizationDenied}&take=200", PortalFactory.Json, Ct);
        Assert.NotNull(globexAudit);
        Assert.DoesNotContain(globexAudit.Items, e => e.ResourceId == d && e.ResourceType == "device");
    }

    [Fact]
    public async Task The_device_list_of_a_tenant_holds_only_its_own_devices()
    {
        var acme = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(acme.Secret);

        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/devices?take=500", Ct));

        var names = json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.StartsWith("acme-", n, StringComparison.Ordinal));
        Assert.Equal(names.Count, json.RootElement.GetProperty("total").GetInt32());
        // The portal under test writes to this fixture's own folder, not to a shared data directory.
        Assert.True(File.Exists(Path.Combine(portal.DataDirectory, "configportal.db")));
        Assert.True(File.Exists(Path.Combine(portal.DataDirectory, "audit-chain.key")));
    }

    private sealed record AuditResponse(IReadOnlyList<AuditEntryView> Items, long? NextBefore);
}
