using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Audit;

public enum AuditExportFormat
{
    Csv = 1,
    JsonLines = 2,
}

/// <summary>
/// One exported entry: every field of the canonical form plus the chain fields, so a JSON Lines export can be re-hashed
/// offline (see <see cref="OfflineAuditVerifier"/>).
/// </summary>
public sealed record AuditExportLine(
    int TenantId,
    long Sequence,
    DateTime TimestampUtc,
    ActorKind ActorKind,
    string? ActorId,
    string ActorName,
    string Action,
    string? ResourceType,
    string? ResourceId,
    int? DeviceId,
    string? DeviceName,
    string? ClientIp,
    string? UserAgent,
    string? CorrelationId,
    AuditOutcome Outcome,
    string DetailsJson,
    string PreviousHash,
    string Hash)
{
    public AuditEntry ToEntry() => new()
    {
        TenantId = TenantId,
        Sequence = Sequence,
        TimestampUtc = DateTime.SpecifyKind(TimestampUtc.ToUniversalTime(), DateTimeKind.Utc),
        ActorKind = ActorKind,
        ActorId = ActorId,
        ActorName = ActorName,
        Action = Action,
        ResourceType = ResourceType,
        ResourceId = ResourceId,
        DeviceId = DeviceId,
        DeviceName = DeviceName,
        ClientIp = ClientIp,
        UserAgent = UserAgent,
        CorrelationId = CorrelationId,
        Outcome = Outcome,
        DetailsJson = DetailsJson,
        PreviousHash = PreviousHash,
        Hash = Hash,
    };
}

/// <summary>
/// The head of a tenant's chain as verification saw it, signed with the chain key. An auditor keeps it; a later export
/// that ends before <see cref="Sequence"/>, or holds a different hash there, had entries cut off the end.
/// </summary>
public sealed record SignedChainHead(string Format, int TenantId, long Sequence, string Hash, DateTime VerifiedAtUtc, string Signature)
{
    public const string FormatName = "configportal-audit-head-v1";
}

/// <summary>
/// Streams the audit entries of the caller's tenant that match a filter as CSV or JSON Lines, oldest first, in keyset
/// batches (never the whole result in memory), and records <see cref="AuditActions.AuditExported"/>.
/// </summary>
public sealed class AuditExportService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit, AuditVerifier verifier, AuditHasher hasher)
{
    public const int BatchSize = 1000;

