using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Web.Auth;

namespace ConfigPortal.Web.Api;

/// <summary>
/// The automation API under /api/v1, authenticated by per-tenant API tokens. Ids and query values are parsed here so
/// that malformed input is a 400 problem, never a 404 or a 500; services do the authorization and tenancy.
/// </summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddEndpointFilter<ApiExceptionFilter>()
            .DisableAntiforgery();

        api.MapGet("/devices", async (HttpRequest req, DeviceService devices, CancellationToken ct) =>
        {
            var skip = Query.Int(req, "skip", 0, 0, int.MaxValue);
            var take = Query.Int(req, "take", 50, 1, 500);
            var page = await devices.ListAsync(new DeviceQuery(req.Query["search"], req.Query["sort"], Query.Bool(req, "desc"), skip, take), ct);
            return Results.Ok(new { total = page.TotalCount, items = page.Items });
        });

        api.MapGet("/devices/{id}", async (string id, DeviceService devices, CancellationToken ct) =>
            Results.Ok(await devices.GetAsync(Query.Id(id, "id"), ct)));

        api.MapPost("/devices/{id}/backup", async (string id, BackupService backups, CancellationToken ct) =>
        {
            var result = await backups.TriggerAsync(Query.Id(id, "id"), BackupTrigger.Api, ct);
            return Results.Accepted($"/api/v1/runs/{result.Run.Id}", new { joined = result.Joined, run = result.Run });
        });

        // Bulk Backup now: {"deviceIds": [..]} or {"group": ".."}. Every device is queued or joins its active run; disabled
        // devices are skipped; an id of another tenant (or none) refuses the whole request with 404.
        api.MapPost("/devices/backup", async (BulkBackupBody? body, BulkBackupService bulk, CancellationToken ct) =>
        {
            var result = (body?.DeviceIds, body?.Group) switch
            {
                ({ } ids, null) => await bulk.TriggerAsync(ids, BackupTrigger.Api, ct),
                (null, { } group) => await bulk.TriggerGroupAsync(group, BackupTrigger.Api, ct),
                _ => throw new BadApiRequestException("deviceIds", "Send either 'deviceIds' (an array of device ids) or 'group'."),
            };
            return Results.Accepted($"/api/v1/bulk-backups/{result.BulkId}", result);
        });

        api.MapGet("/bulk-backups/{id}", async (string id, BulkBackupService bulk, CancellationToken ct) =>
        {
            var p = await bulk.GetProgressAsync(Query.LongId(id, "id"), ct);
            return Results.Ok(new { bulkId = p.BulkId, p.RequestedAtUtc, p.RequestedBy, p.Requested, p.Skipped, p.Total, p.Done, p.Failed, p.Remaining, p.IsFinished, runs = p.Runs });
        });

        // Runs of the tenant, newest first, keyset paged (before = nextBefore of the previous page).
        api.MapGet("/runs", async (HttpRequest req, RunQueryService runs, CancellationToken ct) =>
        {
            var take = Query.Int(req, "take", 100, 1, RunQueryService.MaxPageSize);
            long? before = req.Query.ContainsKey("before") ? Query.RequiredLong(req, "before") : null;
            var page = await runs.QueryKeysetAsync(Query.RunFilter(req), before, take, ct);
            return Results.Ok(new { items = page.Items, nextBefore = page.NextBeforeId });
        });

        api.MapGet("/runs/{id}", async (string id, BackupService backups, CancellationToken ct) =>
            Results.Ok(await backups.GetRunAsync(Query.LongId(id, "id"), ct)));

        api.MapGet("/devices/{id}/snapshots", async (string id, HttpRequest req, SnapshotService snapshots, CancellationToken ct) =>
        {
            var page = await snapshots.ListAsync(Query.Id(id, "id"), Query.Int(req, "skip", 0, 0, int.MaxValue), Query.Int(req, "take", 50, 1, 500), ct);
            return Results.Ok(new { total = page.TotalCount, items = page.Items });
        });

        api.MapGet("/snapshots/{id}/raw", async (string id, SnapshotService snapshots, CancellationToken ct) =>
        {
            var snap = await snapshots.GetTextAsync(Query.LongId(id, "id"), forDownload: true, ct);
            return Results.Text(snap.Text, "text/plain; charset=utf-8");
        });

        api.MapGet("/devices/{id}/diff", async (string id, HttpRequest req, SnapshotService snapshots, CancellationToken ct) =>
        {
            var deviceId = Query.Id(id, "id");
            var from = Query.RequiredLong(req, "from");
            var to = Query.RequiredLong(req, "to");
            var diff = await snapshots.GetUnifiedDiffAsync(deviceId, from, to, ct);
            return Results.Text(diff, "text/x-diff; charset=utf-8");
        });

        // The tenant's config changes, newest first (the Changes page): filters deviceId, group, vendor, from, to; keyset
        // paged (before = nextBefore of the previous page).
        api.MapGet("/changes", async (HttpRequest req, ConfigPortal.Domain.Snapshots.Browsing.ChangesFeedService feed, CancellationToken ct) =>
        {
            var group = Query.Group(req);
            string? vendor = req.Query["vendor"];
            if (vendor is { Length: > 0 } && ConfigPortal.Domain.Configs.VendorProfiles.Find(vendor) is null)
                throw new BadApiRequestException("vendor", $"Unknown vendor '{vendor}'.");
            var page = await feed.ListAsync(new ConfigPortal.Domain.Snapshots.Browsing.ChangesFeedQuery(
                DeviceId: req.Query.TryGetValue("deviceId", out var d) ? Query.Id(d.ToString(), "deviceId") : null,
                Group: group,
                Vendor: vendor is { Length: > 0 } ? vendor : null,
                FromUtc: Query.Time(req, "from"),
                ToUtc: Query.Time(req, "to"),
                BeforeId: req.Query.ContainsKey("before") ? Query.RequiredLong(req, "before") : null,
                Take: Query.Int(req, "take", 50, 1, ConfigPortal.Domain.Snapshots.Browsing.ChangesFeedService.MaxTake)), ct);
            return Results.Ok(new { items = page.Items, nextBefore = page.OlderCursor });
        });

        // Config search across the latest config of every device (history=true: every snapshot): q, regex, matchCase,
        // context (0-5 lines). A bad regex is a 400 problem; a search cut by its limits says so (partial, and why).
        api.MapGet("/search", async (HttpRequest req, ConfigPortal.Domain.Snapshots.Browsing.ConfigSearchService search, CancellationToken ct) =>
        {
            var result = await search.SearchAsync(new ConfigPortal.Domain.Snapshots.Browsing.ConfigSearchRequest(
                req.Query["q"].ToString(), Query.Bool(req, "regex"), Query.Bool(req, "matchCase"), Query.Bool(req, "history"),
                Query.Int(req, "context", 2, 0, ConfigPortal.Domain.Snapshots.Browsing.ConfigSearchService.MaxContextLines)), ct);
            return Results.Ok(new
            {
                results = result.Results.Select(r => new
                {
                    r.DeviceId, r.DeviceName, r.Vendor, r.SnapshotId, r.FirstSeenAtUtc, r.IsLatest, r.MatchingLines,
                    blocks = r.Blocks.Select(b => b.Lines.Select(l => new { number = l.Number, text = l.Text, match = l.IsMatch })),
                }),
                result.Searched, result.Total, result.MatchingLines, partial = result.IsPartial, result.LimitReached, result.DeadlineReached,
                timedOut = result.TimedOut, elapsedMs = Math.Round(result.Elapsed.TotalMilliseconds),
            });
        });

        api.MapGet("/audit", async (HttpRequest req, AuditQueryService audit, CancellationToken ct) =>
        {
            var filter = Query.AuditFilter(req);
            var take = Query.Int(req, "take", 100, 1, AuditQueryService.MaxPageSize);
            long? before = req.Query.ContainsKey("before") ? Query.RequiredLong(req, "before") : null;
            var page = await audit.QueryKeysetAsync(filter, before, take, ct);
            return Results.Ok(new { items = page.Items, nextBefore = page.NextBeforeSequence });
        });

        api.MapPost("/audit/verify", async (AuditVerifier verifier, CancellationToken ct) =>
            Results.Ok(await verifier.VerifyAsync(ct)));

        // Streamed export of the filter (oldest first, chain fields included); format=csv|jsonl.
        api.MapGet("/audit/export", async (HttpRequest req, AuditExportService exports, CancellationToken ct) =>
        {
            var format = Query.ExportFormat(req);
            var export = await exports.PrepareAsync(Query.AuditFilter(req), format, ct);
            return AuditDownloads.Stream(export, ct);
        });

        // The verified chain head signed with the chain key; keep it to prove later that nothing was cut off the end.
        api.MapGet("/audit/head", async (AuditExportService exports, CancellationToken ct) => AuditDownloads.Head(await exports.SignedHeadAsync(ct)));

        return app;
    }
}

