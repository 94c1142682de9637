using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Infrastructure.Seeding;

/// <summary>
/// The demo: two tenants, a user per role in each, a platform admin, and simulated devices of several vendors.
/// Runs only outside Production (or with --seed-demo) and only into an empty database.
/// </summary>
public sealed class DemoSeeder(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    /// <summary>Every demo user's password (shown in the README; demo only).</summary>
    public const string DemoPassword = "Demo-Portal-2026!";

    public sealed record DemoUser(string Email, string DisplayName, string Tenant, TenantRole Role);

    public static readonly IReadOnlyList<DemoUser> Users =
    [
        new("admin@acme.example", "Alice Admin", "Acme Networks", TenantRole.TenantAdmin),
        new("operator@acme.example", "Oscar Operator", "Acme Networks", TenantRole.Operator),
        new("auditor@acme.example", "Audrey Auditor", "Acme Networks", TenantRole.Auditor),
        new("admin@globex.example", "Gary Admin", "Globex", TenantRole.TenantAdmin),
        new("operator@globex.example", "Greta Operator", "Globex", TenantRole.Operator),
        new("auditor@globex.example", "Gus Auditor", "Globex", TenantRole.Auditor),
    ];

    private static readonly (string Name, string Vendor, SimulatorBehavior Behavior)[] AcmeDevices =
    [
        ("acme-core-sw1", "cisco_ios", SimulatorBehavior.Drifting),
        ("acme-core-sw2", "cisco_ios", SimulatorBehavior.Occasional),
        ("acme-dc-leaf1", "arista_eos", SimulatorBehavior.Drifting),
        ("acme-dc-leaf2", "arista_eos", SimulatorBehavior.Static),
        ("acme-edge-r1", "juniper_junos", SimulatorBehavior.Occasional),
        ("acme-edge-r2", "juniper_junos", SimulatorBehavior.Static),
        ("acme-branch-rt1", "mikrotik_routeros", SimulatorBehavior.Drifting),
        ("acme-branch-rt2", "mikrotik_routeros", SimulatorBehavior.Static),
        ("acme-fw1", "fortinet_fortios", SimulatorBehavior.Static),
        ("acme-dc-nx1", "cisco_nxos", SimulatorBehavior.Static),
        ("acme-old-sw9", "cisco_ios", SimulatorBehavior.Unreachable),
    ];

    private static readonly (string Name, string Vendor, SimulatorBehavior Behavior)[] GlobexDevices =
    [
        ("globex-core1", "cisco_ios", SimulatorBehavior.Drifting),
        ("globex-core2", "cisco_ios", SimulatorBehavior.Static),
        ("globex-spine1", "arista_eos", SimulatorBehavior.Occasional),
        ("globex-spine2", "arista_eos", SimulatorBehavior.Occasional),
        ("globex-mx1", "juniper_junos", SimulatorBehavior.Drifting),
        ("globex-mx2", "juniper_junos", SimulatorBehavior.Static),
        ("globex-ccr1", "mikrotik_routeros", SimulatorBehavior.Occasional),
        ("globex-asa1", "cisco_asa", SimulatorBehavior.Static),
        ("globex-cx1", "aruba_aoscx", SimulatorBehavior.Static),
        ("globex-lab-r9", "mikrotik_routeros", SimulatorBehavior.Unreachable),
    ];

    public async Task<bool> SeedAsync(CancellationToken ct = default)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            if (await db.Tenants.AnyAsync(ct) || await db.Users.AnyAsync(ct))
                return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var tenants = new Dictionary<string, int>();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            foreach (var (name, slug) in new[] { ("Acme Networks", "acme"), ("Globex", "globex") })
            {
                var t = new Tenant { Name = name, Slug = slug, CreatedAt = now };
                db.Tenants.Add(t);
                await db.SaveChangesAsync(ct);
                tenants[name] = t.Id;
            }
        }

        var userIds = new Dictionary<string, string>();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            foreach (var u in Users.Select(u => (u.Email, u.DisplayName, u.Tenant, Admin: false)).Append((Email: "platform@configportal.example", DisplayName: "Pat Platform", Tenant: "", Admin: true)))
            {
                var user = new ApplicationUser
                {
                    UserName = u.Email,
                    Email = u.Email,
                    EmailConfirmed = true,
                    DisplayName = u.DisplayName,
                    IsPlatformAdmin = u.Admin,
                    ActiveTenantId = u.Tenant.Length > 0 ? tenants[u.Tenant] : null,
                    CreatedAtUtc = now,
                };
                var result = await users.CreateAsync(user, DemoPassword);
                if (!result.Succeeded)
                    throw new InvalidOperationException("Creating demo user failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
                userIds[u.Email] = user.Id;
            }
        }

        foreach (var (tenantName, tenantId) in tenants)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            foreach (var u in Users.Where(u => u.Tenant == tenantName))
                db.TenantMemberships.Add(new TenantMembership { TenantId = tenantId, UserId = userIds[u.Email], Role = u.Role, CreatedAt = now });
            var devices = tenantName == "Globex" ? GlobexDevices : AcmeDevices;
            var octet = tenantName == "Globex" ? 20 : 10;
            var i = 0;
            foreach (var (name, vendor, behavior) in devices)
            {
                i++;
                db.Devices.Add(new Device
                {
                    TenantId = tenantId,
                    Name = name,
                    Address = $"10.{octet}.0.{i}",
                    Port = 22,
                    Vendor = vendor,
                    Driver = DeviceDriver.Simulator,
                    SimulatorBehavior = behavior,
                    CreatedAtUtc = now,
                    UpdatedAtUtc = now,
                });
            }
            await db.SaveChangesAsync(ct);
        }
        logger.LogInformation("Seeded the demo: {Tenants} tenants, {Users} users, {Devices} simulated devices.", tenants.Count, userIds.Count, AcmeDevices.Length + GlobexDevices.Length);
        return true;
    }
}
