using System.Net;
using System.Text.Json;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Api;

/// <summary>The Changes feed and config search through /api/v1: real portal, real SQLite, per-tenant tokens.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiChangesAndSearchTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    [Fact]
    public async Task A_new_change_of_a_device_is_first_in_its_changes_feed_with_its_counts_and_a_working_diff_link()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);
        var deviceId = await portal.DeviceIdAsync("Acme Networks", "acme-core-sw1"); // Drifting: changes on every backup

        // Until a run of ours stored a new snapshot (the first call may join the demo's baseline run).
        BackupRunView? created = null;
        for (var i = 0; i < 4 && created is null; i++)
        {
            var (run, joined) = await PortalFactory.BackupAndWaitAsync(client, deviceId);
            Assert.Equal(BackupRunStatus.Succeeded, run.Status);
            if (!joined && run.Outcome == RunOutcome.Created) created = run;
        }
        Assert.NotNull(created);

        var feed = await GetJsonAsync(client, $"/api/v1/changes?deviceId={deviceId}&take=5");
        var first = feed.GetProperty("items")[0];
        Assert.Equal(deviceId, first.GetProperty("deviceId").GetInt32());
        Assert.Equal(created.SnapshotId, first.GetProperty("toSnapshotId").GetInt64());
        Assert.True(first.GetProperty("addedLines").GetInt32() + first.GetProperty("removedLines").GetInt32() > 0);

        var diff = await client.GetAsync($"/api/v1/devices/{deviceId}/diff?from={first.GetProperty("fromSnapshotId").GetInt64()}&to={first.GetProperty("toSnapshotId").GetInt64()}", Ct);
        Assert.Equal(HttpStatusCode.OK, diff.StatusCode);
        Assert.StartsWith("--- a/acme-core-sw1", await diff.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // Keyset paging: the next page starts strictly older than the last item of this one.
        var page1 = await GetJsonAsync(client, "/api/v1/changes?take=1");
        if (page1.GetProperty("nextBefore").ValueKind == JsonValueKind.Number)
        {
            var page2 = await GetJsonAsync(client, $"/api/v1/changes?take=1&before={page1.GetProperty("nextBefore").GetInt64()}");
            Assert.True(page2.GetProperty("items")[0].GetProperty("diffId").GetInt64() < page1.GetProperty("items")[0].GetProperty("diffId").GetInt64());
        }
    }

    [Fact]
    public async Task Another_tenants_changes_and_configs_are_never_in_the_answers()
    {
        var globex = await portal.CreateTokenAsync("Globex", ApiTokenScopes.Read);
        using var client = portal.ClientWith(globex.Secret);
        var acmeDevice = await portal.DeviceIdAsync("Acme Networks", "acme-core-sw1");

        var feed = await GetJsonAsync(client, $"/api/v1/changes?deviceId={acmeDevice}");
        Assert.Equal(0, feed.GetProperty("items").GetArrayLength());
        var all = await GetJsonAsync(client, "/api/v1/changes?take=200");
        Assert.All(all.GetProperty("items").EnumerateArray(), i => Assert.DoesNotContain("acme", i.GetProperty("deviceName").GetString()!, StringComparison.OrdinalIgnoreCase));

        var found = await GetJsonAsync(client, "/api/v1/search?q=hostname");
        Assert.True(found.GetProperty("results").GetArrayLength() > 0);
        Assert.All(found.GetProperty("results").EnumerateArray(), r => Assert.DoesNotContain("acme", r.GetProperty("deviceName").GetString()!, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_regex_search_returns_matching_lines_with_context_and_a_bad_regex_is_a_400()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(token.Secret);

        var found = await GetJsonAsync(client, "/api/v1/search?q=%5Ehostname%20&regex=true&context=1");
        var results = found.GetProperty("results");
        Assert.True(results.GetArrayLength() > 0);
        Assert.False(found.GetProperty("partial").GetBoolean());
        foreach (var r in results.EnumerateArray())
        {
            var lines = r.GetProperty("blocks").EnumerateArray().SelectMany(b => b.EnumerateArray()).ToList();
            Assert.Contains(lines, l => l.GetProperty("match").GetBoolean() && l.GetProperty("text").GetString()!.StartsWith("hostname ", StringComparison.Ordinal));
            Assert.Contains(lines, l => !l.GetProperty("match").GetBoolean()); // a context line
        }

        var bad = await client.GetAsync("/api/v1/search?q=(unclosed&regex=true", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("regular expression", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var badContext = await client.GetAsync("/api/v1/search?q=x&context=9", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badContext.StatusCode);
        var badVendor = await client.GetAsync("/api/v1/changes?vendor=no_such_vendor", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badVendor.StatusCode);
        var badDevice = await client.GetAsync("/api/v1/changes?deviceId=abc", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badDevice.StatusCode);
    }

    [Fact]
    public async Task A_token_without_the_read_scope_sees_neither_changes_nor_configs()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/changes", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/search?q=hostname", Ct)).StatusCode);
    }
}
