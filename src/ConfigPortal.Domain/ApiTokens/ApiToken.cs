using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.ApiTokens;

[Flags]
public enum ApiTokenScopes
{
    None = 0,
    Read = 1,
    Backup = 2,
    Admin = 4,
}

/// <summary>A per-tenant API token. Only its SHA-256 hash is stored; the secret is shown once at creation.</summary>
public sealed class ApiToken : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the token, to recognise it in lists.</summary>
    public required string Prefix { get; set; }
    public required string TokenHash { get; set; }
    public ApiTokenScopes Scopes { get; set; }
    public string? CreatedByUserId { get; set; }
    public required string CreatedByName { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? ExpiresAtUtc { get; set; }
    public DateTime? LastUsedAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
}

public sealed record ApiTokenView(int Id, string Name, string Prefix, ApiTokenScopes Scopes, string CreatedBy, DateTime CreatedAtUtc,
    DateTime? ExpiresAtUtc, DateTime? LastUsedAtUtc, DateTime? RevokedAtUtc);

/// <summary>The token, in clear, exactly once.</summary>
public sealed record CreatedApiToken(ApiTokenView Token, string Secret);

/// <summary>A validated token: who it is and for which tenant.</summary>
public sealed record ApiTokenIdentity(int TokenId, int TenantId, string Name, ApiTokenScopes Scopes);

public sealed class ApiTokenService(IPortalDbFactory dbFactory, TenantAccess access, ICurrentActor actor, IAuditService audit, TimeProvider clock)
{
    public const string TokenPrefix = "cpt_";

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageApiTokens, "manage API tokens", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var rows = await db.ApiTokens.AsNoTracking().OrderByDescending(t => t.Id).ToListAsync(ct);
        return rows.Select(ToView).ToList();
    }

    public async Task<CreatedApiToken> CreateAsync(string name, ApiTokenScopes scopes, DateTime? expiresAtUtc, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageApiTokens, "manage API tokens", ct);
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100) throw ValidationException.For("name", "Name is required (at most 100 characters).");
        if (scopes == ApiTokenScopes.None || (scopes & ~(ApiTokenScopes.Read | ApiTokenScopes.Backup | ApiTokenScopes.Admin)) != 0)
            throw ValidationException.For("scopes", "Choose at least one valid scope.");
        var now = clock.GetUtcNow().UtcDateTime;
        if (expiresAtUtc is { } exp && exp <= now) throw ValidationException.For("expiresAt", "The expiry must be in the future.");

        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var db = await dbFactory.CreateAsync(ct);
        var token = await db.ExecuteInTransactionAsync(async ct =>
        {
            var created = new ApiToken
            {
                TenantId = grant.TenantId,
                Name = name,
                Prefix = secret[..12],
                TokenHash = Hash(secret),
                Scopes = scopes,
                CreatedByUserId = actor.UserId,
                CreatedByName = actor.Name,
                CreatedAtUtc = now,
                ExpiresAtUtc = expiresAtUtc,
            };
            db.ApiTokens.Add(created);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.ApiTokenCreated,
                ResourceType = "api_token",
                ResourceId = created.Id.ToString(CultureInfo.InvariantCulture),
                Details = new { created.Name, created.Prefix, scopes = scopes.ToString(), expiresAtUtc },
            }], ct);
            return created;
        }, ct);
        return new CreatedApiToken(ToView(token), secret);
    }

    public async Task RevokeAsync(int tokenId, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageApiTokens, "manage API tokens", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        // The denial of a missing id is audited in its own transaction: checked before this one opens.
        if (!await db.ApiTokens.AnyAsync(t => t.Id == tokenId, ct))
            throw await access.NotFoundAsync("api_token", tokenId, ct);
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var token = await db.ApiTokens.SingleAsync(t => t.Id == tokenId, ct);
            if (token.RevokedAtUtc is not null) return;
            token.RevokedAtUtc = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.ApiTokenRevoked,
                ResourceType = "api_token",
                ResourceId = tokenId.ToString(CultureInfo.InvariantCulture),
                Details = new { token.Name, token.Prefix },
            }], ct);
        }, ct);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ApiTokenView ToView(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.Scopes, t.CreatedByName, t.CreatedAtUtc, t.ExpiresAtUtc, t.LastUsedAtUtc, t.RevokedAtUtc);
}