    /// <summary>JSON of export lines and signed heads: camelCase, enums as names, HTML-sensitive and control characters escaped.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "tenantId", "sequence", "timestampUtc", "actorKind", "actorId", "actorName", "action", "resourceType", "resourceId",
        "deviceId", "deviceName", "clientIp", "userAgent", "correlationId", "outcome", "detailsJson", "previousHash", "hash",
    ];

    /// <summary>
    /// Authorizes the caller and fixes the export's upper bound (the tenant's last sequence now), so entries appended while
    /// the file streams (this export's own audit entry among them) are not half included. Call before the response starts.
    /// </summary>
    public async Task<AuditExport> PrepareAsync(AuditFilter filter, AuditExportFormat format, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ViewAudit, "export the audit log", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var upTo = await db.AuditEntries.AsNoTracking().Where(e => e.TenantId == grant.TenantId).MaxAsync(e => (long?)e.Sequence, ct) ?? 0;
        return new AuditExport(this, grant.TenantId, filter, format, upTo);
    }

    /// <summary>
    /// Verifies the caller's chain (recorded as <see cref="AuditActions.AuditIntegrityVerified"/>) and, when it is intact,
    /// returns its head signed with the chain key (recorded as <see cref="AuditActions.AuditExported"/>). Null when broken.
    /// </summary>
    public async Task<(ChainVerification Verification, SignedChainHead? Head)> SignedHeadAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ViewAudit, "export the audit chain head", ct);
        var v = await verifier.VerifyAsync(ct);
        if (!v.Intact)
            return (v, null);
        var at = DateTime.SpecifyKind(v.VerifiedAtUtc, DateTimeKind.Utc);
        var head = new SignedChainHead(SignedChainHead.FormatName, grant.TenantId, v.HeadSequence, v.HeadHash, at,
            hasher.SignHead(grant.TenantId, v.HeadSequence, v.HeadHash, at));
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = grant.TenantId,
            Action = AuditActions.AuditExported,
            ResourceType = "audit_chain",
            ResourceId = grant.TenantId.ToString(CultureInfo.InvariantCulture),
            Details = new { format = "signed_head", headSequence = head.Sequence, headHash = head.Hash },
        }, ct);
        return (v, head);
    }

    /// <summary>Entries of one tenant matching the filter, oldest first, up to a sequence, one keyset batch in memory at a time.</summary>
    internal async IAsyncEnumerable<AuditExportLine> ReadAsync(int tenantId, AuditFilter filter, long upTo, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (IsWholeChain(filter))
        {
            // The whole chain (the export an auditor verifies offline): one streamed plain reader, as the verifier reads
            // it; EF's materialization was about half of the export's time. Memory stays flat: one row at a time.
            await using var db = await dbFactory.CreateAsync(ct);
            await foreach (var e in AuditChainReader.ReadAsync(db, tenantId, upTo, ct))
                yield return new AuditExportLine(e.TenantId, e.Sequence, e.TimestampUtc, e.ActorKind, e.ActorId, e.ActorName, e.Action, e.ResourceType,
                    e.ResourceId, e.DeviceId, e.DeviceName, e.ClientIp, e.UserAgent, e.CorrelationId, e.Outcome, e.DetailsJson, e.PreviousHash, e.Hash);
            yield break;
        }
        long after = 0;
        while (true)
        {
            List<AuditExportLine> batch;
            await using (var db = await dbFactory.CreateAsync(ct))
            {
                var q = AuditQueryService.Apply(db, filter)
                    .Where(e => e.TenantId == tenantId && e.Sequence > after && e.Sequence <= upTo);
                batch = await q.OrderBy(e => e.Sequence).Take(BatchSize).Select(e => new AuditExportLine(
                    e.TenantId, e.Sequence, e.TimestampUtc, e.ActorKind, e.ActorId, e.ActorName, e.Action, e.ResourceType, e.ResourceId,
                    e.DeviceId, e.DeviceName, e.ClientIp, e.UserAgent, e.CorrelationId, e.Outcome, e.DetailsJson, e.PreviousHash, e.Hash)).ToListAsync(ct);
            }
            foreach (var line in batch)
                yield return line with { TimestampUtc = DateTime.SpecifyKind(line.TimestampUtc, DateTimeKind.Utc) };
            if (batch.Count < BatchSize)
                yield break;
            after = batch[^1].Sequence;
        }
    }

    /// <summary>True when <paramref name="f"/> selects nothing out (the same conditions under which <c>AuditQueryService.Apply</c> adds no filter).</summary>
    internal static bool IsWholeChain(AuditFilter f) =>
        f.FromUtc is null && f.ToUtc is null && f.Actions is not { Count: > 0 } && string.IsNullOrWhiteSpace(f.Actor) && f.DeviceId is null
        && f.Outcome is null && string.IsNullOrWhiteSpace(f.ResourceType) && string.IsNullOrWhiteSpace(f.ClientIp)
        && string.IsNullOrWhiteSpace(f.CorrelationId) && string.IsNullOrWhiteSpace(f.Text);

    internal Task RecordExportAsync(int tenantId, AuditExport export, long rows, long? first, long? last, bool completed) =>
        audit.RecordAsync(new AuditRecord
        {
            TenantId = tenantId,
            Action = AuditActions.AuditExported,
            ResourceType = "audit_log",
            ResourceId = tenantId.ToString(CultureInfo.InvariantCulture),
            Outcome = completed ? AuditOutcome.Success : AuditOutcome.Failure,
            Details = new
            {
                format = export.Format == AuditExportFormat.Csv ? "csv" : "jsonl",
                rows,
                firstSequence = first,
                lastSequence = last,
                upToSequence = export.UpToSequence,
                completed,
                filter = Describe(export.Filter),
            },
        });

    private static Dictionary<string, object> Describe(AuditFilter f)
    {
        var d = new Dictionary<string, object>();
        if (f.FromUtc is { } from) d["from"] = from.ToString("o", CultureInfo.InvariantCulture);
        if (f.ToUtc is { } to) d["to"] = to.ToString("o", CultureInfo.InvariantCulture);
        if (f.Actions is { Count: > 0 } a) d["actions"] = a;
        if (!string.IsNullOrWhiteSpace(f.Actor)) d["actor"] = f.Actor;
        if (f.DeviceId is { } dev) d["deviceId"] = dev;
        if (!string.IsNullOrWhiteSpace(f.ResourceType)) d["resourceType"] = f.ResourceType;
        if (f.Outcome is { } o) d["outcome"] = o.ToString();
        if (!string.IsNullOrWhiteSpace(f.ClientIp)) d["clientIp"] = f.ClientIp;
        if (!string.IsNullOrWhiteSpace(f.Text)) d["text"] = f.Text;
        if (!string.IsNullOrWhiteSpace(f.CorrelationId)) d["correlationId"] = f.CorrelationId;
        return d;
    }
}

/// <summary>A prepared export: authorized, bounded; <see cref="WriteAsync"/> streams it.</summary>
public sealed class AuditExport
{
    private readonly AuditExportService _service;

    internal AuditExport(AuditExportService service, int tenantId, AuditFilter filter, AuditExportFormat format, long upToSequence)
    {
        _service = service;
        TenantId = tenantId;
        Filter = filter;
        Format = format;
        UpToSequence = upToSequence;
    }

