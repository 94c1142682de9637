using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Production;

/// <summary>
/// ADR-016: contexts of the portal's factory borrow open SQLite connections whose commands stay prepared. On the real
/// SQLite file: the connection and its prepared statements are reused with new parameter values and give the right
/// rows, writes of every parameter kind round-trip, and a context that leaves a transaction open never hands its
/// connection (or its uncommitted writes) to the next context.
/// </summary>
public sealed class SqliteStatementCacheTests
{
    private static async Task<(SqliteConnection Connection, T Result)> WithContextAsync<T>(PortalHost portal, Func<IPortalDb, Task<T>> work)
    {
        await using var scope = portal.SystemScope(portal.AcmeId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        return (connection, await work(db));
    }

    [Fact]
    public async Task A_pooled_connection_reuses_its_prepared_statement_with_new_parameter_values()
    {
        await using var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        var devices = await portal.QueryAsync(portal.AcmeId, db => db.Devices.OrderBy(d => d.Id).Select(d => new { d.Id, d.Name }).ToListAsync());
        Assert.True(devices.Count >= 2);

        var (first, firstName) = await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == devices[0].Id).Select(d => d.Name).SingleAsync());
        var cachedAfterFirst = SqliteStatementCache.CachedStatements(first);
        var (second, secondName) = await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == devices[1].Id).Select(d => d.Name).SingleAsync());

        Assert.Equal(devices[0].Name, firstName);
        Assert.Equal(devices[1].Name, secondName);
        Assert.Same(first, second); // one context at a time: the idle connection is handed out again
        Assert.NotNull(cachedAfterFirst);
        Assert.Equal(cachedAfterFirst, SqliteStatementCache.CachedStatements(second)); // the same SQL: no new statement
        Assert.Equal(System.Data.ConnectionState.Open, second.State); // disposing the context did not close it
    }

    [Fact]
    public async Task Writes_through_prepared_statements_round_trip_dates_nulls_and_text()
    {
        await using var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        var deviceId = await portal.CreateDeviceAsync(portal.AcmeId, "cache-rt-1", SimulatorBehavior.Static);
        var when = new DateTime(2026, 11, 28, 23, 59, 58, 123, DateTimeKind.Utc).AddTicks(4567);
        foreach (var (message, at) in new[] { ("first \u00e9 message", (DateTime?)when), (null, null), ("third", when.AddDays(1)) })
        {
            // The same UPDATE each time, run through the cached statement with other values (a null among them).
            await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == deviceId)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastRunMessage, message).SetProperty(d => d.LastRunAtUtc, at)));
            var row = await portal.QueryAsync(portal.AcmeId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == deviceId));
            Assert.Equal(message, row.LastRunMessage);
            Assert.Equal(at, row.LastRunAtUtc);
        }
    }

    [Fact]
    public async Task A_context_disposed_inside_its_transaction_rolls_it_back_before_the_connection_is_reused()
    {
        await using var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        var deviceId = await portal.CreateDeviceAsync(portal.AcmeId, "cache-tx-1", SimulatorBehavior.Static);

        await using (var scope = portal.SystemScope(portal.AcmeId))
        {
            var db = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync();
            await db.Database.BeginTransactionAsync();
            await db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastRunMessage, "never committed"));
            await db.DisposeAsync(); // the caller never commits nor disposes the transaction
        }

        var (_, message) = await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == deviceId).Select(d => d.LastRunMessage).SingleOrDefaultAsync());
        Assert.Null(message);
        // The next writer is not locked out by the abandoned transaction.
        await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastRunMessage, "committed")));
        Assert.Equal("committed", await portal.QueryAsync(portal.AcmeId, db => db.Devices.Where(d => d.Id == deviceId).Select(d => d.LastRunMessage).SingleAsync()));
    }

    [Fact]
    public async Task A_connection_left_inside_a_transaction_EF_Core_does_not_know_is_closed_not_pooled()
    {
        await using var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        var deviceId = await portal.CreateDeviceAsync(portal.AcmeId, "cache-tx-2", SimulatorBehavior.Static);

        SqliteConnection abandoned;
        await using (var scope = portal.SystemScope(portal.AcmeId))
        {
            var db = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync();
            abandoned = (SqliteConnection)db.Database.GetDbConnection();
            await using (var begin = abandoned.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE; UPDATE Devices SET LastRunMessage = 'never committed' WHERE Id = $id;";
                begin.Parameters.AddWithValue("$id", deviceId);
                await begin.ExecuteNonQueryAsync();
            }
            await db.DisposeAsync();
        }

        Assert.Equal(System.Data.ConnectionState.Closed, abandoned.State); // closing rolled the transaction back
        var (next, message) = await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == deviceId).Select(d => d.LastRunMessage).SingleOrDefaultAsync());
        Assert.NotSame(abandoned, next);
        Assert.Null(message);
        await WithContextAsync(portal, db => db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastRunMessage, "committed")));
        Assert.Equal("committed", await portal.QueryAsync(portal.AcmeId, db => db.Devices.Where(d => d.Id == deviceId).Select(d => d.LastRunMessage).SingleAsync()));
    }
}
