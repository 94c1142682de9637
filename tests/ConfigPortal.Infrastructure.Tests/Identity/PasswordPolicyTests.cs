using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Seeding;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Identity;

/// <summary>The password policy as UserManager applies it: length, the common-password list, the user's own name.</summary>
public sealed class PasswordPolicyTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<IdentityResult> CreateAsync(string email, string password)
    {
        await using var scope = fixture.Portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.CreateAsync(new ApplicationUser { UserName = email, Email = email, CreatedAtUtc = DateTime.UtcNow }, password);
    }

    private static string NewEmail(string local = "pat") => $"{local}.{Guid.NewGuid():N}"[..20] + "@policy.example";

    [Theory]
    [InlineData("password1234")]
    [InlineData("PASSWORD1234")]
    [InlineData("Password1234")]
    [InlineData("qwertyuiop12")]
    [InlineData("QwertyUiop12")]
    [InlineData("123456789012")]
    [InlineData("letmein12345")]
    public async Task ACommonPasswordIsRejectedWhateverItsCase(string password)
    {
        var result = await CreateAsync(NewEmail(), password);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Code == PortalPasswordValidator.CommonPasswordCode);
    }

    [Fact]
    public async Task APasswordShorterThan12CharactersIsRejected()
    {
        var result = await CreateAsync(NewEmail(), "Sh0rt-but-ok");
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Code)));

        var shorter = await CreateAsync(NewEmail(), "Sh0rt-but-o");
        Assert.Contains(shorter.Errors, e => e.Code == nameof(IdentityErrorDescriber.PasswordTooShort));
    }

    [Fact]
    public async Task APasswordContainingTheEmailOrItsLocalPartIsRejectedWhateverItsCase()
    {
        var email = NewEmail("jordan");
        var local = email[..email.IndexOf('@', StringComparison.Ordinal)];

        var withLocal = await CreateAsync(email, "x" + local.ToUpperInvariant() + "-2026!");
        var withEmail = await CreateAsync(email, "My " + email + " rocks");

        Assert.Contains(withLocal.Errors, e => e.Code == PortalPasswordValidator.ContainsUserNameCode);
        Assert.Contains(withEmail.Errors, e => e.Code == PortalPasswordValidator.ContainsUserNameCode);
    }

    [Fact]
    public async Task AVeryShortLocalPartIsNotAReasonToReject()
    {
        // "jo@..." would otherwise forbid every password with "jo" in it.
        var email = $"jo{Guid.NewGuid():N}"[..2] + "@" + Guid.NewGuid().ToString("N")[..8] + ".example";

        var result = await CreateAsync(email, "Join-Our-Band-Tonight-7");

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Code)));
    }

    [Fact]
    public async Task AGoodPasswordAndTheDemoPasswordPass()
    {
        Assert.True((await CreateAsync(NewEmail(), "Tide-Pool-Lantern-83")).Succeeded);
        Assert.True((await CreateAsync(NewEmail(), DemoSeeder.DemoPassword)).Succeeded);
    }

    [Fact]
    public void TheEmbeddedListHasAFewHundredEntriesIncludingTheUsualSuspects()
    {
        Assert.InRange(PortalPasswordValidator.CommonPasswords.Count, 300, 5000);
        Assert.True(PortalPasswordValidator.IsCommon("password1234"));
        Assert.True(PortalPasswordValidator.IsCommon("QWERTYUIOP12"));
        Assert.False(PortalPasswordValidator.IsCommon("Tide-Pool-Lantern-83"));
    }
}
