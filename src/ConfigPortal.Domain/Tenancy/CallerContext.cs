namespace ConfigPortal.Domain.Tenancy;

/// <summary>
/// The tenant whose rows this scope may see. Set once per scope: from the signed-in user's active tenant (UI),
/// from the API token (API) or explicitly by a background job. Unset means "no tenant": every filtered query is empty.
/// </summary>
public interface ITenantContext
{
    int? TenantId { get; }
    void SetTenant(int tenantId);
}

public enum ActorKind
{
    User = 1,
    ApiToken = 2,
    System = 3,
    Anonymous = 4,
}

/// <summary>Who is calling, from where. Filled by the web layer (circuit, request) or by a job ("system").</summary>
public interface ICurrentActor
{
    ActorKind Kind { get; }
    string? UserId { get; }
    string Name { get; }
    int? ApiTokenId { get; }
    ApiTokens.ApiTokenScopes TokenScopes { get; }
    string? ClientIp { get; }
    string? UserAgent { get; }
    string CorrelationId { get; }
}

public sealed class CurrentActor : ICurrentActor
{
    public ActorKind Kind { get; set; } = ActorKind.Anonymous;
    public string? UserId { get; set; }
    public string Name { get; set; } = "anonymous";
    public int? ApiTokenId { get; set; }
    public ApiTokens.ApiTokenScopes TokenScopes { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public string CorrelationId { get; set; } = Guid.NewGuid().ToString("N");

    public void SetUser(string userId, string name, string? ip, string? userAgent)
    {
        Kind = ActorKind.User;
        UserId = userId;
        Name = name;
        ClientIp = ip;
        UserAgent = userAgent;
        ApiTokenId = null;
    }

    public void SetApiToken(int tokenId, string name, ApiTokens.ApiTokenScopes scopes, string? ip, string? userAgent)
    {
        Kind = ActorKind.ApiToken;
        ApiTokenId = tokenId;
        UserId = null;
        Name = name;
        TokenScopes = scopes;
        ClientIp = ip;
        UserAgent = userAgent;
    }

    public void SetSystem()
    {
        Kind = ActorKind.System;
        UserId = null;
        Name = "system";
        ApiTokenId = null;
    }
}

public sealed class TenantContext : ITenantContext
{
    public int? TenantId { get; private set; }

    public void SetTenant(int tenantId)
    {
        if (TenantId is { } current && current != tenantId)
            throw new InvalidOperationException("The tenant of a scope cannot change once set.");
        TenantId = tenantId;
    }
}
