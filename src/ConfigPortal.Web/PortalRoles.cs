namespace ConfigPortal.Web;

/// <summary>What one instance of the executable does (<c>--role</c> or the <c>Role</c> setting).</summary>
public enum PortalRole
{
    /// <summary>UI, API and the backup worker (the default; one instance does everything).</summary>
    All,
    /// <summary>UI and API only (<c>Backups:RunWorker=false</c>): queued runs wait in the database for a worker.</summary>
    Web,
    /// <summary>The backup worker only: no UI, no API; health endpoints (and /metrics) for the orchestrator.</summary>
    Worker,
}

public static class PortalRoles
{
    /// <summary>The role from <c>--role X</c> on the command line (the command-line provider maps it to <c>Role</c>) or the <c>Role</c> setting.</summary>
    public static PortalRole Resolve(IConfiguration config)
    {
        var value = config["Role"];
        if (string.IsNullOrWhiteSpace(value)) return PortalRole.All;
        return Enum.TryParse<PortalRole>(value.Trim(), ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new InvalidOperationException($"Unknown role '{value}': use all, web or worker.");
    }

    /// <summary>Settings a role implies; an explicit setting wins.</summary>
    public static void ApplyDefaults(this IHostApplicationBuilder builder, PortalRole role)
    {
        if (role == PortalRole.Web && builder.Configuration["Backups:RunWorker"] is null)
            builder.Configuration["Backups:RunWorker"] = "false";
        if (role == PortalRole.Worker)
            builder.Configuration["Backups:RunWorker"] = "true";
    }
}