/// <summary>Responses of the audit exports, shared by the API and the cookie downloads.</summary>
internal static class AuditDownloads
{
    /// <summary>Streams the prepared export into the response body as it is read (no buffering of the result).</summary>
    public static IResult Stream(AuditExport export, CancellationToken requestAborted) =>
        Results.Stream(body => export.WriteAsync(body, requestAborted), export.ContentType, export.FileName);

    public static IResult Head((ChainVerification Verification, SignedChainHead? Head) result) =>
        result.Head is { } head
            ? Results.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(head, AuditExportService.JsonOptions), "application/json",
                string.Create(CultureInfo.InvariantCulture, $"audit-head-tenant{head.TenantId}-seq{head.Sequence}.json"))
            : Results.Problem(statusCode: 409, title: "Chain broken",
                detail: $"The chain is broken at sequence {result.Verification.FirstBrokenSequence}: {result.Verification.Problem} A head is only signed for an intact chain.");
}

/// <summary>The body of <c>POST /api/v1/devices/backup</c>: device ids or a group, not both.</summary>
public sealed record BulkBackupBody(int[]? DeviceIds, string? Group);

/// <summary>Maps domain exceptions to problem responses.</summary>
internal sealed class ApiExceptionFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (BadApiRequestException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }, title: "Malformed request");
        }
        catch (ValidationException ex)
        {
            return Results.ValidationProblem(ex.Errors.ToDictionary(e => e.Key, e => e.Value), title: "Invalid input");
        }
        catch (NotFoundException ex)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: ex.Message);
        }
        catch (AccessDeniedException ex)
        {
            return Results.Problem(statusCode: 403, title: "Forbidden", detail: ex.Message);
        }
    }
}

