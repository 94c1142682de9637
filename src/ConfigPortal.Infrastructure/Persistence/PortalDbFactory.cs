using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Persistence;

/// <summary>
/// Hands the domain one new context per operation. On SQLite the context borrows an open connection of
/// <see cref="SqliteConnectionPool"/> (its prepared statements are kept, ADR-016) and gives it back when disposed.
/// </summary>
internal sealed class PortalDbFactory(IDbContextFactory<PortalDbContext> factory, SqliteConnectionPool? pool = null) : IPortalDbFactory
{
    public async Task<IPortalDb> CreateAsync(CancellationToken cancellationToken = default)
    {
        var context = await factory.CreateDbContextAsync(cancellationToken);
        if (pool?.Rent() is { } connection)
        {
            try
            {
                context.Database.SetDbConnection(connection, contextOwnsConnection: false);
            }
            catch
            {
                pool.Return(connection);
                await context.DisposeAsync();
                throw;
            }
            context.OnDisposed = () => pool.Return(connection);
        }
        return context;
    }
}
