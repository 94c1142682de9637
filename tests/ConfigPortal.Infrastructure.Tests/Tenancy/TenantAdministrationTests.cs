using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Tenancy;

/// <summary>Users, roles and settings of a tenant (tenant admin), against the real database.</summary>
public sealed class TenantAdministrationTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string AcmeAdmin = "admin@acme.example";
    private const string GlobexAdmin = "admin@globex.example";
    private PortalHost Portal => fixture.Portal;

    private async Task<T> AsAsync<T>(int tenantId, string email, Func<TenantUserService, Task<T>> call)
    {
        await using var scope = Portal.ScopeAs(tenantId, email);
        return await call(scope.ServiceProvider.GetRequiredService<TenantUserService>());
    }

    private async Task AsAsync(int tenantId, string email, Func<TenantUserService, Task> call)
    {
        await using var scope = Portal.ScopeAs(tenantId, email);
        await call(scope.ServiceProvider.GetRequiredService<TenantUserService>());
    }

    private async Task<MemberView> MemberAsync(int tenantId, string adminEmail, string memberEmail) =>
        Assert.Single(await AsAsync(tenantId, adminEmail, s => s.ListAsync()), m => m.Email == memberEmail);

    private async Task<ApplicationUser> AccountAsync(string email)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!;
    }

    private Task<TenantRole?> RoleAsync(int tenantId, string userId) =>
        Portal.QueryAsync(tenantId, db => db.TenantMemberships.Where(m => m.UserId == userId).Select(m => (TenantRole?)m.Role).FirstOrDefaultAsync());

    [Fact]
    public async Task A_tenant_admin_creates_a_user_with_a_one_time_password_that_must_be_changed()
    {
        var created = await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.CreateUserAsync(new NewUserInput { Email = "new.person@acme.example", DisplayName = " New Person ", Role = TenantRole.Operator }));

        Assert.Matches("^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$", created.OneTimePassword);
        Assert.DoesNotContain(created.OneTimePassword, created.ToString(), StringComparison.Ordinal);
        var account = await AccountAsync("new.person@acme.example");
        Assert.True(account.MustChangePassword);
        Assert.Equal(("New Person", Portal.AcmeId), (account.DisplayName, account.ActiveTenantId));
        await using (var scope = Portal.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CheckPasswordAsync(account, created.OneTimePassword));
        Assert.Equal(TenantRole.Operator, await RoleAsync(Portal.AcmeId, account.Id));
        Assert.Null(await RoleAsync(Portal.GlobexId, account.Id));

        var entry = Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.UserCreated), e => e.ResourceId == account.Id);
        Assert.Equal(Portal.User(AcmeAdmin).Id, entry.ActorId);
        Assert.Equal("Operator", entry.Details().GetProperty("role").GetString());
        Assert.DoesNotContain(created.OneTimePassword, entry.DetailsJson, StringComparison.Ordinal);
        var member = await MemberAsync(Portal.AcmeId, AcmeAdmin, "new.person@acme.example");
        Assert.True(member.MustChangePassword);
    }

    [Fact]
    public async Task Creating_a_user_validates_every_field()
    {
        var empty = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.CreateUserAsync(new NewUserInput { Email = " ", DisplayName = "" })));
        var bad = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.CreateUserAsync(new NewUserInput { Email = "not-an-email", DisplayName = "X", Role = (TenantRole)42 })));
        var taken = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.CreateUserAsync(new NewUserInput { Email = "OPERATOR@globex.example", DisplayName = "X" })));

        Assert.Equal(["E-mail is required."], empty.Errors["Email"]);
        Assert.Equal(["Name is required."], empty.Errors["DisplayName"]);
        Assert.Contains("Enter an e-mail address", bad.Errors["Email"][0], StringComparison.Ordinal);
        Assert.Equal(["Choose a role from the list."], bad.Errors["Role"]);
        Assert.Contains("already exists", taken.Errors["Email"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_of_another_tenant_is_added_cannot_be_disabled_from_here_and_is_removed_again()
    {
        var globexAuditor = Portal.User("auditor@globex.example").Id;

        var added = await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.AddExistingUserAsync("auditor@globex.example", TenantRole.Auditor));
        var again = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.AddExistingUserAsync("auditor@globex.example", TenantRole.Operator)));
        var unknown = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.AddExistingUserAsync("nobody@nowhere.example", TenantRole.Operator)));
        var disable = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.DisableUserAsync(added.MembershipId)));

        Assert.Contains("already a member", again.Message, StringComparison.Ordinal);
        Assert.Contains("No user has this e-mail", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("member of other tenants", disable.Message, StringComparison.Ordinal);
        Assert.False((await AccountAsync("auditor@globex.example")).IsDisabled);
        Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.MemberAdded), e => e.ResourceId == globexAuditor);

        await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.RemoveMemberAsync(added.MembershipId));

        Assert.Null(await RoleAsync(Portal.AcmeId, globexAuditor));
        Assert.Equal(TenantRole.Auditor, await RoleAsync(Portal.GlobexId, globexAuditor));
        var removed = Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.MemberRemoved), e => e.ResourceId == globexAuditor);
        Assert.Equal("Auditor", removed.Details().GetProperty("role").GetString());
    }

    [Fact]
    public async Task The_last_tenant_admin_cannot_be_demoted_removed_or_disabled()
    {
        var admin = await MemberAsync(Portal.AcmeId, AcmeAdmin, AcmeAdmin);
        var revokedBefore = (await Portal.EntriesAsync(Portal.AcmeId, AuditActions.RoleRevoked)).Count;

        var demote = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.ChangeRoleAsync(admin.MembershipId, TenantRole.Operator)));
        var remove = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.RemoveMemberAsync(admin.MembershipId)));
        var disable = await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.DisableUserAsync(admin.MembershipId)));

        Assert.Contains("at least one enabled tenant admin", demote.Message, StringComparison.Ordinal);
        Assert.Contains("at least one enabled tenant admin", remove.Message, StringComparison.Ordinal);
        Assert.Contains("your own account", disable.Message, StringComparison.Ordinal);
        Assert.Equal(TenantRole.TenantAdmin, await RoleAsync(Portal.AcmeId, admin.UserId));
        Assert.Equal(revokedBefore, (await Portal.EntriesAsync(Portal.AcmeId, AuditActions.RoleRevoked)).Count);
    }

    [Fact]
    public async Task A_second_admin_lets_the_first_be_demoted_and_the_demotion_takes_effect_at_once()
    {
        var auditor = await MemberAsync(Portal.GlobexId, GlobexAdmin, "auditor@globex.example");
        var admin = await MemberAsync(Portal.GlobexId, GlobexAdmin, GlobexAdmin);

        await AsAsync(Portal.GlobexId, GlobexAdmin, s => s.ChangeRoleAsync(auditor.MembershipId, TenantRole.TenantAdmin));
        await AsAsync(Portal.GlobexId, GlobexAdmin, s => s.ChangeRoleAsync(admin.MembershipId, TenantRole.Operator));

        Assert.Equal(TenantRole.Operator, await RoleAsync(Portal.GlobexId, admin.UserId));
        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.GlobexId, GlobexAdmin, s => s.ListAsync()));
        var revoked = (await Portal.EntriesAsync(Portal.GlobexId, AuditActions.RoleRevoked)).Last(e => e.ResourceId == admin.UserId);
        var granted = (await Portal.EntriesAsync(Portal.GlobexId, AuditActions.RoleGranted)).Last(e => e.ResourceId == admin.UserId);
        Assert.Equal(("TenantAdmin", "Operator"), (revoked.Details().GetProperty("role").GetString(), granted.Details().GetProperty("role").GetString()));
        Assert.Equal(revoked.Sequence + 1, granted.Sequence);

        // The new admin restores the roles.
        await AsAsync(Portal.GlobexId, "auditor@globex.example", s => s.ChangeRoleAsync(admin.MembershipId, TenantRole.TenantAdmin));
        await AsAsync(Portal.GlobexId, GlobexAdmin, s => s.ChangeRoleAsync(auditor.MembershipId, TenantRole.Auditor));
        Assert.Equal(TenantRole.Auditor, await RoleAsync(Portal.GlobexId, auditor.UserId));
    }

    [Fact]
    public async Task A_user_of_this_tenant_only_is_disabled_and_enabled_with_audit_entries()
    {
        var created = await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.CreateUserAsync(new NewUserInput { Email = "leaver@acme.example", DisplayName = "Leaver", Role = TenantRole.Auditor }));
        var stampBefore = (await AccountAsync("leaver@acme.example")).SecurityStamp;

        await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.DisableUserAsync(created.Member.MembershipId));

        var account = await AccountAsync("leaver@acme.example");
        Assert.True(account.IsDisabled);
        Assert.NotEqual(stampBefore, account.SecurityStamp);
        Assert.True((await MemberAsync(Portal.AcmeId, AcmeAdmin, "leaver@acme.example")).IsDisabled);
        Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.UserDisabled), e => e.ResourceId == account.Id);

        await AsAsync(Portal.AcmeId, AcmeAdmin, s => s.EnableUserAsync(created.Member.MembershipId));

        Assert.False((await AccountAsync("leaver@acme.example")).IsDisabled);
        Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.UserEnabled), e => e.ResourceId == account.Id);
    }

    [Fact]
    public async Task A_membership_id_of_another_tenant_is_not_found_and_audited()
    {
        var globexOperator = await MemberAsync(Portal.GlobexId, GlobexAdmin, "operator@globex.example");

        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.ChangeRoleAsync(globexOperator.MembershipId, TenantRole.TenantAdmin)));
        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.RemoveMemberAsync(globexOperator.MembershipId)));
        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.DisableUserAsync(globexOperator.MembershipId)));
        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Portal.AcmeId, AcmeAdmin, s => s.ChangeRoleAsync(987_654, TenantRole.Auditor)));

        Assert.Equal(TenantRole.Operator, await RoleAsync(Portal.GlobexId, globexOperator.UserId));
        var id = globexOperator.MembershipId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, (await Portal.EntriesAsync(Portal.AcmeId, AuditActions.AuthorizationDenied)).Count(e => e.ResourceType == "membership" && e.ResourceId == id));
    }

    [Theory]
    [InlineData("operator@acme.example")]
    [InlineData("auditor@acme.example")]
    public async Task Operators_and_auditors_cannot_manage_users_or_settings_and_the_denials_are_audited(string email)
    {
        var admin = await MemberAsync(Portal.AcmeId, AcmeAdmin, AcmeAdmin);
        var before = await Portal.LastSequenceAsync(Portal.AcmeId);

        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.AcmeId, email, s => s.ListAsync()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.AcmeId, email, s => s.CreateUserAsync(new NewUserInput { Email = "sneaky@acme.example", DisplayName = "S" })));
        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync(Portal.AcmeId, email, s => s.ChangeRoleAsync(admin.MembershipId, TenantRole.Auditor)));
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, email))
            await Assert.ThrowsAsync<AccessDeniedException>(() => scope.ServiceProvider.GetRequiredService<TenantSettingsService>().UpdateAsync(new TenantSettingsInput { SecretMaskingEnabled = false }));

        var actorId = Portal.User(email).Id;
        var entries = await Portal.QueryAsync(Portal.AcmeId, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync());
        Assert.Equal(4, entries.Count(e => e.Action == AuditActions.AuthorizationDenied && e.ActorId == actorId));
        Assert.Null((await AccountAsync("sneaky@acme.example")));
        Assert.True(await Portal.QueryAsync(Portal.AcmeId, db => db.Tenants.Where(t => t.Id == Portal.AcmeId).Select(t => t.SecretMaskingEnabled).SingleAsync()));
    }

    [Fact]
    public async Task Tenant_settings_changes_are_audited_with_before_and_after()
    {
        await using var scope = Portal.ScopeAs(Portal.GlobexId, GlobexAdmin);
        var settings = scope.ServiceProvider.GetRequiredService<TenantSettingsService>();

        Assert.True((await settings.GetAsync()).SecretMaskingEnabled);
        Assert.True(await settings.UpdateAsync(new TenantSettingsInput { SecretMaskingEnabled = false }));
        Assert.False(await settings.UpdateAsync(new TenantSettingsInput { SecretMaskingEnabled = false }));
        Assert.False((await settings.GetAsync()).SecretMaskingEnabled);
        Assert.True(await settings.UpdateAsync(new TenantSettingsInput { SecretMaskingEnabled = true }));

        var entries = await Portal.EntriesAsync(Portal.GlobexId, AuditActions.TenantSettingsChanged);
        Assert.Equal(2, entries.Count);
        var change = entries[0].Details().GetProperty("changes").GetProperty("secretMaskingEnabled");
        Assert.Equal((true, false), (change.GetProperty("before").GetBoolean(), change.GetProperty("after").GetBoolean()));
        Assert.Equal("tenant", entries[0].ResourceType);
    }
}

