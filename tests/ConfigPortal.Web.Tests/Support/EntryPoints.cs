using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Web.Tests.Support;

/// <summary>The ids a call is made with: the "other" tenant's (or missing) ids, and one own device for mixed calls.</summary>
public sealed record TargetIds(int Device, long Snapshot, long Run, int OwnDevice)
{
    public string D => Device.ToString(CultureInfo.InvariantCulture);
    public string S => Snapshot.ToString(CultureInfo.InvariantCulture);
    public string R => Run.ToString(CultureInfo.InvariantCulture);
    public string Own => OwnDevice.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Every entry point of the running app that takes an id, read from its <see cref="EndpointDataSource"/> and from the
/// route attributes of the Razor components, and how to call each with given ids. A new id-taking endpoint or page
/// that is not listed here fails the isolation tests until someone says how to call it.
/// </summary>
public static class EntryPoints
{
    /// <summary>API endpoints (API token): "METHOD pattern" → URLs for the given ids.</summary>
    public static readonly IReadOnlyDictionary<string, Func<TargetIds, string[]>> Api = new Dictionary<string, Func<TargetIds, string[]>>
    {
        ["GET /api/v1/devices/{id}"] = i => [$"/api/v1/devices/{i.D}"],
        ["POST /api/v1/devices/{id}/backup"] = i => [$"/api/v1/devices/{i.D}/backup"],
        ["GET /api/v1/runs/{id}"] = i => [$"/api/v1/runs/{i.R}"],
        // A bulk request id of the other tenant (its runs' ids double as bulk ids there; missing ids are missing either way).
        ["GET /api/v1/bulk-backups/{id}"] = i => [$"/api/v1/bulk-backups/{i.R}"],
        ["GET /api/v1/devices/{id}/snapshots"] = i => [$"/api/v1/devices/{i.D}/snapshots"],
        ["GET /api/v1/snapshots/{id}/raw"] = i => [$"/api/v1/snapshots/{i.S}/raw"],
        ["GET /api/v1/devices/{id}/diff"] = i => [$"/api/v1/devices/{i.D}/diff?from={i.S}&to={i.S}", $"/api/v1/devices/{i.Own}/diff?from={i.S}&to={i.S}"],
    };

    /// <summary>Cookie endpoints that are not pages (downloads).</summary>
    public static readonly IReadOnlyDictionary<string, Func<TargetIds, string[]>> Downloads = new Dictionary<string, Func<TargetIds, string[]>>
    {
        ["GET /download/snapshots/{id:long}"] = i => [$"/download/snapshots/{i.S}"],
        ["GET /download/devices/{deviceId:int}/diff"] = i => [$"/download/devices/{i.D}/diff?from={i.S}&to={i.S}", $"/download/devices/{i.Own}/diff?from={i.S}&to={i.S}"],
    };

    /// <summary>Pages (component route templates) → URLs.</summary>
    public static readonly IReadOnlyDictionary<string, Func<TargetIds, string[]>> Pages = new Dictionary<string, Func<TargetIds, string[]>>
    {
        ["/devices/{DeviceId:int}"] = i => [$"/devices/{i.D}"],
        ["/devices/{DeviceId:int}/diff"] = i => [$"/devices/{i.D}/diff", $"/devices/{i.Own}/diff?from={i.S}&to={i.S}"],
        ["/snapshots/{SnapshotId:long}"] = i => [$"/snapshots/{i.S}"],
        // The other tenant's (or a missing) device on either side, or its snapshot on the right.
        ["/devices/{DeviceId:int}/section-diff"] = i =>
        [
            $"/devices/{i.D}/section-diff",
            $"/devices/{i.Own}/section-diff?other={i.D}&section=interface%20GigabitEthernet1%2F0%2F1",
            $"/devices/{i.Own}/section-diff?other={i.Own}&section=interface%20GigabitEthernet1%2F0%2F1&to={i.S}",
        ],
    };

    /// <summary>Framework endpoints with route values that are not ids of tenant data.</summary>
    /// <summary>
    /// Framework endpoints with route values that are not ids of tenant data; the OpenAPI document and its reference
    /// page take a document name (admins only, no tenant data).
    /// </summary>
    private static readonly string[] FrameworkPrefixes = ["/_blazor", "/_framework", "/_content", "/health", "/openapi/", "/api/reference"];

    public sealed record Endpoint(string Kind, string Key);

    /// <summary>Every route endpoint with a route parameter, classified as api, download, page or unknown.</summary>
    public static IReadOnlyList<Endpoint> IdTakingEndpoints(IServiceProvider services)
    {
        var result = new List<Endpoint>();
        foreach (var e in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (e.RoutePattern.RawText ?? "").TrimStart('/');
            if (e.RoutePattern.Parameters.Count == 0) continue;
            if (FrameworkPrefixes.Any(p => pattern.StartsWith(p, StringComparison.OrdinalIgnoreCase))) continue;
            // The static web assets' fallback ("/{**path:file}") serves files of the build, never tenant data.
            if (pattern == "/{**path:file}") continue;
            if (e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            {
                result.Add(new Endpoint("page", pattern));
                continue;
            }
            // Static assets are served by endpoints with file-name patterns; they carry no tenant data.
            if (e.Metadata.Any(m => m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal))) continue;
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
            {
                var key = $"{method} {pattern}";
                result.Add(new Endpoint(pattern.StartsWith("/api/", StringComparison.Ordinal) ? "api" : Downloads.ContainsKey(key) ? "download" : "unknown", key));
            }
        }
        return result.Distinct().ToList();
    }

    /// <summary>The route templates with parameters of every routable component in the web assembly.</summary>
    public static IReadOnlyList<string> PageTemplatesWithParameters() =>
        typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => r.Template)
            .Where(t => t.Contains('{', StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
}
