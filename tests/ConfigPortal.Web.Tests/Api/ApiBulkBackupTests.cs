using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Api;

/// <summary>POST /api/v1/devices/backup (bulk), GET /api/v1/bulk-backups/{id} and GET /api/v1/runs over the real app.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiBulkBackupTests(PortalFactory portal)
{
    private const string Acme = "Acme Networks";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record BulkItem(int DeviceId, string DeviceName, long? RunId, bool Joined, string? SkipReason);
    private sealed record BulkResponse(long BulkId, BackupTrigger Trigger, int Requested, int Duplicates, int Queued, int Joined, int Skipped, List<BulkItem> Items);

    private async Task<HttpClient> ClientAsync(ApiTokenScopes scopes = ApiTokenScopes.Read | ApiTokenScopes.Backup) =>
        portal.ClientWith((await portal.CreateTokenAsync(Acme, scopes)).Secret);

    private async Task<int> RunCountAsync(HttpClient client, int deviceId)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs?deviceId={deviceId}&take=200", Ct));
        return json.RootElement.GetProperty("items").GetArrayLength();
    }

    [Fact]
    public async Task A_bulk_request_queues_each_device_once_and_its_progress_reaches_done()
    {
        using var client = await ClientAsync();
        var a = await portal.DeviceIdAsync(Acme, "acme-dc-leaf2");
        var b = await portal.DeviceIdAsync(Acme, "acme-edge-r2");

        var response = await client.PostAsJsonAsync("/api/v1/devices/backup", new { deviceIds = new[] { a, b, a } }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<BulkResponse>(PortalFactory.Json, Ct))!;
        Assert.Equal((BackupTrigger.Api, 2, 1, 0), (body.Trigger, body.Requested, body.Duplicates, body.Skipped));
        Assert.Equal(2, body.Queued + body.Joined); // a baseline run still in flight is joined
        Assert.Equal($"/api/v1/bulk-backups/{body.BulkId}", response.Headers.Location?.OriginalString);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement progress;
        while (true)
        {
            using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/bulk-backups/{body.BulkId}", Ct));
            progress = json.RootElement.Clone();
            if (progress.GetProperty("isFinished").GetBoolean() || DateTime.UtcNow > deadline) break;
            await Task.Delay(100, Ct);
        }
        Assert.True(progress.GetProperty("isFinished").GetBoolean());
        Assert.Equal((2, 2, 0, 0), (progress.GetProperty("total").GetInt32(), progress.GetProperty("done").GetInt32(),
            progress.GetProperty("failed").GetInt32(), progress.GetProperty("remaining").GetInt32()));

        using var runs = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs?bulk={body.BulkId}", Ct));
        var listed = runs.RootElement.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("deviceId").GetInt32()).Order().ToList();
        Assert.Equal(new[] { a, b }.Order(), listed);
    }

    [Fact]
    public async Task A_request_with_a_globex_or_missing_id_is_404_as_a_whole_and_queues_nothing()
    {
        using var client = await ClientAsync();
        var own = await portal.DeviceIdAsync(Acme, "acme-fw1");
        var globex = await portal.DeviceIdAsync("Globex", "globex-asa1");
        var before = await portal.LastSequenceAsync(Acme);
        var runsBefore = await RunCountAsync(client, own);

        foreach (var ids in new[] { new[] { own, globex }, new[] { own, 987_654 } })
        {
            var response = await client.PostAsJsonAsync("/api/v1/devices/backup", new { deviceIds = ids }, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {text}");
            Assert.DoesNotContain("globex", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(runsBefore, await RunCountAsync(client, own));
        Assert.True(await portal.LastSequenceAsync(Acme) >= before + 2); // each refusal audited (authorization_denied)
    }

    [Fact]
    public async Task Malformed_and_forbidden_requests_are_refused()
    {
        using var client = await ClientAsync();
        var own = await portal.DeviceIdAsync(Acme, "acme-fw1");

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/devices/backup", new { }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/devices/backup", new { deviceIds = new[] { own }, group = "core" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/devices/backup", new { deviceIds = Array.Empty<int>() }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/devices/backup", new { group = "no-such-group" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/runs?trigger=bogus", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/runs?status=1", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/bulk-backups/abc", Ct)).StatusCode);

        using var readOnly = await ClientAsync(ApiTokenScopes.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.PostAsJsonAsync("/api/v1/devices/backup", new { deviceIds = new[] { own } }, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_group_request_backs_up_the_whole_group()
    {
        using var client = await ClientAsync();

        var response = await client.PostAsJsonAsync("/api/v1/devices/backup", new { group = "firewall" }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<BulkResponse>(PortalFactory.Json, Ct))!;
        var item = Assert.Single(body.Items);
        Assert.Equal(await portal.DeviceIdAsync(Acme, "acme-fw1"), item.DeviceId);
        // The device was idle (the fixture waited for the demo's baseline; the other tests wait for their runs), so
        // the request queued a run of its own, of trigger api. A joined run would be the other run's (trigger schedule).
        Assert.False(item.Joined, "acme-fw1 had a run in flight");
        using var runs = JsonDocument.Parse(await client.GetStringAsync("/api/v1/runs?group=firewall&trigger=api", Ct));
        Assert.Contains(runs.RootElement.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetInt64() == item.RunId);

        // Leave the device idle for the next test of the collection.
        await PortalFactory.WaitForRunAsync(client, item.RunId!.Value);
    }
}
