using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Devices;

/// <summary>One data row of an import file as read, with what is wrong with it (nothing when it can be imported).</summary>
public sealed record ImportRow(int Line, string Name, string Address, string Port, string Vendor, string Group, string CredentialProfile, IReadOnlyList<string> Reasons)
{
    public bool IsValid => Reasons.Count == 0;
}

/// <summary>The result of checking a file without writing anything. <see cref="FileErrors"/> are problems of the whole file.</summary>
public sealed record ImportPreview(IReadOnlyList<ImportRow> Rows, IReadOnlyList<string> FileErrors)
{
    public int BadRows => Rows.Count(r => !r.IsValid);
    public bool CanImport => FileErrors.Count == 0 && Rows.Count > 0 && BadRows == 0;
}

public sealed record ImportProgress(int Done, int Total);

public sealed record DeviceExport(string Csv, int Count, string FileName);

/// <summary>
/// CSV import and export of a tenant's devices. The preview validates every row with the rules of
/// <see cref="DeviceService"/> (plus duplicates inside the file and against the tenant, vendor and credential profile
/// names, and the CSV structure) and writes nothing. The import validates again and adds every row or none, in one
/// transaction, with one <c>devices_imported</c> audit entry.
/// </summary>
public sealed class DeviceImportService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit, TimeProvider clock)
{
    /// <summary>The columns, in the order the export writes them. Header names match ignoring case, spaces, '_' and '-'.</summary>
    public static readonly IReadOnlyList<string> Columns = ["name", "address", "port", "vendor", "group", "credential_profile"];

    public const int MaxChars = 2_000_000;
    public const int MaxRows = 5_000;
    public const int DefaultPort = 22;
    private const int BatchSize = 100;
    /// <summary>The names in the audit entry are cut at this many characters (an entry's details are limited).</summary>
    private const int MaxNameCharsInAudit = 12_000;

    public async Task<ImportPreview> PreviewAsync(string? csv, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageDevices, "import devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var (preview, _) = await ValidateAsync(db, csv, ct);
        return preview;
    }

