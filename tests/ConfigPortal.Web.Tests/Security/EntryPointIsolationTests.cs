using System.Net;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Security;

/// <summary>
/// Every entry point that takes an id — API endpoints, downloads and pages, enumerated from the running app — called as
/// Acme with Globex's ids and with ids that do not exist: not-found every time, never data, never a 500, and an
/// authorization_denied entry in Acme's audit log for each call.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class EntryPointIsolationTests(PortalFactory portal)
{
    private const string Acme = "Acme Networks";
    private const int Missing = 987_654;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_id_taking_endpoint_and_page_of_the_app_is_known_to_these_tests()
    {
        var endpoints = EntryPoints.IdTakingEndpoints(portal.Services);

        var unknown = endpoints.Where(e => e.Kind switch
        {
            "api" => !EntryPoints.Api.ContainsKey(e.Key),
            "download" => false,
            "page" => !EntryPoints.Pages.ContainsKey(e.Key),
            _ => true,
        }).Select(e => $"{e.Kind}: {e.Key}").ToList();
        Assert.True(unknown.Count == 0, "Add these to EntryPoints (how to call them with another tenant's ids): " + string.Join(", ", unknown));

        // Every listed entry point still exists (a renamed route must not leave a dead entry that tests nothing).
        var keys = endpoints.Select(e => e.Key).ToHashSet();
        Assert.All(EntryPoints.Api.Keys.Concat(EntryPoints.Downloads.Keys).Concat(EntryPoints.Pages.Keys), k => Assert.Contains(k, keys));
        // The pages seen by routing are the pages declared in the assembly.
        Assert.Equal(EntryPoints.PageTemplatesWithParameters(), EntryPoints.Pages.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_api_endpoint_answers_404_to_globex_and_missing_ids_and_audits_each_denial()
    {
        var (globex, missing) = await TargetsAsync();
        var acme = await portal.CreateTokenAsync(Acme, ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var client = portal.ClientWith(acme.Secret);

        foreach (var endpoint in EntryPoints.IdTakingEndpoints(portal.Services).Where(e => e.Kind == "api"))
        {
            var method = new HttpMethod(endpoint.Key.Split(' ')[0]);
            foreach (var url in EntryPoints.Api[endpoint.Key](globex).Concat(EntryPoints.Api[endpoint.Key](missing)))
            {
                var before = await portal.LastSequenceAsync(Acme);
                using var request = new HttpRequestMessage(method, url);
                var response = await client.SendAsync(request, Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);

                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {url} gave {(int)response.StatusCode}: {body}");
                Assert.DoesNotContain("globex", body, StringComparison.OrdinalIgnoreCase);
                await AssertDeniedAsync(before, $"{method} {url}");
            }
        }
    }

    [Fact]
    public async Task Every_page_and_download_with_an_id_shows_not_found_to_an_acme_user_for_globex_and_missing_ids()
    {
        var (globex, missing) = await TargetsAsync();
        using var browser = Browser.Open(portal);
        await browser.SignInOkAsync("admin@acme.example");
        var endpoints = EntryPoints.IdTakingEndpoints(portal.Services);

        foreach (var page in endpoints.Where(e => e.Kind == "page"))
        {
            foreach (var url in EntryPoints.Pages[page.Key](globex).Concat(EntryPoints.Pages[page.Key](missing)))
            {
                var before = await portal.LastSequenceAsync(Acme);
                var response = await browser.Client.GetAsync(url, Ct);
                var html = await response.Content.ReadAsStringAsync(Ct);

                Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} gave {(int)response.StatusCode}");
                Assert.Contains("data-testid=\"not-found\"", html, StringComparison.Ordinal);
                Assert.DoesNotContain("globex-", html, StringComparison.OrdinalIgnoreCase);
                await AssertDeniedAsync(before, $"page {url}");
            }
        }

        foreach (var download in endpoints.Where(e => e.Kind == "download"))
        {
            foreach (var url in EntryPoints.Downloads[download.Key](globex).Concat(EntryPoints.Downloads[download.Key](missing)))
            {
                var before = await portal.LastSequenceAsync(Acme);
                var response = await browser.Client.GetAsync(url, Ct);

                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {url} gave {(int)response.StatusCode}");
                Assert.DoesNotContain("globex", await response.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
                await AssertDeniedAsync(before, $"download {url}");
            }
        }
    }

    private async Task AssertDeniedAsync(long before, string call)
    {
        var entries = await portal.AuditSinceAsync(Acme, before);
        Assert.True(entries.Any(e => e.Action == AuditActions.AuthorizationDenied && e.Outcome == AuditOutcome.Denied),
            $"{call} left no authorization_denied entry (new entries: {string.Join(", ", entries.Select(e => e.Action))})");
    }

    /// <summary>A Globex device with a finished run and snapshot, the same shapes with ids that exist nowhere.</summary>
    private async Task<(TargetIds Globex, TargetIds Missing)> TargetsAsync()
    {
        var globexToken = await portal.CreateTokenAsync("Globex", ApiTokenScopes.Read | ApiTokenScopes.Backup);
        using var globexClient = portal.ClientWith(globexToken.Secret);
        var globexDevice = await portal.DeviceIdAsync("Globex", "globex-core1");
        var (run, _) = await PortalFactory.BackupAndWaitAsync(globexClient, globexDevice);
        Assert.NotNull(run.SnapshotId);
        var ownDevice = await portal.DeviceIdAsync(Acme, "acme-core-sw1");
        return (new TargetIds(globexDevice, run.SnapshotId.Value, run.Id, ownDevice), new TargetIds(Missing, Missing, Missing, ownDevice));
    }
}
