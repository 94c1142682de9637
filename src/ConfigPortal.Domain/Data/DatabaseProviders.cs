using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ConfigPortal.Domain.Data;

/// <summary>Which provider a context runs on, for the few places that take a provider-specific path.</summary>
public static class DatabaseProviders
{
    public const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";
    public const string SqlServer = "Microsoft.EntityFrameworkCore.SqlServer";

    public static bool IsSqliteProvider([NotNullWhen(true)] this DatabaseFacade? database) => database?.ProviderName == Sqlite;

    public static bool IsSqlServerProvider([NotNullWhen(true)] this DatabaseFacade? database) => database?.ProviderName == SqlServer;
}
