using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Preferences;

/// <summary>
/// The signed-in user's own display preferences. No tenant permission is involved: a user reads and writes only their
/// own rows (by the caller's user id), and callers that are not users (API tokens, the scheduler) have none.
/// </summary>
public sealed class UserPreferenceService(IPortalDbFactory dbFactory, ICurrentActor actor, TimeProvider clock)
{
    /// <summary>The caller's value of a preference, or null when unset (or the caller is not a user).</summary>
    public async Task<string?> GetAsync(string name, CancellationToken ct = default)
    {
        if (actor.Kind != ActorKind.User || actor.UserId is not { } userId) return null;
        await using var db = await dbFactory.CreateAsync(ct);
        var value = await db.UserPreferences.AsNoTracking()
            .Where(p => p.UserId == userId && p.Name == name)
            .Select(p => p.Value)
            .FirstOrDefaultAsync(ct);
        // A value that is no longer allowed (an older release's) counts as unset.
        return value is not null && UserPreferenceNames.Allowed.TryGetValue(name, out var allowed) && allowed.Contains(value) ? value : null;
    }

    /// <summary>Stores the caller's preference. Unknown names and values are a validation error; non-users store nothing.</summary>
    public async Task SetAsync(string name, string value, CancellationToken ct = default)
    {
        if (!UserPreferenceNames.Allowed.TryGetValue(name, out var allowed) || !allowed.Contains(value))
            throw new ValidationException(new Dictionary<string, string[]> { [name] = [$"Unknown preference value '{value}'."] });
        if (actor.Kind != ActorKind.User || actor.UserId is not { } userId) return;
        await using var db = await dbFactory.CreateAsync(ct);
        // One row, one SaveChanges: no transaction needed.
        var row = await db.UserPreferences.FirstOrDefaultAsync(p => p.UserId == userId && p.Name == name, ct);
        if (row is null)
            db.UserPreferences.Add(new UserPreference { UserId = userId, Name = name, Value = value, UpdatedAtUtc = clock.GetUtcNow().UtcDateTime });
        else if (row.Value != value)
        {
            row.Value = value;
            row.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(ct);
    }
}
