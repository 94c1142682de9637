using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Devices;

/// <summary>A row of the devices grid.</summary>
public sealed record DeviceListItem(
    int Id,
    string Name,
    string Vendor,
    string VendorName,
    string Address,
    int Port,
    DeviceDriver Driver,
    bool Enabled,
    DateTime? LastRunAtUtc,
    RunOutcome? LastRunOutcome,
    string? LastRunMessage,
    int SnapshotCount,
    long? LatestSnapshotId,
    string? HostKeyFingerprint = null,
    string? OfferedHostKeyFingerprint = null,
    DateTime? OfferedHostKeyAtUtc = null,
    string? Group = null);

/// <summary>What the add/edit form submits. Validated by the service, whatever the UI did.</summary>
public sealed class DeviceInput
{
    public string Name { get; set; } = "";
    public string Address { get; set; } = "";
    public int Port { get; set; } = 22;
    public string Vendor { get; set; } = VendorProfiles.CiscoIos.Id;
    public DeviceDriver Driver { get; set; } = DeviceDriver.Ssh;
    public SimulatorBehavior? SimulatorBehavior { get; set; }
    /// <summary>Credential profiles in fallback order: the next is tried only when the device rejects the previous one.</summary>
    public List<int> CredentialProfileIds { get; set; } = [];
    public bool Enabled { get; set; } = true;
    /// <summary>Extra delete filters, one regex per line.</summary>
    public string? CustomDeleteFilters { get; set; }
    /// <summary>Extra ignore filters, one regex per line.</summary>
    public string? CustomIgnoreFilters { get; set; }
    /// <summary>Optional group; blank means none.</summary>
    public string? Group { get; set; }
}

public sealed record DeviceQuery(string? Search = null, string? SortBy = null, bool Descending = false, int Skip = 0, int Take = 25, bool IncludeDisabled = true);

/// <summary>What a bulk action did: how many devices changed (the others already had the value).</summary>
public sealed record BulkResult(int Requested, int Changed);

public sealed partial class DeviceService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit, TimeProvider clock)
{
    public const int MaxNameLength = 100;
    public const int MaxCredentialProfiles = 10;

