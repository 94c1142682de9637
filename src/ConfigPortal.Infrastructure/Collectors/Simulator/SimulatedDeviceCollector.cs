using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Collectors.Simulator;

public sealed class SimulatorOptions
{
    /// <summary>How long a simulated device takes to answer (so the UI shows progress); 0 in tests.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(700);
}

/// <summary>The demo and test driver: answers like a device, deterministically, from the device id and run number.</summary>
public sealed class SimulatedDeviceCollector(IOptions<SimulatorOptions> options, TimeProvider clock) : IDeviceCollector
{
    public DeviceDriver Driver => DeviceDriver.Simulator;

    public async Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken)
    {
        if (options.Value.Latency > TimeSpan.Zero)
            await Task.Delay(options.Value.Latency, clock, cancellationToken);

        var behavior = request.SimulatorBehavior ?? SimulatorBehavior.Static;
        var version = behavior switch
        {
            SimulatorBehavior.Drifting => request.RunNumber,
            SimulatorBehavior.Occasional => request.RunNumber / 3,
            _ => 0,
        };
        switch (behavior)
        {
            case SimulatorBehavior.Unreachable:
                throw new BackupFailedException(FailureKind.Unreachable, $"No answer from {request.Address}:{request.Port} (simulated device is unreachable).");
            case SimulatorBehavior.AuthFailure:
                throw new BackupFailedException(FailureKind.AuthenticationFailed, "The device rejected every credential (simulated).");
        }

        var text = SimulatedConfigGenerator.Generate(request.Profile.Id, request.DeviceName, request.DeviceId * 7919, version, clock.GetUtcNow().UtcDateTime);
        if (behavior == SimulatorBehavior.Truncated)
        {
            if (request.Profile.EndMarker is null)
                throw new BackupFailedException(FailureKind.TruncatedOutput, "The connection dropped in the middle of the configuration (simulated).");
            text = text[..(text.Length / 2)];
        }
        return new CollectedConfig(text, CredentialUsed: "simulator", HostKeyFingerprint: null);
    }
}
