using Xunit;

namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>The lab as an xunit fixture: started once for every class of the collection.</summary>
public sealed partial class SshDeviceLab : IAsyncLifetime;

[CollectionDefinition(Name)]
public sealed class SshLabCollection : ICollectionFixture<SshDeviceLab>
{
    public const string Name = "ssh-device-lab";
}
