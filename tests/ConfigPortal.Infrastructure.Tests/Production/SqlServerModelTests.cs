using System.Text.RegularExpressions;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConfigPortal.Infrastructure.Tests.Production;

/// <summary>
/// The SQL Server model, its creation script and the migrations script, built offline: the host is configured for
/// SQL Server with a connection string that points nowhere, and nothing here opens a connection. A live SQL Server
/// cannot run on this machine kind; these are the checks that can.
/// </summary>
public sealed partial class SqlServerModelTests : IDisposable
{
    public const string ScriptPath = "docker/sql/configportal.sql";

    private readonly string _dir = Directory.CreateTempSubdirectory("configportal-sqlserver-model-").FullName;
    private readonly IHost _host;
    private readonly AsyncServiceScope _scope;
    private readonly PortalDbContext _db;

    public SqlServerModelTests()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Production",
            ContentRootPath = _dir,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "SqlServer",
            ["ConnectionStrings:Portal"] = "Server=tcp:sql.invalid,1433;Database=ConfigPortal;User Id=portal;Password=unused;TrustServerCertificate=true",
            ["Database:DataDirectory"] = Path.Combine(_dir, "data"),
            ["Audit:KeyFile"] = Path.Combine(_dir, "keys", "audit-chain.key"),
        });
        builder.AddInfrastructure();
        _host = builder.Build();
        _scope = _host.Services.CreateAsyncScope();
        _db = _scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
    }

    private IRelationalModel Relational => _db.GetService<IDesignTimeModel>().Model.GetRelationalModel();

    [Fact]
    public void The_context_is_on_SQL_Server()
    {
        Assert.Equal("Microsoft.EntityFrameworkCore.SqlServer", _db.Database.ProviderName);
        Assert.True(_db.Database.CreateExecutionStrategy().RetriesOnFailure);
    }

    [Fact]
    public void No_table_is_reachable_by_two_cascading_paths_and_no_cascade_cycles()
    {
        // SQL Server refuses a FOREIGN KEY "may cause cycles or multiple cascade paths" when one table can be reached
        // from another through two chains of ON DELETE CASCADE / SET NULL actions. Count the paths from every table.
        var tables = Relational.Tables.ToList();
        Assert.NotEmpty(tables);
        static bool Acts(IForeignKeyConstraint fk) => fk.OnDeleteAction is ReferentialAction.Cascade or ReferentialAction.SetNull or ReferentialAction.SetDefault;
        var children = tables.ToDictionary(t => t.SchemaQualifiedName, t => new List<(string Child, string Fk)>());
        foreach (var t in tables)
        {
            foreach (var fk in t.ForeignKeyConstraints.Where(Acts))
                children[fk.PrincipalTable.SchemaQualifiedName].Add((t.SchemaQualifiedName, fk.Name));
        }

        var problems = new List<string>();
        foreach (var root in children.Keys)
        {
            var paths = new Dictionary<string, List<string>>();
            void Walk(string table, string path, HashSet<string> onPath)
            {
                foreach (var (child, fk) in children[table])
                {
                    var next = $"{path} -[{fk}]-> {child}";
                    if (!onPath.Add(child))
                    {
                        problems.Add("cycle: " + next);
                        continue;
                    }
                    if (!paths.TryGetValue(child, out var list)) paths[child] = list = [];
                    list.Add(next);
                    Walk(child, next, onPath);
                    onPath.Remove(child);
                }
            }
            Walk(root, root, [root]);
            problems.AddRange(paths.Where(p => p.Value.Count > 1).Select(p => $"{p.Key} is reached from {root} by: {string.Join(" | ", p.Value)}"));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct()));
    }

    [Fact]
    public void Every_indexed_or_key_column_is_sized()
    {
        // nvarchar(max)/varbinary(max) cannot be an index key on SQL Server.
        var problems = new List<string>();
        foreach (var table in Relational.Tables)
        {
            var keyed = table.Indexes.Select(i => (Name: i.Name, i.Columns))
                .Concat(table.UniqueConstraints.Select(u => (Name: u.Name, u.Columns)));
            foreach (var (name, columns) in keyed)
            {
                foreach (var c in columns.Where(c => c.StoreType.Contains("(max)", StringComparison.OrdinalIgnoreCase)))
                    problems.Add($"{table.Name}.{c.Name} ({c.StoreType}) in {name}");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("AuditEntries", "TimestampUtc")]   // date range
    [InlineData("AuditEntries", "Action")]         // action filter
    [InlineData("AuditEntries", "ActorName")]      // actor filter
    [InlineData("AuditEntries", "DeviceId")]       // device filter
    [InlineData("AuditEntries", "Outcome")]        // outcome filter
    [InlineData("AuditEntries", "CorrelationId")]  // correlation id filter
    [InlineData("AuditEntries", "Sequence")]       // default order
    [InlineData("Devices", "Name")]                // device grid sorts
    [InlineData("Devices", "Address")]
    [InlineData("Devices", "Vendor")]
    [InlineData("Devices", "LastRunAtUtc")]
    [InlineData("Devices", "SnapshotCount")]
    public void Grid_filters_and_sorts_have_a_tenant_leading_index(string table, string column)
    {
        var t = Relational.Tables.Single(x => x.Name == table);
        Assert.Contains(t.Indexes.Concat<ITableIndex>([]), i =>
            i.Columns.Count >= 2 && i.Columns[0].Name == "TenantId" && i.Columns[1].Name == column);
    }

    [GeneratedRegex(@"CREATE TABLE \[(?<name>[^\]]+)\]")]
    private static partial Regex CreateTable();

    [Fact]
    public void The_creation_script_creates_every_table_and_no_unsized_index()
    {
        var script = _db.Database.GenerateCreateScript();

        var created = CreateTable().Matches(script).Select(m => m.Groups["name"].Value).ToHashSet();
        var expected = Relational.Tables.Select(t => t.Name).ToList();
        Assert.True(expected.Count >= 15, "the model has too few tables to be meaningful");
        Assert.All(expected, name => Assert.Contains(name, created));
        Assert.Contains("nvarchar(max)", script, StringComparison.Ordinal); // DetailsJson, snapshot text: unindexed
        Assert.DoesNotContain("ON DELETE CASCADE ON DELETE", script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_committed_idempotent_script_is_current()
    {
        var migrator = _db.GetService<IMigrator>();
        var expected = migrator.GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        var path = Path.Combine(RetryingTransactionTests.RepositoryRoot(), ScriptPath);
        Assert.True(File.Exists(path), $"{ScriptPath} is missing; regenerate it (docs/operations.md, SQL Server).");
        var committed = File.ReadAllText(path);

        static string Norm(string s) => s.TrimStart('\uFEFF').ReplaceLineEndings("\n").Trim();
        var ids = _db.Database.GetMigrations().ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Contains($"N'{id}'", committed, StringComparison.Ordinal));
        Assert.True(Norm(expected) == Norm(committed),
            $"{ScriptPath} is not the script of the current SQL Server migrations; regenerate it with: " +
            "dotnet ef migrations script --idempotent --project src/ConfigPortal.Migrations.SqlServer --startup-project src/ConfigPortal.Web -o docker/sql/configportal.sql -- --provider SqlServer");
    }

    public void Dispose()
    {
        _db.Dispose();
        _scope.Dispose();
        _host.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* harmless */ }
    }
}
