using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Infrastructure.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConfigPortal.Web;

/// <summary>
/// OpenTelemetry (metrics and traces) and console logging. Metrics and traces are collected only when an exporter is
/// configured: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>Telemetry:OtlpEndpoint</c> is set, the Prometheus
/// scrape endpoint <c>/metrics</c> when <c>Telemetry:Prometheus=true</c>.
/// </summary>
public static class Telemetry
{
    /// <summary>The portal's meters (instrument names in docs/operations.md).</summary>
    public static readonly string[] Meters = [BackupGauges.MeterName, AuditHealth.Meter.Name, BackupNotifier.MeterName];

    /// <summary>The portal's trace sources.</summary>
    public static readonly string[] Sources = [BackupPipeline.Activity.Name];

    public static IHostApplicationBuilder AddPortalTelemetry(this IHostApplicationBuilder builder, string role)
    {
        var config = builder.Configuration;

        // Logs: scopes (CorrelationId, RunId, DeviceId of a backup run) on every line; JSON lines on request.
        if (config.GetValue<bool>("Logging:Json"))
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        else
            builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);

        var otlpEndpoint = config["Telemetry:OtlpEndpoint"];
        var otlpFromEnvironment = !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otlp = !string.IsNullOrWhiteSpace(otlpEndpoint) || otlpFromEnvironment;
        var prometheus = config.GetValue<bool>("Telemetry:Prometheus");
        if (!otlp && !prometheus) return builder;

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(config["Telemetry:ServiceName"] is { Length: > 0 } name ? name : "configportal",
                    serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString(),
                    serviceInstanceId: Environment.MachineName)
                .AddAttributes([new KeyValuePair<string, object>("configportal.role", role)]))
            .WithMetrics(m =>
            {
                m.AddMeter(Meters)
                    .AddInstrumentation(sp => sp.GetRequiredService<BackupGauges>())
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation();
                if (prometheus) m.AddPrometheusExporter();
            })
            .WithTracing(t => t.AddSource(Sources).AddAspNetCoreInstrumentation(o =>
                // Probes and scrapes are not worth a trace each.
                o.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics")));

        if (otlp)
        {
            if (!string.IsNullOrWhiteSpace(otlpEndpoint))
            {
                var protocol = (config["Telemetry:OtlpProtocol"] ?? "grpc").Trim().ToLowerInvariant() switch
                {
                    "http/protobuf" or "http" or "httpprotobuf" => OtlpExportProtocol.HttpProtobuf,
                    _ => OtlpExportProtocol.Grpc,
                };
                otel.UseOtlpExporter(protocol, new Uri(otlpEndpoint));
            }
            else
            {
                // OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS ... read by the exporter itself.
                otel.UseOtlpExporter();
            }
        }
        return builder;
    }

    /// <summary>GET /metrics (Prometheus text format) when <c>Telemetry:Prometheus=true</c>.</summary>
    public static void MapPortalTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>("Telemetry:Prometheus"))
            app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
    }
}