    [GeneratedRegex(@"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostnamePattern();

    public async Task<PagedResult<DeviceListItem>> ListAsync(DeviceQuery query, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "list devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = db.Devices.AsNoTracking();
        if (!query.IncludeDisabled) q = q.Where(d => d.Enabled);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var s = query.Search.Trim();
            q = q.Where(d => d.Name.Contains(s) || d.Address.Contains(s) || d.Vendor.Contains(s) || (d.Group != null && d.Group.Contains(s)));
        }
        var total = await q.CountAsync(ct);
        q = (query.SortBy?.ToLowerInvariant(), query.Descending) switch
        {
            ("group", false) => q.OrderBy(d => d.Group).ThenBy(d => d.Name),
            ("group", true) => q.OrderByDescending(d => d.Group).ThenBy(d => d.Name),
            ("address", false) => q.OrderBy(d => d.Address),
            ("address", true) => q.OrderByDescending(d => d.Address),
            ("vendor" or "vendorname", false) => q.OrderBy(d => d.Vendor).ThenBy(d => d.Name),
            ("vendor" or "vendorname", true) => q.OrderByDescending(d => d.Vendor).ThenBy(d => d.Name),
            ("lastrun" or "lastrunatutc", false) => q.OrderBy(d => d.LastRunAtUtc),
            ("lastrun" or "lastrunatutc", true) => q.OrderByDescending(d => d.LastRunAtUtc),
            ("snapshots" or "snapshotcount", false) => q.OrderBy(d => d.SnapshotCount),
            ("snapshots" or "snapshotcount", true) => q.OrderByDescending(d => d.SnapshotCount),
            (_, true) => q.OrderByDescending(d => d.Name),
            _ => q.OrderBy(d => d.Name),
        };
        var rows = await q.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 500)).ToListAsync(ct);
        return new PagedResult<DeviceListItem>(rows.Select(ToItem).ToList(), total);
    }

    public async Task<DeviceListItem> GetAsync(int id, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var d = await db.Devices.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct)
            ?? throw await access.NotFoundAsync("device", id, ct);
        return ToItem(d);
    }

    /// <summary>The editable fields of a device, for the edit form.</summary>
    public async Task<DeviceInput> GetForEditAsync(int id, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageDevices, "edit devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var d = await db.Devices.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct)
            ?? throw await access.NotFoundAsync("device", id, ct);
        return new DeviceInput
        {
            Name = d.Name, Address = d.Address, Port = d.Port, Vendor = d.Vendor, Driver = d.Driver,
            SimulatorBehavior = d.SimulatorBehavior, CredentialProfileIds = await CredentialOrderAsync(db, id, ct), Enabled = d.Enabled, Group = d.Group,
            CustomDeleteFilters = d.CustomDeleteFilters, CustomIgnoreFilters = d.CustomIgnoreFilters,
        };
    }

    public async Task<int> CreateAsync(DeviceInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "add devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var (deleteFilters, ignoreFilters, credentialIds) = await ValidateAsync(db, input, existingId: null, ct);
        return await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var device = new Device
            {
                TenantId = grant.TenantId,
                Name = input.Name.Trim(),
                Address = input.Address.Trim(),
                Port = input.Port,
                Vendor = input.Vendor,
                Driver = input.Driver,
                SimulatorBehavior = input.Driver == DeviceDriver.Simulator ? input.SimulatorBehavior ?? SimulatorBehavior.Occasional : null,
                Enabled = input.Enabled,
                Group = NormalizeGroup(input.Group),
                CustomDeleteFilters = deleteFilters,
                CustomIgnoreFilters = ignoreFilters,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            };
            db.Devices.Add(device);
            await db.SaveChangesAsync(ct);
            AddCredentialRows(db, device.Id, credentialIds);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.DeviceCreated,
                ResourceType = "device",
                ResourceId = device.Id.ToString(CultureInfo.InvariantCulture),
                DeviceId = device.Id,
                DeviceName = device.Name,
                Details = new { device.Name, device.Address, device.Port, device.Vendor, driver = device.Driver.ToString(), credentialProfileIds = credentialIds, device.Enabled, device.Group,
                    customDeleteFilters = CustomFilterSet.Lines(deleteFilters), customIgnoreFilters = CustomFilterSet.Lines(ignoreFilters) },
            }], ct);
            return device.Id;
        }, ct);
    }

    public async Task UpdateAsync(int id, DeviceInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "edit devices", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        // The denial of a missing id is audited in its own transaction: checked before this one opens.
        if (!await db.Devices.AnyAsync(d => d.Id == id, ct))
            throw await access.NotFoundAsync("device", id, ct);
        var (deleteFilters, ignoreFilters, credentialIds) = await ValidateAsync(db, input, existingId: id, ct);
        // One retriable unit: each attempt reloads the device and its credential list and applies the input to them.
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var device = await db.Devices.SingleAsync(d => d.Id == id, ct);
            var currentCredentials = await CredentialOrderAsync(db, id, ct);

            var changes = new Dictionary<string, object?[]>();
            void Set<T>(string field, T oldValue, T newValue, Action<T> apply)
            {
                if (EqualityComparer<T>.Default.Equals(oldValue, newValue)) return;
                changes[field] = [oldValue, newValue];
                apply(newValue);
            }
            Set("name", device.Name, input.Name.Trim(), v => device.Name = v);
            Set("address", device.Address, input.Address.Trim(), v => device.Address = v);
            Set("port", device.Port, input.Port, v => device.Port = v);
            Set("vendor", device.Vendor, input.Vendor, v => device.Vendor = v);
            Set("driver", device.Driver, input.Driver, v => device.Driver = v);
            Set("simulatorBehavior", device.SimulatorBehavior, input.Driver == DeviceDriver.Simulator ? input.SimulatorBehavior : null, v => device.SimulatorBehavior = v);
            Set("enabled", device.Enabled, input.Enabled, v => device.Enabled = v);
            Set("group", device.Group, NormalizeGroup(input.Group), v => device.Group = v);
            Set("customDeleteFilters", device.CustomDeleteFilters, deleteFilters, v => device.CustomDeleteFilters = v);
            Set("customIgnoreFilters", device.CustomIgnoreFilters, ignoreFilters, v => device.CustomIgnoreFilters = v);
            var credentialsChanged = !currentCredentials.SequenceEqual(credentialIds);
            if (credentialsChanged)
            {
                changes["credentialProfileIds"] = [currentCredentials, credentialIds];
                if (device.LastWorkingCredentialProfileId is { } last && !credentialIds.Contains(last))
                    device.LastWorkingCredentialProfileId = null;
            }
            if (changes.Count == 0) return;
            device.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;

            if (credentialsChanged)
            {
                // Delete first and save, so the unique (device, position) index never sees two rows at once.
                db.DeviceCredentialProfiles.RemoveRange(await db.DeviceCredentialProfiles.Where(x => x.DeviceId == id).ToListAsync(ct));
                await db.SaveChangesAsync(ct);
                AddCredentialRows(db, id, credentialIds);
            }
            await db.SaveChangesAsync(ct);
            var action = changes.Count == 1 && changes.ContainsKey("enabled")
                ? (input.Enabled ? AuditActions.DeviceEnabled : AuditActions.DeviceDisabled)
                : AuditActions.DeviceUpdated;
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = action,
                ResourceType = "device",
                ResourceId = id.ToString(CultureInfo.InvariantCulture),
                DeviceId = id,
                DeviceName = device.Name,
                Details = new { changes = changes.ToDictionary(c => c.Key, c => new { before = c.Value[0], after = c.Value[1] }) },
            }], ct);
        }, ct);
    }

    public async Task SetEnabledAsync(int id, bool enabled, CancellationToken ct = default)
    {
        var input = await GetForEditAsync(id, ct);
        input.Enabled = enabled;
        await UpdateAsync(id, input, ct);
    }

    /// <summary>
    /// A tenant admin accepts the host key a device presented instead of its pinned one (after a host_key_changed
    /// failure). <paramref name="offeredFingerprint"/> is the fingerprint the admin saw on the page: if the device has
    /// since offered another one, nothing is accepted.
    /// </summary>
    public async Task AcceptHostKeyAsync(int id, string offeredFingerprint, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "accept a device host key", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        // The denial of a missing id is audited in its own transaction: checked before this one opens.
        if (!await db.Devices.AnyAsync(d => d.Id == id, ct))
            throw await access.NotFoundAsync("device", id, ct);
        // One retriable unit: each attempt reloads the device and compares what it offers now.
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var device = await db.Devices.SingleAsync(d => d.Id == id, ct);
            if (device.OfferedHostKeyFingerprint is not { } offered)
                throw ValidationException.For("HostKey", "The device has not offered a new host key.");
            if (!string.Equals(offered, offeredFingerprint?.Trim(), StringComparison.Ordinal))
                throw ValidationException.For("HostKey", "The device has offered a different host key since this page was loaded; reload and compare again.");

            var previous = device.HostKeyFingerprint;
            device.HostKeyFingerprint = offered;
            device.OfferedHostKeyFingerprint = null;
            device.OfferedHostKeyAtUtc = null;
            device.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.DeviceHostKeyAccepted,
                ResourceType = "device",
                ResourceId = id.ToString(CultureInfo.InvariantCulture),
                DeviceId = id,
                DeviceName = device.Name,
                Details = new { oldFingerprint = previous, newFingerprint = offered },
            }], ct);
        }, ct);
    }

    private static async Task<List<int>> CredentialOrderAsync(IPortalDb db, int deviceId, CancellationToken ct) =>
        await db.DeviceCredentialProfiles.AsNoTracking().Where(x => x.DeviceId == deviceId)
            .OrderBy(x => x.Position).Select(x => x.CredentialProfileId).ToListAsync(ct);

    private static void AddCredentialRows(IPortalDb db, int deviceId, IReadOnlyList<int> credentialIds)
    {
        for (var i = 0; i < credentialIds.Count; i++)
            db.DeviceCredentialProfiles.Add(new DeviceCredentialProfile { DeviceId = deviceId, CredentialProfileId = credentialIds[i], Position = i });
    }

    /// <summary>Validates the input; returns the filters in stored form and the credential list without duplicates.</summary>
    private static async Task<(string? DeleteFilters, string? IgnoreFilters, List<int> CredentialIds)> ValidateAsync(IPortalDb db, DeviceInput input, int? existingId, CancellationToken ct)
    {
        var errors = ValidateFields(input);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }
        var name = input.Name?.Trim() ?? "";

        var credentialIds = (input.CredentialProfileIds ?? []).Distinct().ToList();
        if (credentialIds.Count > MaxCredentialProfiles)
            Add(nameof(DeviceInput.CredentialProfileIds), $"At most {MaxCredentialProfiles} credential profiles.");
        if (credentialIds.Count > 0)
        {
            var known = await db.CredentialProfiles.Where(c => credentialIds.Contains(c.Id)).CountAsync(ct);
            if (known != credentialIds.Count)
                Add(nameof(DeviceInput.CredentialProfileIds), "Choose credential profiles of this tenant.");
        }

        var (deleteFilters, deleteErrors) = CustomFilterSet.Validate(input.CustomDeleteFilters);
        foreach (var e in deleteErrors) Add(nameof(DeviceInput.CustomDeleteFilters), e);
        var (ignoreFilters, ignoreErrors) = CustomFilterSet.Validate(input.CustomIgnoreFilters);
        foreach (var e in ignoreErrors) Add(nameof(DeviceInput.CustomIgnoreFilters), e);

        if (name.Length > 0 && await db.Devices.AnyAsync(d => d.Name == name && d.Id != (existingId ?? 0), ct))
            Add(nameof(DeviceInput.Name), $"A device named '{name}' already exists.");

        if (errors.Count > 0)
            throw new ValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        return (deleteFilters, ignoreFilters, credentialIds);
    }

    /// <summary>
    /// The rules that need no database: the same for the add/edit form and for every row of a CSV import.
    /// Keys are <see cref="DeviceInput"/> property names.
    /// </summary>
    public static Dictionary<string, List<string>> ValidateFields(DeviceInput input)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        var name = input.Name?.Trim() ?? "";
        if (name.Length == 0) Add(nameof(DeviceInput.Name), "Name is required.");
        else if (name.Length > MaxNameLength) Add(nameof(DeviceInput.Name), $"Name must be at most {MaxNameLength} characters.");
        else if (name.Any(char.IsControl)) Add(nameof(DeviceInput.Name), "Name must not contain control characters.");

        var address = input.Address?.Trim() ?? "";
        if (!IsValidAddress(address)) Add(nameof(DeviceInput.Address), "Address must be an IPv4/IPv6 address or a host name.");

        if (input.Port is < 1 or > 65535) Add(nameof(DeviceInput.Port), "Port must be between 1 and 65535.");
        if (VendorProfiles.Find(input.Vendor ?? "") is null) Add(nameof(DeviceInput.Vendor), "Choose a vendor from the list.");
        if (!Enum.IsDefined(input.Driver)) Add(nameof(DeviceInput.Driver), "Choose a driver from the list.");
        if (input.SimulatorBehavior is { } b && !Enum.IsDefined(b)) Add(nameof(DeviceInput.SimulatorBehavior), "Choose a behaviour from the list.");
        if (GroupError(input.Group) is { } groupError) Add(nameof(DeviceInput.Group), groupError);
        return errors;
    }

    /// <summary>Null when the group is acceptable (blank means none).</summary>
    public static string? GroupError(string? group)
    {
        var g = group?.Trim() ?? "";
        if (g.Length > Device.MaxGroupLength) return $"Group must be at most {Device.MaxGroupLength} characters.";
        if (g.Any(char.IsControl)) return "Group must not contain control characters.";
        return null;
    }

    public static string? NormalizeGroup(string? group) => string.IsNullOrWhiteSpace(group) ? null : group.Trim();

    /// <summary>Enables or disables several devices; one audit entry per device that changed.</summary>
    public Task<BulkResult> SetEnabledManyAsync(IReadOnlyCollection<int> ids, bool enabled, CancellationToken ct = default) =>
        BulkUpdateAsync(ids, enabled ? "enable devices" : "disable devices",
            d => d.Enabled == enabled ? null : ("enabled", d.Enabled, enabled, () => d.Enabled = enabled),
            enabled ? AuditActions.DeviceEnabled : AuditActions.DeviceDisabled, ct);

    /// <summary>Moves several devices into a group (blank: out of any group); one audit entry per device that changed.</summary>
    public async Task<BulkResult> MoveToGroupAsync(IReadOnlyCollection<int> ids, string? group, CancellationToken ct = default)
    {
        if (GroupError(group) is { } error)
        {
            await access.DemandAsync(Permission.ManageDevices, "move devices to a group", ct);
            throw ValidationException.For(nameof(DeviceInput.Group), error);
        }
        var g = NormalizeGroup(group);
        return await BulkUpdateAsync(ids, "move devices to a group",
            d => d.Group == g ? null : ("group", d.Group, g, () => d.Group = g),
            AuditActions.DeviceUpdated, ct);
    }

    public const int MaxBulkDevices = 1000;

    private async Task<BulkResult> BulkUpdateAsync(IReadOnlyCollection<int> ids, string operation,
        Func<Device, (string Field, object? Before, object? After, Action Apply)?> change, string action, CancellationToken ct)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, operation, ct);
        var distinct = (ids ?? []).Distinct().ToList();
        if (distinct.Count == 0) throw ValidationException.For("ids", "Select at least one device.");
        if (distinct.Count > MaxBulkDevices) throw ValidationException.For("ids", $"Select at most {MaxBulkDevices} devices at a time.");

        await using var db = await dbFactory.CreateAsync(ct);
        // Every id is untrusted: one that the tenant does not hold fails the whole action (and is audited, in its own
        // transaction, before this one opens).
        var found = await db.Devices.AsNoTracking().Where(d => distinct.Contains(d.Id)).Select(d => d.Id).ToListAsync(ct);
        var missing = distinct.Except(found).ToList();
        if (missing.Count > 0)
            throw await access.NotFoundAsync("device", missing[0], ct);

        // One retriable unit: each attempt reloads the devices and applies the change to them.
        var changed = await db.ExecuteInTransactionAsync(async ct =>
        {
            var devices = await db.Devices.Where(d => distinct.Contains(d.Id)).ToListAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var records = new List<AuditRecord>();
            foreach (var d in devices.OrderBy(d => d.Name))
            {
                if (change(d) is not { } c) continue;
                c.Apply();
                d.UpdatedAtUtc = now;
                records.Add(new AuditRecord
                {
                    TenantId = grant.TenantId,
                    Action = action,
                    ResourceType = "device",
                    ResourceId = d.Id.ToString(CultureInfo.InvariantCulture),
                    DeviceId = d.Id,
                    DeviceName = d.Name,
                    Details = new { bulk = true, changes = new Dictionary<string, object> { [c.Field] = new { before = c.Before, after = c.After } } },
                });
            }
            if (records.Count == 0) return 0;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, records, ct);
            return records.Count;
        }, ct);
        return new BulkResult(distinct.Count, changed);
    }

    public static bool IsValidAddress(string address)
    {
        if (string.IsNullOrWhiteSpace(address) || address.Length > 253) return false;
        if (IPAddress.TryParse(address, out var ip))
        {
            // Reject "1.2.3" style partial IPv4 forms that TryParse accepts.
            return ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || address.Count(c => c == '.') == 3;
        }
        if (address.All(c => char.IsDigit(c) || c == '.')) return false;
        return HostnamePattern().IsMatch(address);
    }

    private static DeviceListItem ToItem(Device d) => new(d.Id, d.Name, d.Vendor, VendorProfiles.Find(d.Vendor)?.DisplayName ?? d.Vendor,
        d.Address, d.Port, d.Driver, d.Enabled, d.LastRunAtUtc, d.LastRunOutcome, d.LastRunMessage, d.SnapshotCount, d.LatestSnapshotId,
        d.HostKeyFingerprint, d.OfferedHostKeyFingerprint, d.OfferedHostKeyAtUtc, d.Group);
}