    public int TenantId { get; }
    public AuditFilter Filter { get; }
    public AuditExportFormat Format { get; }
    public long UpToSequence { get; }
    public string ContentType => Format == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
    public string FileName => string.Create(CultureInfo.InvariantCulture,
        $"audit-tenant{TenantId}-upto{UpToSequence}.{(Format == AuditExportFormat.Csv ? "csv" : "jsonl")}");

    /// <summary>Writes the export to <paramref name="destination"/>, flushing after every batch, then records the export.</summary>
    public async Task WriteAsync(Stream destination, CancellationToken ct = default)
    {
        long rows = 0;
        long? first = null, last = null;
        var completed = false;
        try
        {
            var lines = _service.ReadAsync(TenantId, Filter, UpToSequence, ct);
            if (Format == AuditExportFormat.Csv)
            {
                await using var csv = CsvWriter.Create(destination, AuditCsv.WriterOptions, leaveOpen: true);
                csv.WriteHeader(AuditExportService.CsvColumns.ToArray());
                await foreach (var line in lines)
                {
                    csv.WriteRecord(AuditCsv.Fields(line));
                    first ??= line.Sequence;
                    last = line.Sequence;
                    if (++rows % AuditExportService.BatchSize == 0)
                        await csv.FlushAsync(ct);
                }
                await csv.FlushAsync(ct);
            }
            else
            {
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
                {
                    await foreach (var line in lines)
                    {
                        JsonSerializer.Serialize(json, line, AuditExportService.JsonOptions);
                        json.Flush();
                        buffer.Write("\n"u8);
                        json.Reset(buffer);
                        first ??= line.Sequence;
                        last = line.Sequence;
                        rows++;
                        if (buffer.WrittenCount >= 32 * 1024)
                        {
                            await destination.WriteAsync(buffer.WrittenMemory, ct);
                            await destination.FlushAsync(ct);
                            buffer.ResetWrittenCount();
                        }
                    }
                }
                await destination.WriteAsync(buffer.WrittenMemory, ct);
                await destination.FlushAsync(ct);
            }
            completed = true;
        }
        finally
        {
            await _service.RecordExportAsync(TenantId, this, rows, first, last, completed);
        }
    }
}

/// <summary>CSV form of the export: RFC 4180, UTF-8, spreadsheet-safe.</summary>
public static class AuditCsv
{
    /// <summary>
    /// RFC 4180 (CRLF records, quoted when needed), and formula injection escaped: a text cell that starts with = + - @, tab
    /// or CR gets a leading single quote.
    /// </summary>
    public static readonly CsvWriterOptions WriterOptions = new()
    {
        Injection = CsvInjection.Escape,
        InjectionEscape = '\'',
    };

    public static string?[] Fields(AuditExportLine l) =>
    [
        l.TenantId.ToString(CultureInfo.InvariantCulture),
        l.Sequence.ToString(CultureInfo.InvariantCulture),
        // "O" of a UTC time is yyyy-MM-ddTHH:mm:ss.fffffffZ, the same text as the custom pattern, on the runtime's fast path.
        DateTime.SpecifyKind(l.TimestampUtc, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
        l.ActorKind.ToString(),
        Text(l.ActorId),
        Text(l.ActorName),
        Text(l.Action),
        Text(l.ResourceType),
        Text(l.ResourceId),
        l.DeviceId?.ToString(CultureInfo.InvariantCulture),
        Text(l.DeviceName),
        Text(l.ClientIp),
        Text(l.UserAgent),
        Text(l.CorrelationId),
        l.Outcome.ToString(),
        Text(l.DetailsJson),
        l.PreviousHash,
        l.Hash,
    ];

    /// <summary>
    /// Terminal control characters (ESC of ANSI sequences, BEL, backspace...) become their visible Unicode control pictures
    /// (ESC → U+241B), so viewing the file in a terminal cannot rewrite it; CR, LF and tab stay (RFC 4180 quotes them).
    /// The JSON Lines export keeps exact values (JSON escapes control characters) and is the one to verify offline.
    /// </summary>
    public static string? Text(string? value)
    {
        if (value is null || !value.AsSpan().ContainsAnyInRange('\0', '\u001f') && !value.Contains('\u007f') && !value.AsSpan().ContainsAnyInRange('\u0080', '\u009f'))
            return value;
        return string.Create(value.Length, value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                var c = v[i];
                span[i] = c switch
                {
                    '\r' or '\n' or '\t' => c,
                    < '\u0020' => (char)(0x2400 + c),
                    '\u007f' => '\u2421',
                    >= '\u0080' and <= '\u009f' => '\ufffd',
                    _ => c,
                };
            }
        });
    }
}