internal sealed class BadApiRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Strict parsing of route and query values.</summary>
internal static class Query
{
    public static int Id(string value, string field) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id : throw new BadApiRequestException(field, $"'{field}' must be a positive integer.");

    public static long LongId(string value, string field) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id : throw new BadApiRequestException(field, $"'{field}' must be a positive integer.");

    public static long RequiredLong(HttpRequest req, string name) =>
        req.Query.TryGetValue(name, out var v) ? LongId(v.ToString(), name) : throw new BadApiRequestException(name, $"'{name}' is required.");

    public static int Int(HttpRequest req, string name, int fallback, int min, int max)
    {
        if (!req.Query.TryGetValue(name, out var v)) return fallback;
        return int.TryParse(v.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max
            ? i : throw new BadApiRequestException(name, $"'{name}' must be an integer between {min} and {max}.");
    }

    public static bool Bool(HttpRequest req, string name) =>
        req.Query.TryGetValue(name, out var v) && (bool.TryParse(v.ToString(), out var b) ? b : throw new BadApiRequestException(name, $"'{name}' must be true or false."));

    public static DateTime? Time(HttpRequest req, string name)
    {
        if (!req.Query.TryGetValue(name, out var v)) return null;
        return DateTimeOffset.TryParse(v.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.UtcDateTime : throw new BadApiRequestException(name, $"'{name}' must be an ISO 8601 time.");
    }

    public static AuditExportFormat ExportFormat(HttpRequest req) => req.Query["format"].ToString().ToLowerInvariant() switch
    {
        "" or "csv" => AuditExportFormat.Csv,
        "jsonl" or "ndjson" => AuditExportFormat.JsonLines,
        _ => throw new BadApiRequestException("format", "'format' must be csv or jsonl."),
    };

    private static T? EnumValue<T>(HttpRequest req, string name) where T : struct, System.Enum
    {
        if (!req.Query.TryGetValue(name, out var v)) return null;
        var s = v.ToString();
        return System.Enum.TryParse<T>(s, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed) && !int.TryParse(s, out _)
            ? parsed
            : throw new BadApiRequestException(name, $"'{name}' must be one of: {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }

    /// <summary>The optional device group filter (at most a group name's length).</summary>
    public static string? Group(HttpRequest req)
    {
        string? group = req.Query["group"];
        return group is { Length: > Device.MaxGroupLength }
            ? throw new BadApiRequestException("group", $"'group' is at most {Device.MaxGroupLength} characters.")
            : group;
    }

    public static RunFilter RunFilter(HttpRequest req)
    {
        var group = Group(req);
        return new RunFilter
        {
            FromUtc = Time(req, "from"),
            ToUtc = Time(req, "to"),
            DeviceId = req.Query.TryGetValue("deviceId", out var d) ? Id(d.ToString(), "deviceId") : null,
            Group = group,
            Trigger = EnumValue<BackupTrigger>(req, "trigger"),
            Status = EnumValue<RunStatusFilter>(req, "status"),
            Outcome = EnumValue<RunOutcome>(req, "outcome"),
            FailureKind = EnumValue<FailureKind>(req, "failure"),
            BulkId = req.Query.TryGetValue("bulk", out var b) ? LongId(b.ToString(), "bulk") : null,
        };
    }

    public static AuditFilter AuditFilter(HttpRequest req)
    {
        var actions = req.Query["action"].SelectMany(a => (a ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var a in actions)
        {
            if (!AuditActions.All.Contains(a)) throw new BadApiRequestException("action", $"Unknown audit action '{a}'.");
        }
        AuditOutcome? outcome = null;
        if (req.Query.TryGetValue("outcome", out var o))
            outcome = Enum.TryParse<AuditOutcome>(o.ToString(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed : throw new BadApiRequestException("outcome", "'outcome' must be success, failure or denied.");
        int? deviceId = req.Query.TryGetValue("deviceId", out var d) ? Id(d.ToString(), "deviceId") : null;
        string? resourceType = req.Query["resourceType"];
        if (resourceType is { Length: > 64 }) throw new BadApiRequestException("resourceType", "'resourceType' is at most 64 characters.");
        string? ip = req.Query["ip"];
        if (ip is { Length: > 64 }) throw new BadApiRequestException("ip", "'ip' is at most 64 characters.");
        return new AuditFilter
        {
            FromUtc = Time(req, "from"),
            ToUtc = Time(req, "to"),
            Actions = actions,
            Actor = req.Query["actor"],
            DeviceId = deviceId,
            Outcome = outcome,
            ResourceType = resourceType,
            ClientIp = ip,
            Text = req.Query["text"],
            CorrelationId = req.Query["correlationId"],
        };
    }
}
