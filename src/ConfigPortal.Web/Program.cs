using ConfigPortal.Infrastructure;
using ConfigPortal.Web;

if (await Operations.TryRunHealthProbeAsync(args) is { } probe) return probe;
if (await Operations.TryRunVerifyAuditAsync(args) is { } verified) return verified;

var builder = WebApplication.CreateBuilder(args);
var role = PortalRoles.Resolve(builder.Configuration);
builder.ApplyDefaults(role);
builder.AddInfrastructure();
if (role == PortalRole.Worker)
    builder.AddPortalWorker();
else
    builder.AddPortalWeb();
builder.AddPortalTelemetry(role.ToString().ToLowerInvariant());

var app = builder.Build();
await app.InitializePortalAsync(args);
if (await Operations.TryBootstrapAdminAsync(app, args) is { } exitCode) return exitCode;
if (role == PortalRole.Worker)
    app.UsePortalWorker();
else
    app.UsePortal();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
