using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Persistence;

/// <summary>Hands the domain one new context per operation.</summary>
internal sealed class PortalDbFactory(IDbContextFactory<PortalDbContext> factory) : IPortalDbFactory
{
    public async Task<IPortalDb> CreateAsync(CancellationToken cancellationToken = default) =>
        await factory.CreateDbContextAsync(cancellationToken);
}