    /// <summary>Imports every row or none. Throws <see cref="ValidationException"/> (nothing written) when any row is bad.</summary>
    public async Task<int> ImportAsync(string? csv, string? fileName, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "import devices", ct);
        var source = CleanFileName(fileName);
        await using var db = await dbFactory.CreateAsync(ct);
        // One retriable unit: validation, inserts and the audit entry see the same database state.
        return await db.ExecuteInTransactionAsync(async ct =>
        {
            var (preview, inputs) = await ValidateAsync(db, csv, ct);
            if (!preview.CanImport)
            {
                var messages = preview.FileErrors.ToList();
                if (preview.BadRows > 0) messages.Add($"{preview.BadRows} row(s) have problems; nothing was imported.");
                if (messages.Count == 0) messages.Add("The file has no devices.");
                throw new ValidationException(new Dictionary<string, string[]> { ["file"] = messages.ToArray() });
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var devices = inputs.Select(i => new Device
            {
                TenantId = grant.TenantId,
                Name = i.Name.Trim(),
                Address = i.Address.Trim(),
                Port = i.Port,
                Vendor = i.Vendor,
                Driver = i.Driver,
                Enabled = true,
                Group = DeviceService.NormalizeGroup(i.Group),
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            }).ToList();
            progress?.Report(new ImportProgress(0, devices.Count));
            try
            {
                for (var i = 0; i < devices.Count; i += BatchSize)
                {
                    db.Devices.AddRange(devices.Skip(i).Take(BatchSize));
                    await db.SaveChangesAsync(ct);
                    progress?.Report(new ImportProgress(Math.Min(i + BatchSize, devices.Count), devices.Count));
                }
                // The file names one credential profile per device: the first (and only) of its fallback list.
                for (var i = 0; i < devices.Count; i++)
                {
                    foreach (var (credentialId, position) in inputs[i].CredentialProfileIds.Select((c, p) => (c, p)))
                        db.DeviceCredentialProfiles.Add(new DeviceCredentialProfile { DeviceId = devices[i].Id, CredentialProfileId = credentialId, Position = position });
                }
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // A device of the same name was added meanwhile (the unique index): the transaction rolls back whole.
                throw ValidationException.For("file", "The devices changed while importing; nothing was imported. Preview the file again.");
            }

            var names = new List<string>();
            var chars = 0;
            foreach (var d in devices)
            {
                chars += d.Name.Length + 3;
                if (chars > MaxNameCharsInAudit) break;
                names.Add(d.Name);
            }
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.DevicesImported,
                ResourceType = "device",
                Details = new
                {
                    count = devices.Count,
                    fileName = source,
                    names,
                    namesTruncated = names.Count < devices.Count,
                },
            }], ct);
            return devices.Count;
        }, ct);
    }

    /// <summary>The tenant's devices as CSV in the import format (a file that imports again as it is).</summary>
    public async Task<DeviceExport> ExportAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "export devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var devices = await db.Devices.AsNoTracking().OrderBy(d => d.Name).ToListAsync(ct);
        var profiles = await db.CredentialProfiles.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        // The CSV has one credential column: the first profile of each device's fallback list.
        var firstProfile = (await db.DeviceCredentialProfiles.AsNoTracking().ToListAsync(ct))
            .GroupBy(x => x.DeviceId)
            .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Position).First().CredentialProfileId);
        var slug = await db.Tenants.Where(t => t.Id == grant.TenantId).Select(t => t.Slug).FirstOrDefaultAsync(ct) ?? "tenant";

        var text = new StringWriter(CultureInfo.InvariantCulture);
        // Escape: a value starting with = + - @ is written as '= ... so a spreadsheet shows it as text (the import strips it).
        using (var writer = CsvWriter.Create(text, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            writer.WriteHeader(Columns.ToArray());
            foreach (var d in devices)
            {
                writer.WriteRecord([
                    d.Name, d.Address, d.Port.ToString(CultureInfo.InvariantCulture), d.Vendor, d.Group ?? "",
                    firstProfile.TryGetValue(d.Id, out var cid) && profiles.TryGetValue(cid, out var p) ? p : "",
                ]);
            }
            writer.Flush();
        }

        await audit.RecordAsync(new AuditRecord
        {
            TenantId = grant.TenantId,
            Action = AuditActions.DevicesExported,
            ResourceType = "device",
            Details = new { count = devices.Count },
        }, ct);
        var fileName = $"devices-{slug}-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmm}.csv";
        return new DeviceExport(text.ToString(), devices.Count, fileName);
    }

    private static string CleanFileName(string? fileName)
    {
        var name = new string((fileName ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        name = Path.GetFileName(name.Replace('\\', '/'));
        if (name.Length == 0) return "pasted text";
        return name.Length > 200 ? name[..200] : name;
    }

    internal sealed record ParsedRow(int Line, string[] Fields, List<string> StructureErrors);

    private static readonly Dictionary<string, int> HeaderKeys = new(StringComparer.Ordinal)
    {
        ["name"] = 0, ["address"] = 1, ["port"] = 2, ["vendor"] = 3, ["group"] = 4, ["credentialprofile"] = 5,
    };

    private static string HeaderKey(string header) =>
        new(header.Trim().ToLowerInvariant().Where(c => c is not (' ' or '_' or '-')).ToArray());

    /// <summary>Reads the CSV structure: the header (mapped to <see cref="Columns"/>) and the data rows in column order.</summary>
    internal static (List<ParsedRow> Rows, List<string> FileErrors) Parse(string? csv)
    {
        var fileErrors = new List<string>();
        var rows = new List<ParsedRow>();
        if (string.IsNullOrWhiteSpace(csv))
        {
            fileErrors.Add("The file is empty: give a header line and at least one device.");
            return (rows, fileErrors);
        }
        if (csv.Length > MaxChars)
        {
            fileErrors.Add($"The file is too large (at most {MaxChars / 1_000_000} million characters).");
            return (rows, fileErrors);
        }

        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            // A stray quote must not swallow the rest of the file: every line break ends a record.
            AllowLineBreaksInQuotes = false,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            DetectSeparatorHint = false,
            IncludeValuesInExceptions = false,
            OnMalformedRecord = r => malformed.TryAdd(r.LineNumber, r.Reason),
        };
        using var reader = CsvReader.FromText(csv, options);
        reader.ReadHeader();
        var headers = reader.Headers.ToArray();
        var map = new int[headers.Length];
        var seen = new HashSet<int>();
        var unknown = new List<string>();
        for (var i = 0; i < headers.Length; i++)
        {
            if (HeaderKeys.TryGetValue(HeaderKey(headers[i]), out var column) && seen.Add(column)) map[i] = column;
            else { map[i] = -1; unknown.Add(headers[i]); }
        }
        var missing = Columns.Where((_, i) => !seen.Contains(i)).ToList();
        if (seen.Count == 0)
        {
            fileErrors.Add($"The first line must be the header: {string.Join(",", Columns)}.");
            return (rows, fileErrors);
        }
        if (malformed.ContainsKey(1)) fileErrors.Add("Line 1 (the header) has bad quoting.");
        if (missing.Count > 0) fileErrors.Add($"The header lacks the column(s) {string.Join(", ", missing)}.");
        if (unknown.Count > 0) fileErrors.Add($"The header has unknown or repeated column(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; expected {string.Join(",", Columns)}.");
        if (fileErrors.Count > 0) return (rows, fileErrors);

        while (reader.Read())
        {
            if (rows.Count >= MaxRows)
            {
                fileErrors.Add($"The file has more than {MaxRows} devices; split it.");
                return (rows, fileErrors);
            }
            var fields = new string[Columns.Count];
            Array.Fill(fields, "");
            for (var i = 0; i < Math.Min(reader.FieldCount, headers.Length); i++)
                fields[map[i]] = Unescape(reader.GetString(i) ?? "");
            var errors = new List<string>();
            if (reader.FieldCount != headers.Length)
                errors.Add($"Expected {headers.Length} columns, found {reader.FieldCount} (a missing or extra comma?).");
            rows.Add(new ParsedRow((int)reader.LineNumber, fields, errors));
        }
        // Malformed quoting is reported by line while the reader scans ahead; attach it to the rows afterwards.
        foreach (var row in rows)
        {
            if (malformed.TryGetValue(row.Line, out var reason))
                row.StructureErrors.Insert(0, "Bad quoting: " + Describe(reason) + ".");
        }
        if (rows.Count == 0) fileErrors.Add("The file has a header but no devices.");
        return (rows, fileErrors);
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a quote inside an unquoted value (quote the whole value and double the inner quote)",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.LineBreakInQuotes => "a quote that is never closed",
        _ => reason.ToString(),
    };

    /// <summary>Undoes the export's formula escape ('=..., '+..., '-..., '@...).</summary>
    private static string Unescape(string value) =>
        value.Length > 1 && value[0] == '\'' && value[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? value[1..] : value;

    private static VendorProfile? ResolveVendor(string value) =>
        VendorProfiles.Find(value) ?? VendorProfiles.All.FirstOrDefault(v =>
            string.Equals(v.Id, value, StringComparison.OrdinalIgnoreCase) || string.Equals(v.DisplayName, value, StringComparison.OrdinalIgnoreCase));

    private static async Task<(ImportPreview Preview, List<DeviceInput> Inputs)> ValidateAsync(IPortalDb db, string? csv, CancellationToken ct)
    {
        var (parsed, fileErrors) = Parse(csv);
        var inputs = new List<DeviceInput>();
        if (fileErrors.Count > 0)
            return (new ImportPreview(parsed.Select(p => ToRow(p, p.StructureErrors)).ToList(), fileErrors), inputs);

        var existing = (await db.Devices.AsNoTracking().Select(d => d.Name).ToListAsync(ct)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var profiles = (await db.CredentialProfiles.AsNoTracking().Select(c => new { c.Id, c.Name }).ToListAsync(ct))
            .GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
        var firstLineOfName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var rows = new List<ImportRow>();

        foreach (var p in parsed)
        {
            var reasons = new List<string>(p.StructureErrors);
            var f = p.Fields;
            if (reasons.Count == 0)
            {
                var input = new DeviceInput { Name = f[0], Address = f[1], Driver = DeviceDriver.Ssh, Group = f[4], Enabled = true };
                var ownReasons = new List<string>();
                if (f[2].Length == 0) input.Port = DefaultPort;
                else if (int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port)) input.Port = port;
                else { input.Port = DefaultPort; ownReasons.Add("Port must be a whole number between 1 and 65535."); }

                if (f[3].Length == 0) ownReasons.Add("Vendor is required.");
                else if (ResolveVendor(f[3]) is { } vendor) input.Vendor = vendor.Id;
                else ownReasons.Add($"Unknown vendor '{f[3]}'; use one of {string.Join(", ", VendorProfiles.All.Select(v => v.Id))}.");

                if (f[5].Length > 0)
                {
                    if (profiles.TryGetValue(f[5], out var profileId)) input.CredentialProfileIds = [profileId];
                    else ownReasons.Add($"Unknown credential profile '{f[5]}'.");
                }

                var fieldErrors = DeviceService.ValidateFields(input);
                if (ownReasons.Any(r => r.StartsWith("Vendor", StringComparison.Ordinal) || r.StartsWith("Unknown vendor", StringComparison.Ordinal)))
                    fieldErrors.Remove(nameof(DeviceInput.Vendor));
                reasons.AddRange(fieldErrors.SelectMany(e => e.Value));
                reasons.AddRange(ownReasons);

                var name = input.Name.Trim();
                if (name.Length > 0)
                {
                    if (firstLineOfName.TryGetValue(name, out var firstLine))
                        reasons.Add($"Duplicate name '{name}' in the file (first on line {firstLine}).");
                    else
                        firstLineOfName[name] = p.Line;
                    if (existing.Contains(name))
                        reasons.Add($"A device named '{name}' already exists.");
                }
                if (reasons.Count == 0) inputs.Add(input);
            }
            rows.Add(ToRow(p, reasons));
        }
        return (new ImportPreview(rows, fileErrors), inputs);
    }

    private static ImportRow ToRow(ParsedRow p, IReadOnlyList<string> reasons) =>
        new(p.Line, p.Fields[0], p.Fields[1], p.Fields[2], p.Fields[3], p.Fields[4], p.Fields[5], reasons);
}
