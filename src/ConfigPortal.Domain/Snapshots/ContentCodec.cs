using System.IO.Compression;
using System.Text;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace ConfigPortal.Domain.Snapshots;

/// <summary>A snapshot's stored content cannot be decoded (corrupt data, or a delta whose base is missing or wrong).</summary>
public sealed class SnapshotContentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Encodes snapshot text for storage. New full copies are zstd frames (<see cref="ContentEncoding.Zstd"/>); a new
/// version of a config is usually stored as a zstd frame made with an earlier full copy's text as a raw-content
/// dictionary (<see cref="ContentEncoding.ZstdDelta"/>, what <c>zstd --patch-from</c> does). Every frame carries a
/// content checksum, so a corrupt frame or a wrong base is an error, never wrong text. Old rows (Utf8, Deflate) still
/// decode. See docs/decisions/ADR-006-snapshot-storage.md.
/// </summary>
public static class ContentCodec
{
    /// <summary>
    /// zstd level for full copies and deltas. Measured on 50 KB configs (ZstdSharp): level 9 encodes a delta in ~0.6 ms;
    /// levels 12–19 save 1–10 % of a few hundred bytes but take 45–85 ms (their larger match-finder tables).
    /// </summary>
    public const int Level = 9;

    /// <summary>A base shorter than this is not worth a delta (zstd ignores raw dictionaries under 8 bytes).</summary>
    public const int MinBaseBytes = 64;

    [ThreadStatic] private static Compressor? compressor;
    [ThreadStatic] private static Decompressor? decompressor;

    /// <summary>A full copy (keyframe).</summary>
    public static (ContentEncoding Encoding, byte[] Data) Encode(string text)
    {
        var raw = Encoding.UTF8.GetBytes(text);
        var data = Compress(raw);
        return data.Length < raw.Length ? (ContentEncoding.Zstd, data) : (ContentEncoding.Utf8, raw);
    }

    /// <summary>
    /// A delta: <paramref name="text"/> compressed with <paramref name="baseText"/> as dictionary. Building the match
    /// tables of a 50 KB base is two thirds of the work (0.46 ms against 0.15 ms at level 9), so the compressors of the
    /// last few bases stay loaded for the next delta against the same base string (a device's keyframe, shared by its
    /// entries in <see cref="SnapshotTextCache"/>).
    /// </summary>
    public static byte[] EncodeDelta(string text, string baseText)
    {
        ArgumentNullException.ThrowIfNull(baseText);
        var raw = Encoding.UTF8.GetBytes(text);
        // Let matches reach back over the whole base, as zstd --patch-from does.
        var window = (int)Math.Clamp(64 - ulong.LeadingZeroCount((ulong)(raw.Length + Encoding.UTF8.GetByteCount(baseText))) + 1, 17, 27);
        var c = DeltaCompressors.Rent(baseText, window);
        byte[] data;
        try
        {
            data = c.Wrap(raw).ToArray();
        }
        catch
        {
            c.Dispose(); // never handed out again in an unknown state
            throw;
        }
        DeltaCompressors.Return(baseText, window, c);
        return data;
    }

    /// <summary>
    /// Compressors with a base loaded as dictionary, most recently used first, at most <see cref="Capacity"/>; a
    /// compressor is out of the list while it compresses, so two threads never share one. Keyed by the base string
    /// instance (not its content) and the window: a lookup costs a few reference comparisons.
    /// </summary>
    private static class DeltaCompressors
    {
        public const int Capacity = 8;
        private static readonly LinkedList<(string Base, int Window, Compressor Compressor)> Loaded = new();

        public static Compressor Rent(string baseText, int window)
        {
            lock (Loaded)
            {
                for (var node = Loaded.First; node is not null; node = node.Next)
                {
                    if (ReferenceEquals(node.Value.Base, baseText) && node.Value.Window == window)
                    {
                        Loaded.Remove(node);
                        return node.Value.Compressor;
                    }
                }
            }
            var c = NewCompressor();
            c.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, window);
            c.LoadDictionary(Encoding.UTF8.GetBytes(baseText));
            return c;
        }

        public static void Return(string baseText, int window, Compressor compressor)
        {
            Compressor? evicted = null;
            lock (Loaded)
            {
                Loaded.AddFirst((baseText, window, compressor));
                if (Loaded.Count > Capacity)
                {
                    evicted = Loaded.Last!.Value.Compressor;
                    Loaded.RemoveLast();
                }
            }
            evicted?.Dispose();
        }
    }

    /// <summary>Decodes a full copy; a delta needs its base (the other overload).</summary>
    public static string Decode(ContentEncoding encoding, byte[] data) => Decode(encoding, data, null);

    /// <summary>Decodes any encoding; <paramref name="baseText"/> is the base snapshot's text for a delta.</summary>
    public static string Decode(ContentEncoding encoding, byte[] data, string? baseText)
    {
        switch (encoding)
        {
            case ContentEncoding.Utf8:
                return Encoding.UTF8.GetString(data);
            case ContentEncoding.Deflate:
                try
                {
                    using var z = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
                    using var r = new StreamReader(z, Encoding.UTF8);
                    return r.ReadToEnd();
                }
                catch (InvalidDataException e)
                {
                    throw new SnapshotContentException("The stored snapshot content is corrupt (deflate).", e);
                }
            case ContentEncoding.Zstd:
                return Decompress(data, null);
            case ContentEncoding.ZstdDelta:
                if (baseText is null)
                    throw new SnapshotContentException("The stored snapshot content is a delta and its base text was not given.");
                return Decompress(data, Encoding.UTF8.GetBytes(baseText));
            default:
                throw new SnapshotContentException($"Unknown content encoding {encoding}.");
        }
    }

    private static byte[] Compress(byte[] raw) => (compressor ??= NewCompressor()).Wrap(raw).ToArray();

    private static Compressor NewCompressor()
    {
        var c = new Compressor(Level);
        c.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        c.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, 1);
        return c;
    }

    private static string Decompress(byte[] data, byte[]? dictionary)
    {
        var d = decompressor ??= new Decompressor();
        try
        {
            d.LoadDictionary(dictionary ?? []);
            var size = Decompressor.GetDecompressedSize(data);
            if (size > int.MaxValue) throw new SnapshotContentException("The stored snapshot content is corrupt (size).");
            var output = new byte[(int)size];
            var written = d.Unwrap(data, output);
            return Encoding.UTF8.GetString(output, 0, written);
        }
        catch (ZstdException e)
        {
            throw new SnapshotContentException(dictionary is null
                ? "The stored snapshot content is corrupt (zstd)."
                : "The stored snapshot content does not decode against its base: the delta or its base is corrupt.", e);
        }
        finally
        {
            if (dictionary is not null) d.LoadDictionary([]);
        }
    }
}
