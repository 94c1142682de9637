using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Devices;

public sealed class DeviceValidationTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    private static DeviceInput Valid(string name = "valid-sw") => new()
    {
        Name = name, Address = "192.0.2.20", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static,
    };

    private async Task<ValidationException> RejectedAsync(DeviceInput input, int? updateId = null)
    {
        await using var scope = Portal.ScopeAs(Portal.AcmeId, "admin@acme.example");
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        return await Assert.ThrowsAsync<ValidationException>(() => updateId is { } id ? devices.UpdateAsync(id, input) : devices.CreateAsync(input));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AnEmptyNameIsAFieldError(string name)
    {
        var input = Valid();
        input.Name = name;

        var ex = await RejectedAsync(input);

        Assert.Equal([nameof(DeviceInput.Name)], ex.Errors.Keys);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0")]
    [InlineData("not a host")]
    [InlineData("-bad-.example")]
    [InlineData("host_name.example")]
    public async Task ABadAddressIsAFieldError(string address)
    {
        var input = Valid("bad-address-" + address.Length);
        input.Address = address;

        var ex = await RejectedAsync(input);

        Assert.Equal([nameof(DeviceInput.Address)], ex.Errors.Keys);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("2001:db8::1")]
    [InlineData("core-sw1.example.net")]
    [InlineData("router1")]
    public void GoodAddressesAreAccepted(string address)
    {
        Assert.True(DeviceService.IsValidAddress(address));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(70000)]
    public async Task APortOutsideOneTo65535IsAFieldError(int port)
    {
        var input = Valid("bad-port");
        input.Port = port;

        var ex = await RejectedAsync(input);

        Assert.Equal([nameof(DeviceInput.Port)], ex.Errors.Keys);
    }

    [Fact]
    public async Task ADuplicateNameIsAFieldErrorOnCreateAndOnRename()
    {
        var other = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw2").Select(d => d.Id).SingleAsync());
        var input = Valid("acme-core-sw1");

        var onCreate = await RejectedAsync(input);
        var onRename = await RejectedAsync(input, updateId: other);

        Assert.Contains("already exists", Assert.Single(onCreate.Errors[nameof(DeviceInput.Name)]), StringComparison.Ordinal);
        Assert.Contains("already exists", Assert.Single(onRename.Errors[nameof(DeviceInput.Name)]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANameUsedInAnotherTenantIsFree()
    {
        await using var scope = Portal.ScopeAs(Portal.AcmeId, "admin@acme.example");

        var id = await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(Valid("globex-core1"));

        Assert.True(id > 0);
    }

    [Fact]
    public async Task SeveralBadFieldsAreAllReportedAtOnce()
    {
        var ex = await RejectedAsync(new DeviceInput { Name = "", Address = "999.1.1.1", Port = 0, Vendor = "nokia_unknown", Driver = DeviceDriver.Simulator });

        Assert.Equal(
            new[] { nameof(DeviceInput.Address), nameof(DeviceInput.Name), nameof(DeviceInput.Port), nameof(DeviceInput.Vendor) },
            ex.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ACredentialProfileOfAnotherTenantIsAFieldError()
    {
        int globexCredential;
        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "admin@globex.example"))
        {
            globexCredential = await scope.ServiceProvider.GetRequiredService<Domain.Credentials.CredentialProfileService>()
                .CreateAsync(new Domain.Credentials.CredentialProfileInput { Name = "globex-cred", Username = "u", Password = "Globex-Device-Pass" });
        }
        var input = Valid("cred-thief");
        input.CredentialProfileIds = [globexCredential];

        var ex = await RejectedAsync(input);

        Assert.Equal([nameof(DeviceInput.CredentialProfileIds)], ex.Errors.Keys);
    }

    [Fact]
    public async Task AValidDeviceIsStoredAndAudited()
    {
        await using var scope = Portal.ScopeAs(Portal.AcmeId, "admin@acme.example");

        var id = await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(Valid("  trimmed-sw  "));

        var device = await Portal.QueryAsync(Portal.AcmeId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == id));
        Assert.Equal(("trimmed-sw", Portal.AcmeId), (device.Name, device.TenantId));
        Assert.Single(await Portal.EntriesAsync(Portal.AcmeId, Domain.Audit.AuditActions.DeviceCreated, id));
    }
}
