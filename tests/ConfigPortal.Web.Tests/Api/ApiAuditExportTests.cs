using System.Net;
using System.Text;
using System.Text.Json;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Web.Tests.Support;

namespace ConfigPortal.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ApiAuditExportTests(PortalFactory portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AuditHasher HasherFromKeyFile() =>
        new(OfflineAuditVerifier.ReadKeyFile(Path.Combine(portal.DataDirectory, "audit-chain.key")));

    [Fact]
    public async Task A_jsonl_export_of_the_whole_tenant_verifies_offline_against_a_signed_head_taken_before_it()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(token.Secret);

        var headResponse = await client.GetAsync("/api/v1/audit/head", Ct);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        var head = JsonSerializer.Deserialize<SignedChainHead>(await headResponse.Content.ReadAsStringAsync(Ct), AuditExportService.JsonOptions)!;
        Assert.Equal(await portal.TenantIdAsync("Acme Networks"), head.TenantId);
        Assert.True(HasherFromKeyFile().IsAuthentic(head));

        var response = await client.GetAsync("/api/v1/audit/export?format=jsonl", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".jsonl", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);

        using var reader = new StreamReader(new MemoryStream(body), Encoding.UTF8);
        var result = await OfflineAuditVerifier.VerifyAsync(reader, HasherFromKeyFile(), head, Ct);
        Assert.True(result.Intact, result.Problem);
        Assert.True(result.VerifiedUpTo >= head.Sequence);

        // The same through the command line (`dotnet ConfigPortal.Web.dll verify-audit ...`): intact, then with the tail cut.
        var dir = Directory.CreateTempSubdirectory("cp-verify-audit-").FullName;
        try
        {
            var file = Path.Combine(dir, "export.jsonl");
            var headFile = Path.Combine(dir, "head.json");
            var keyFile = Path.Combine(portal.DataDirectory, "audit-chain.key");
            await File.WriteAllBytesAsync(file, body, Ct);
            await File.WriteAllBytesAsync(headFile, await headResponse.Content.ReadAsByteArrayAsync(Ct), Ct);
            Assert.Equal(0, await global::ConfigPortal.Web.Operations.TryRunVerifyAuditAsync(["verify-audit", "--file", file, "--key-file", keyFile, "--head", headFile]));

            var lines = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await File.WriteAllLinesAsync(file, lines.Take((int)head.Sequence - 2), Ct);
            Assert.Equal(1, await global::ConfigPortal.Web.Operations.TryRunVerifyAuditAsync(["verify-audit", "--file", file, "--key-file", keyFile, "--head", headFile]));
            Assert.Equal(2, await global::ConfigPortal.Web.Operations.TryRunVerifyAuditAsync(["verify-audit", "--file", file]));
            Assert.Null(await global::ConfigPortal.Web.Operations.TryRunVerifyAuditAsync(["--urls", "http://127.0.0.1:0"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_csv_export_of_a_filter_is_recorded_as_audit_exported()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(token.Secret);

        var response = await client.GetAsync("/api/v1/audit/export?format=csv&action=api_token_created", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var csv = await response.Content.ReadAsStringAsync(Ct);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("tenantId,sequence,timestampUtc,", lines[0], StringComparison.Ordinal);
        Assert.True(lines.Length >= 2);
        Assert.All(lines.Skip(1), l => Assert.Contains(",api_token_created,", l, StringComparison.Ordinal));

        var audit = await client.GetAsync("/api/v1/audit?action=audit_exported&take=50", Ct);
        using var doc = JsonDocument.Parse(await audit.Content.ReadAsStringAsync(Ct));
        Assert.Contains(doc.RootElement.GetProperty("items").EnumerateArray(), e =>
            e.GetProperty("detailsJson").GetString()!.Contains("\"format\":\"csv\"", StringComparison.Ordinal)
            && e.GetProperty("detailsJson").GetString()!.Contains("api_token_created", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/v1/audit/export?format=xml", "format")]
    [InlineData("/api/v1/audit/export?action=nope", "action")]
    public async Task A_malformed_export_request_is_a_400(string url, string field)
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Read);
        using var client = portal.ClientWith(token.Secret);

        var response = await client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_token_without_read_scope_may_not_export()
    {
        var token = await portal.CreateTokenAsync("Acme Networks", ApiTokenScopes.Backup);
        using var client = portal.ClientWith(token.Secret);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit/export?format=csv", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit/head", Ct)).StatusCode);
    }
}
