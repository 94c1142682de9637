using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;

namespace ConfigPortal.Infrastructure.Identity;

/// <summary>
/// The portal's password rules beyond Identity's length check (≥ 12, see DependencyInjection): not one of the common
/// passwords shipped in <c>common-passwords.txt</c> (case-insensitive), and not containing the user's e-mail address,
/// user name or the e-mail's local part.
/// </summary>
public sealed class PortalPasswordValidator : IPasswordValidator<ApplicationUser>
{
    public const string CommonPasswordCode = "PasswordTooCommon";
    public const string ContainsUserNameCode = "PasswordContainsUserName";

    /// <summary>Local parts shorter than this ("jo") are too short to reject on.</summary>
    private const int MinimumIdentifierLength = 4;

    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    public static IReadOnlySet<string> CommonPasswords => Common.Value;

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
            return Task.FromResult(IdentityResult.Success);

        var errors = new List<IdentityError>();
        if (IsCommon(password))
            errors.Add(new IdentityError { Code = CommonPasswordCode, Description = "This password is too common. Choose one that is harder to guess." });
        if (ContainsIdentifier(user, password))
            errors.Add(new IdentityError { Code = ContainsUserNameCode, Description = "The password must not contain your e-mail address or user name." });
        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }

    public static bool IsCommon(string password) => Common.Value.Contains(password.Trim());

    private static bool ContainsIdentifier(ApplicationUser user, string password)
    {
        foreach (var identifier in Identifiers(user))
        {
            if (identifier.Length >= MinimumIdentifierLength && password.Contains(identifier, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private static IEnumerable<string> Identifiers(ApplicationUser user)
    {
        if (user.UserName is { Length: > 0 } name) yield return name;
        if (user.Email is { Length: > 0 } email)
        {
            yield return email;
            var at = email.IndexOf('@', StringComparison.Ordinal);
            if (at > 0) yield return email[..at];
        }
    }

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(PortalPasswordValidator).Assembly.GetManifestResourceStream("ConfigPortal.Infrastructure.Identity.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#')) set.Add(line);
        }
        return set.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