/// <summary>The platform admin's tenant management and its limits.</summary>
public sealed class PlatformAdministrationTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string PlatformAdmin = "platform@configportal.example";
    private PortalHost Portal => fixture.Portal;

    /// <summary>A signed-in user without an active tenant, as the platform admin of the demo is.</summary>
    private AsyncServiceScope UserScope(string email, int? tenantId = null)
    {
        var scope = Portal.Services.CreateAsyncScope();
        if (tenantId is { } t) scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(t);
        var (id, name) = Portal.User(email);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetUser(id, name, PortalHost.ClientIp, PortalHost.UserAgent);
        return scope;
    }

    private async Task<T> AsPlatformAsync<T>(Func<PlatformTenantService, Task<T>> call)
    {
        await using var scope = UserScope(PlatformAdmin);
        return await call(scope.ServiceProvider.GetRequiredService<PlatformTenantService>());
    }

    private async Task AsPlatformAsync(Func<PlatformTenantService, Task> call)
    {
        await using var scope = UserScope(PlatformAdmin);
        await call(scope.ServiceProvider.GetRequiredService<PlatformTenantService>());
    }

    [Theory]
    [InlineData("admin@acme.example")]
    [InlineData("operator@globex.example")]
    public async Task Users_who_are_not_platform_admins_are_denied_and_audited_in_the_platform_chain(string email)
    {
        var before = await Portal.LastSequenceAsync(PlatformTenantService.PlatformChain);
        await using var scope = UserScope(email, email.EndsWith("acme.example", StringComparison.Ordinal) ? Portal.AcmeId : Portal.GlobexId);
        var platform = scope.ServiceProvider.GetRequiredService<PlatformTenantService>();

        await Assert.ThrowsAsync<AccessDeniedException>(() => platform.ListAsync());
        await Assert.ThrowsAsync<AccessDeniedException>(() => platform.CreateAsync("Evil Corp", "evil"));
        await Assert.ThrowsAsync<AccessDeniedException>(() => platform.SetSuspendedAsync(Portal.GlobexId, true));
        await Assert.ThrowsAsync<AccessDeniedException>(() => platform.GrantSelfMembershipAsync(Portal.GlobexId, TenantRole.TenantAdmin));

        var actorId = Portal.User(email).Id;
        var entries = await Portal.QueryAsync(0, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync());
        Assert.Equal(4, entries.Count(e => e.Action == AuditActions.AuthorizationDenied && e.ActorId == actorId && e.Outcome == AuditOutcome.Denied));
        Assert.False(await Portal.QueryAsync(0, db => db.Tenants.AnyAsync(t => t.Slug == "evil")));
        Assert.False(await Portal.QueryAsync(0, db => db.Tenants.Where(t => t.Id == Portal.GlobexId).Select(t => t.IsSuspended).SingleAsync()));
    }

    [Fact]
    public async Task The_platform_admin_creates_and_renames_a_tenant_audited_in_both_chains()
    {
        var id = await AsPlatformAsync(p => p.CreateAsync(" Initech ", "initech"));
        await AsPlatformAsync(p => p.RenameAsync(id, "Initech Corp"));

        var bad = await Assert.ThrowsAsync<ValidationException>(() => AsPlatformAsync(p => p.CreateAsync("", "Not A Slug")));
        var taken = await Assert.ThrowsAsync<ValidationException>(() => AsPlatformAsync(p => p.CreateAsync("acme networks", "initech")));
        await Assert.ThrowsAsync<NotFoundException>(() => AsPlatformAsync(p => p.RenameAsync(424_242, "Nope")));

        Assert.Equal(["Name is required."], bad.Errors["Name"]);
        Assert.Contains("lower-case letters", bad.Errors["Slug"][0], StringComparison.Ordinal);
        Assert.Contains("already exists", taken.Errors["Name"][0], StringComparison.Ordinal);
        Assert.Contains("is taken", taken.Errors["Slug"][0], StringComparison.Ordinal);
        var tenant = Assert.Single(await AsPlatformAsync(p => p.ListAsync()), t => t.Id == id);
        Assert.Equal(("Initech Corp", "initech", false, 0), (tenant.Name, tenant.Slug, tenant.IsSuspended, tenant.Usage.Devices));

        var platformActor = Portal.User(PlatformAdmin).Id;
        foreach (var chain in new[] { 0, id })
        {
            Assert.Single(await Portal.EntriesAsync(chain, AuditActions.TenantCreated), e => e.ResourceId == id.ToString(System.Globalization.CultureInfo.InvariantCulture) && e.ActorId == platformActor);
            Assert.Single(await Portal.EntriesAsync(chain, AuditActions.TenantRenamed), e => e.ResourceId == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var renamed = Assert.Single(await Portal.EntriesAsync(id, AuditActions.TenantRenamed));
        Assert.Equal(("Initech", "Initech Corp"), (renamed.Details().GetProperty("before").GetString(), renamed.Details().GetProperty("after").GetString()));
        // The new tenant's chain starts at its first entry.
        Assert.Equal(1, (await Portal.EntriesAsync(id, AuditActions.TenantCreated))[0].Sequence);
    }

    [Fact]
    public async Task Usage_counts_devices_snapshots_and_bytes_per_tenant()
    {
        var tenants = await AsPlatformAsync(p => p.ListAsync());

        var acme = Assert.Single(tenants, t => t.Id == Portal.AcmeId);
        Assert.Equal(await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.CountAsync()), acme.Usage.Devices);
        Assert.Equal(await Portal.QueryAsync(Portal.AcmeId, db => db.Snapshots.CountAsync()), acme.Usage.Snapshots);
        Assert.Equal(await Portal.QueryAsync(Portal.AcmeId, db => db.Snapshots.SumAsync(s => (long)s.SizeBytes)), acme.Usage.SnapshotBytes);
        Assert.True(acme.Usage.Snapshots > 0 && acme.Usage.SnapshotBytes > 0, "the baseline backups stored snapshots");
        Assert.True(acme.Usage.Members >= 3);
    }

    [Fact]
    public async Task A_suspended_tenant_gives_its_members_no_access_until_resumed()
    {
        await AsPlatformAsync(p => p.SetSuspendedAsync(Portal.GlobexId, true));
        try
        {
            await using (var scope = Portal.ScopeAs(Portal.GlobexId, "operator@globex.example"))
                await Assert.ThrowsAsync<AccessDeniedException>(() => scope.ServiceProvider.GetRequiredService<DeviceService>().ListAsync(new DeviceQuery()));
            Assert.True(Assert.Single(await AsPlatformAsync(p => p.ListAsync()), t => t.Id == Portal.GlobexId).IsSuspended);
        }
        finally
        {
            await AsPlatformAsync(p => p.SetSuspendedAsync(Portal.GlobexId, false));
        }

        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "operator@globex.example"))
            Assert.NotEmpty((await scope.ServiceProvider.GetRequiredService<DeviceService>().ListAsync(new DeviceQuery())).Items);
        foreach (var chain in new[] { 0, Portal.GlobexId })
        {
            Assert.NotEmpty(await Portal.EntriesAsync(chain, AuditActions.TenantSuspended));
            Assert.NotEmpty(await Portal.EntriesAsync(chain, AuditActions.TenantResumed));
        }
    }

    [Fact]
    public async Task The_platform_admin_reads_no_tenant_data_without_a_membership_and_granting_one_is_audited_in_the_tenant()
    {
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, PlatformAdmin))
            await Assert.ThrowsAsync<AccessDeniedException>(() => scope.ServiceProvider.GetRequiredService<DeviceService>().ListAsync(new DeviceQuery()));

        await AsPlatformAsync(p => p.GrantSelfMembershipAsync(Portal.AcmeId, TenantRole.Auditor));
        var twice = await Assert.ThrowsAsync<ValidationException>(() => AsPlatformAsync(p => p.GrantSelfMembershipAsync(Portal.AcmeId, TenantRole.TenantAdmin)));

        Assert.Contains("already a member", twice.Message, StringComparison.Ordinal);
        await using (var scope = Portal.ScopeAs(Portal.AcmeId, PlatformAdmin))
        {
            Assert.NotEmpty((await scope.ServiceProvider.GetRequiredService<DeviceService>().ListAsync(new DeviceQuery())).Items);
            await Assert.ThrowsAsync<AccessDeniedException>(() => scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput { Name = "platform-made", Address = "10.0.0.1" }));
        }
        var entry = Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, AuditActions.PlatformMembershipGranted));
        Assert.Equal((Portal.User(PlatformAdmin).Id, "Auditor"), (entry.ActorId, entry.Details().GetProperty("role").GetString()));
        Assert.Single(await Portal.EntriesAsync(0, AuditActions.PlatformMembershipGranted));
    }
}
