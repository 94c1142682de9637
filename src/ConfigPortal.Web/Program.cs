using ConfigPortal.Infrastructure;
using ConfigPortal.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddInfrastructure();
builder.AddPortalWeb();

var app = builder.Build();
await app.InitializePortalAsync(args);
app.UsePortal();
await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
