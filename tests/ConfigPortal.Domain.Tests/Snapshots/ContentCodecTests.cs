using System.IO.Compression;
using System.Text;
using ConfigPortal.Domain.Snapshots;

namespace ConfigPortal.Domain.Tests.Snapshots;

public sealed class ContentCodecTests
{
    private static string Config(int lines, int seed, string newline = "\n")
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("hostname core-zürich-1").Append(newline);
        for (var i = 0; i < lines; i++)
        {
            sb.Append(i % 7 == 0 ? $"interface GigabitEthernet0/{i}" : $" description Straße {i} 東京 {rng.Next(1000)}").Append(newline);
        }
        return sb.ToString();
    }

    /// <summary>A year of versions: each changes a few lines of the one before it.</summary>
    private static List<string> Versions(int count, string first, int seed)
    {
        var rng = new Random(seed);
        var versions = new List<string> { first };
        for (var v = 1; v < count; v++)
        {
            var lines = versions[^1].Split('\n').ToList();
            for (var k = 0; k < 3; k++)
            {
                var at = rng.Next(1, lines.Count - 1);
                switch (rng.Next(3))
                {
                    case 0: lines[at] = $" description changed in version {v} ✓"; break;
                    case 1: lines.Insert(at, $" ip access-list extended V{v}-{k}"); break;
                    default: lines.RemoveAt(at); break;
                }
            }
            versions.Add(string.Join('\n', lines));
        }
        return versions;
    }

    public static TheoryData<string, string> Texts => new()
    {
        { "empty", "" },
        { "one line without newline", "hostname r1" },
        { "non-ASCII", "hostname zürich\n description Straße – ✓\n snmp-server location 東京 🚀\n" },
        { "CRLF", Config(300, 1, "\r\n") },
        { "lone CR and mixed breaks", "a\rb\r\nc\n\r\n" },
        { "config", Config(2_000, 2) },
        { "huge (4 MB)", Config(150_000, 3) },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void AFullCopyRoundTrips(string name, string text)
    {
        var (encoding, data) = ContentCodec.Encode(text);
        Assert.True(encoding is ContentEncoding.Zstd or ContentEncoding.Utf8, name);
        Assert.Equal(text, ContentCodec.Decode(encoding, data));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void ADeltaRoundTripsAgainstAnyBase(string name, string text)
    {
        var bases = new[] { "", "x", Config(2_000, 2), text + "! trailing change\n", Config(300, 1, "\r\n") };
        foreach (var b in bases)
        {
            var delta = ContentCodec.EncodeDelta(text, b);
            Assert.True(text == ContentCodec.Decode(ContentEncoding.ZstdDelta, delta, b), $"{name} against a base of {b.Length} chars");
        }
    }

    [Fact]
    public void EveryVersionOfAYearDecodesFromItsKeyframeAndDeltasAreSmall()
    {
        var versions = Versions(150, Config(1_500, 4), seed: 5);
        var keyframe = versions[0];
        var (keyEncoding, keyData) = ContentCodec.Encode(keyframe);
        Assert.Equal(ContentEncoding.Zstd, keyEncoding);
        long deltaBytes = 0;
        for (var v = 1; v < versions.Count; v++)
        {
            var delta = ContentCodec.EncodeDelta(versions[v], keyframe);
            deltaBytes += delta.Length;
            Assert.Equal(versions[v], ContentCodec.Decode(ContentEncoding.ZstdDelta, delta, ContentCodec.Decode(keyEncoding, keyData)));
        }
        // Against the first version, even the 150th (~450 edits later) is far smaller than a full copy.
        Assert.True(ContentCodec.EncodeDelta(versions[1], keyframe).Length < keyData.Length / 10);
        Assert.True(deltaBytes / (versions.Count - 1) < keyData.Length);
    }

    [Fact]
    public void RowsWrittenBeforeZstdStillDecode()
    {
        var text = Config(500, 6) + "Straße 東京\r\n";
        var raw = Encoding.UTF8.GetBytes(text);
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        Assert.Equal(text, ContentCodec.Decode(ContentEncoding.Deflate, ms.ToArray()));
        Assert.Equal(text, ContentCodec.Decode(ContentEncoding.Utf8, raw));
        Assert.Equal(text, ContentCodec.Decode(ContentEncoding.Deflate, ms.ToArray(), "ignored base"));
    }

    /// <summary>
    /// The compressors of recent bases stay loaded (keyed by the base string instance): deltas against more bases than
    /// are kept, interleaved, against equal bases in different string instances, and from several threads at once,
    /// must each decode to their text against their own base, and be the same bytes as a delta made fresh.
    /// </summary>
    [Fact]
    public void DeltasAgainstManyBasesInterleavedAndConcurrentDecodeAgainstTheirOwnBase()
    {
        var bases = Enumerable.Range(0, 12).Select(i => Config(600 + i * 10, 100 + i)).ToArray();
        var work = new List<(string Base, string Text)>();
        for (var round = 0; round < 3; round++)
            for (var i = 0; i < bases.Length; i++)
            {
                var b = round == 2 && i % 2 == 0 ? new string(bases[i].AsSpan()) : bases[i]; // equal content, another instance
                work.Add((b, b.Replace($"description Straße {i + round} ", $"description r{round} ", StringComparison.Ordinal) + $"round {round}\n"));
            }
        var sequential = work.Select(w => ContentCodec.EncodeDelta(w.Text, w.Base)).ToArray();
        var parallel = new byte[work.Count][];
        Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => parallel[k] = ContentCodec.EncodeDelta(work[k].Text, work[k].Base));

        for (var k = 0; k < work.Count; k++)
        {
            Assert.Equal(work[k].Text, ContentCodec.Decode(ContentEncoding.ZstdDelta, sequential[k], work[k].Base));
            Assert.Equal(sequential[k], parallel[k]);
            Assert.True(sequential[k].Length < 2_000, $"delta {k} is {sequential[k].Length} bytes: the base was not used");
            var other = bases[(k + 1) % bases.Length]; // work[k] is against bases[k % 12]
            Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode(ContentEncoding.ZstdDelta, sequential[k], other));
        }
    }

    [Fact]
    public void ADeltaWithTheWrongOrNoBaseIsAnErrorNotGarbage()
    {
        var baseText = Config(1_000, 7);
        var text = baseText.Replace("description Straße 5 ", "description moved ", StringComparison.Ordinal);
        var delta = ContentCodec.EncodeDelta(text, baseText);
        var other = baseText.Replace("interface GigabitEthernet0/7", "interface GigabitEthernet0/X", StringComparison.Ordinal);

        Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode(ContentEncoding.ZstdDelta, delta, other));
        Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode(ContentEncoding.ZstdDelta, delta, ""));
        Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode(ContentEncoding.ZstdDelta, delta));
    }

    [Fact]
    public void CorruptDataIsAnError()
    {
        var text = Config(1_000, 8);
        var (encoding, data) = ContentCodec.Encode(text);
        var delta = ContentCodec.EncodeDelta(text + "x\n", text);
        foreach (var (enc, bytes, b) in new[] { (encoding, data, (string?)null), (ContentEncoding.ZstdDelta, delta, text) })
        {
            for (var at = 0; at < bytes.Length; at += Math.Max(1, bytes.Length / 40))
            {
                var copy = (byte[])bytes.Clone();
                copy[at] ^= 0x5A;
                var decoded = Record.Exception(() => Assert.Equal(enc == ContentEncoding.ZstdDelta ? text + "x\n" : text, ContentCodec.Decode(enc, copy, b)));
                Assert.True(decoded is null or SnapshotContentException, $"byte {at}: {decoded?.GetType().Name}");
            }
            Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode(enc, bytes[..(bytes.Length / 2)], b));
        }
        Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode(ContentEncoding.Deflate, [1, 2, 3, 4, 5]));
        Assert.Throws<SnapshotContentException>(() => ContentCodec.Decode((ContentEncoding)99, [1]));
    }

    [Theory]
    [InlineData(100, 10_000, 0, 0, true)]
    [InlineData(10_001, 10_000, 0, 0, false)]       // a delta larger than the keyframe: store a full copy
    [InlineData(1_000, 10_000, 9, 5_000, true)]     // 1,000 × 10 ≤ 15,000
    [InlineData(3_000, 10_000, 9, 15_000, false)]   // 3,000 × 10 > 25,000: the group's average is lower
    [InlineData(10, 10_000, SnapshotContentStore.MaxDeltasPerKeyframe, 5_000, false)]
    public void TheKeyframePolicyKeepsADeltaOnlyWhileItCostsNoMoreThanTheGroupAverage(int delta, int keyframe, int deltas, long sum, bool keep) =>
        Assert.Equal(keep, SnapshotContentStore.KeepDelta(delta, keyframe, deltas, sum));
}
