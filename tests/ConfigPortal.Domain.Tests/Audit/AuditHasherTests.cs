using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;

namespace ConfigPortal.Domain.Tests.Audit;

public sealed class AuditHasherTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static AuditEntry Entry() => new()
    {
        TenantId = 7,
        Sequence = 42,
        TimestampUtc = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567),
        ActorKind = ActorKind.User,
        ActorId = "user-1",
        ActorName = "Oscar Operator",
        Action = AuditActions.ConfigSnapshotCreated,
        ResourceType = "snapshot",
        ResourceId = "17",
        DeviceId = 3,
        DeviceName = "acme-core-sw1",
        ClientIp = "203.0.113.7",
        UserAgent = "Mozilla/5.0",
        CorrelationId = "abc123",
        Outcome = AuditOutcome.Success,
        DetailsJson = """{"runId":5}""",
        PreviousHash = AuditHasher.GenesisHash,
        Hash = "",
    };

    public static TheoryData<string> Fields => new(Mutations.Keys);

    private static readonly Dictionary<string, Action<AuditEntry>> Mutations = new()
    {
        ["TenantId"] = e => e.TenantId = 8,
        ["Sequence"] = e => e.Sequence = 43,
        ["TimestampUtc"] = e => e.TimestampUtc = e.TimestampUtc.AddTicks(1),
        ["ActorKind"] = e => e.ActorKind = ActorKind.System,
        ["ActorId"] = e => e.ActorId = "user-2",
        ["ActorId null"] = e => e.ActorId = null,
        ["ActorName"] = e => e.ActorName = "Mallory",
        ["Action"] = e => e.Action = AuditActions.ConfigSnapshotSkippedDuplicate,
        ["ResourceType"] = e => e.ResourceType = "device",
        ["ResourceId"] = e => e.ResourceId = "18",
        ["DeviceId"] = e => e.DeviceId = 4,
        ["DeviceId null"] = e => e.DeviceId = null,
        ["DeviceName"] = e => e.DeviceName = "acme-core-sw2",
        ["ClientIp"] = e => e.ClientIp = "198.51.100.1",
        ["UserAgent"] = e => e.UserAgent = "curl/8",
        ["CorrelationId"] = e => e.CorrelationId = "abc124",
        ["Outcome"] = e => e.Outcome = AuditOutcome.Denied,
        ["DetailsJson"] = e => e.DetailsJson = """{"runId":6}""",
        ["ClientIp empty instead of null"] = e => e.ClientIp = "",
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void ChangingAnyFieldChangesTheCanonicalFormAndTheHash(string field)
    {
        var hasher = new AuditHasher(Key);
        var original = Entry();
        var changed = Entry();
        Mutations[field](changed);

        Assert.NotEqual(AuditHasher.Canonical(original), AuditHasher.Canonical(changed));
        Assert.NotEqual(hasher.ComputeHash(original), hasher.ComputeHash(changed));
    }

    [Fact]
    public void EveryHashedPropertyOfAnEntryIsCoveredByAMutation()
    {
        // A new property on AuditEntry must be added to the canonical form (and to this test) deliberately.
        var notHashed = new[] { nameof(AuditEntry.Id), nameof(AuditEntry.PreviousHash), nameof(AuditEntry.Hash) };
        var properties = typeof(AuditEntry).GetProperties().Select(p => p.Name).Except(notHashed).Order();

        Assert.Equal(properties, Mutations.Keys.Select(k => k.Split(' ')[0]).Distinct().Order());
    }

    [Fact]
    public void TheSameEntryAlwaysHashesTheSame()
    {
        var a = new AuditHasher(Key).ComputeHash(Entry());
        var b = new AuditHasher(Key.ToArray()).ComputeHash(Entry());

        Assert.Equal(a, b);
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void TheHashDependsOnThePreviousHashAndTheKey()
    {
        var entry = Entry();
        var hasher = new AuditHasher(Key);
        var other = Entry();
        other.PreviousHash = new string('1', 64);

        Assert.NotEqual(hasher.ComputeHash(entry), hasher.ComputeHash(other));
        Assert.NotEqual(hasher.ComputeHash(entry), new AuditHasher(new byte[32]).ComputeHash(entry));
    }

    [Fact]
    public void TheStoredHashAndIdDoNotTakePartInTheCanonicalForm()
    {
        var a = Entry();
        var b = Entry();
        b.Id = 99;
        b.Hash = "anything";

        Assert.Equal(AuditHasher.Canonical(a), AuditHasher.Canonical(b));
    }

    [Fact]
    public void ADelimiterInsideAFieldCannotShiftTextIntoTheNextField()
    {
        var a = Entry();
        a.ActorName = "x|y";
        a.Action = "z";
        var b = Entry();
        b.ActorName = "x";
        b.Action = "y|z";
        var c = Entry();
        c.ActorName = "x\\";
        c.Action = "|z";

        Assert.Equal(3, new[] { a, b, c }.Select(AuditHasher.Canonical).Distinct().Count());
    }

    [Fact]
    public void ATimestampOfUnspecifiedKindFromTheDatabaseHashesLikeTheUtcOriginal()
    {
        var original = Entry();
        var reloaded = Entry();
        reloaded.TimestampUtc = DateTime.SpecifyKind(original.TimestampUtc, DateTimeKind.Unspecified);

        Assert.Equal(AuditHasher.Canonical(original), AuditHasher.Canonical(reloaded));
    }
}
