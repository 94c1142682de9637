namespace ConfigPortal.Web.Components.Shared;

/// <summary>Relative page URLs with a query string (null and empty values left out, values escaped).</summary>
public static class PageUrls
{
    public static string With(string path, params (string Name, object? Value)[] query)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        var parts = query
            .Select(q => (q.Name, Value: q.Value switch
            {
                null => null,
                bool b => b ? "true" : null,
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var v => v.ToString(),
            }))
            .Where(q => !string.IsNullOrEmpty(q.Value))
            .Select(q => Uri.EscapeDataString(q.Name) + "=" + Uri.EscapeDataString(q.Value!))
            .ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join('&', parts);
    }
}
