using System.Text.RegularExpressions;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Migrations.SqlServer.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ConfigPortal.Infrastructure.Tests.Production;

/// <summary>
/// The opt-in append-only ledger table for the audit trail (ADR-007), checked offline: the migration's raw SQL, the
/// committed script and the DBA's opt-in script. A live SQL Server cannot run here.
/// </summary>
public sealed partial class SqlServerModelTests
{
    private static string Ledger => AuditRetention.AuditLedgerSql;

    [GeneratedRegex(@"CREATE TABLE \[dbo\]\.\[AuditEntries\] \((?<body>.*?)\n\s*\) WITH \(LEDGER = ON \(APPEND_ONLY = ON\)\)", RegexOptions.Singleline)]
    private static partial Regex LedgerTable();

    [GeneratedRegex(@"^\s*\[(?<name>\w+)\] (?<type>[a-z0-9()]+)(?<identity> IDENTITY)?(?<rest>.*?),?$", RegexOptions.Multiline)]
    private static partial Regex LedgerColumn();

    [GeneratedRegex(@"CREATE (?<unique>UNIQUE )?INDEX \[(?<name>\w+)\] ON \[dbo\]\.\[AuditEntries\] \((?<cols>[^)]*)\)")]
    private static partial Regex LedgerIndex();

    [Fact]
    public void The_ledger_table_has_the_models_columns_and_indexes()
    {
        var table = Relational.Tables.Single(t => t.Name == "AuditEntries");
        var body = LedgerTable().Match(Ledger);
        Assert.True(body.Success, "The ledger SQL does not create dbo.AuditEntries WITH (LEDGER = ON (APPEND_ONLY = ON)).");

        var columns = LedgerColumn().Matches(body.Groups["body"].Value)
            .Select(m => (m.Groups["name"].Value, m.Groups["type"].Value, Nullable: !m.Groups["rest"].Value.Contains("NOT NULL", StringComparison.Ordinal)))
            .ToList();
        var model = table.Columns.Select(c => (c.Name, c.StoreType, Nullable: c.IsNullable)).ToList();
        Assert.Equal(model.OrderBy(c => c.Name, StringComparer.Ordinal), columns.OrderBy(c => c.Item1, StringComparer.Ordinal));
        Assert.Contains("CONSTRAINT [PK_AuditEntries] PRIMARY KEY ([Id])", body.Value, StringComparison.Ordinal);

        var indexes = LedgerIndex().Matches(Ledger)
            .Select(m => (m.Groups["name"].Value, string.Join(",", m.Groups["cols"].Value.Split(',').Select(c => c.Trim().Trim('[', ']'))), m.Groups["unique"].Success))
            .OrderBy(i => i.Item1, StringComparer.Ordinal).ToList();
        var modelIndexes = table.Indexes.Select(i => (i.Name, string.Join(",", i.Columns.Select(c => c.Name)), i.IsUnique))
            .OrderBy(i => i.Item1, StringComparer.Ordinal).ToList();
        Assert.Equal(modelIndexes, indexes);
    }

    [Fact]
    public void The_ledger_conversion_is_opt_in_only_for_an_empty_table_and_compiles_without_ledger_support()
    {
        // Opt-in: the database property the DBA's script sets, checked before anything else.
        var optIn = $"name = N'{AuditRetention.LedgerOptInProperty}'";
        Assert.Contains(optIn, Ledger, StringComparison.Ordinal);
        Assert.True(Ledger.IndexOf(optIn, StringComparison.Ordinal) < Ledger.IndexOf("DROP TABLE", StringComparison.Ordinal));
        var dba = File.ReadAllText(Path.Combine(RetryingTransactionTests.RepositoryRoot(), "docker", "sql", "audit-ledger.sql"));
        Assert.Contains($"@name = N'{AuditRetention.LedgerOptInProperty}', @value = N'on'", dba, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"^\s*(CREATE|DROP|ALTER)\s", RegexOptions.Multiline | RegexOptions.IgnoreCase), dba);

        // Only an empty, regular table is converted, and the conversion is one transaction.
        Assert.Contains("NOT EXISTS (SELECT 1 FROM dbo.AuditEntries)", Ledger, StringComparison.Ordinal);
        Assert.Contains("ledger_type = 0", Ledger, StringComparison.Ordinal);
        var tx = Ledger.IndexOf("BEGIN TRANSACTION", StringComparison.Ordinal);
        Assert.True(tx > 0 && tx < Ledger.IndexOf("DROP TABLE", StringComparison.Ordinal) && Ledger.IndexOf("COMMIT TRANSACTION", StringComparison.Ordinal) > Ledger.IndexOf("CREATE TABLE", StringComparison.Ordinal));
        Assert.Contains("SET XACT_ABORT ON", Ledger, StringComparison.Ordinal);

        // Everything a pre-2022 server cannot compile (LEDGER, ledger_type) is dynamic SQL: the script runs everywhere.
        var outsideStrings = Regex.Replace(Ledger, "N'(?:[^']|'')*'", "''");
        Assert.DoesNotContain("LEDGER", outsideStrings.Replace("@auditLedger", "", StringComparison.Ordinal).Replace(AuditRetention.LedgerOptInProperty, "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ledger_type", outsideStrings, StringComparison.Ordinal);
        Assert.DoesNotContain("ledger_type", Regex.Replace(AuditStorage.LedgerCheckSql, "N'(?:[^']|'')*'", "''"), StringComparison.Ordinal);
        Assert.Contains("ledger_type = 2", AuditStorage.LedgerCheckSql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_committed_script_carries_the_ledger_option_outside_a_transaction()
    {
        var script = File.ReadAllText(Path.Combine(RetryingTransactionTests.RepositoryRoot(), ScriptPath)).ReplaceLineEndings("\n");
        static string Squash(string s) => Regex.Replace(s, @"\s+", " ").Trim();
        Assert.Contains(Squash(Ledger), Squash(script), StringComparison.Ordinal);

        // suppressTransaction: the batch holding it is not inside the migration's BEGIN TRANSACTION … COMMIT.
        var at = script.IndexOf("DECLARE @auditLedger", StringComparison.Ordinal);
        var batchStart = script.LastIndexOf("\nGO\n", at, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN TRANSACTION;\nIF NOT EXISTS", script[batchStart..at], StringComparison.Ordinal);

        var migration = _db.GetService<IMigrationsAssembly>().Migrations.Keys.Single(k => k.EndsWith("_AuditRetention", StringComparison.Ordinal));
        Assert.Contains($"N'{migration}'", script[at..], StringComparison.Ordinal);
    }
}
