namespace ConfigPortal.Domain.Preferences;

/// <summary>
/// A display preference of one user (not of a tenant: it follows the user into every tenant), e.g. the diff view.
/// Keyed by user and <see cref="Name"/>; only names in <see cref="UserPreferenceNames"/> are stored.
/// </summary>
public sealed class UserPreference
{
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>The preferences the portal knows, with the values each may take.</summary>
public static class UserPreferenceNames
{
    /// <summary>The diff viewer's layout: <see cref="DiffViewSideBySide"/> or <see cref="DiffViewUnified"/>.</summary>
    public const string DiffView = "diff.view";
    public const string DiffViewSideBySide = "side-by-side";
    public const string DiffViewUnified = "unified";

    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [DiffView] = [DiffViewSideBySide, DiffViewUnified],
    };
}
