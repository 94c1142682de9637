using System.IO.Compression;
using System.Text;

namespace ConfigPortal.Domain.Snapshots;

/// <summary>Encodes snapshot text for storage.</summary>
public static class ContentCodec
{
    public static (ContentEncoding Encoding, byte[] Data) Encode(string text)
    {
        var raw = Encoding.UTF8.GetBytes(text);
        using var ms = new MemoryStream(raw.Length / 3 + 64);
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(raw);
        return ms.Length < raw.Length ? (ContentEncoding.Deflate, ms.ToArray()) : (ContentEncoding.Utf8, raw);
    }

    public static string Decode(ContentEncoding encoding, byte[] data)
    {
        switch (encoding)
        {
            case ContentEncoding.Utf8:
                return Encoding.UTF8.GetString(data);
            case ContentEncoding.Deflate:
                using (var z = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress))
                using (var r = new StreamReader(z, Encoding.UTF8))
                    return r.ReadToEnd();
            default:
                throw new NotSupportedException($"Unknown content encoding {encoding}.");
        }
    }
}
