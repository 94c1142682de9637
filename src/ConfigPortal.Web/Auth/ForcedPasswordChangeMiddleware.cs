namespace ConfigPortal.Web.Auth;

/// <summary>
/// A user who must change the password (a one-time password from an admin) reaches nothing but the change-password
/// page, sign-out and static files until it is changed: pages redirect there, anything else (the Blazor hub, form
/// posts, the API with a cookie) is 403. The flag travels in the sign-in cookie (<see cref="PortalClaims.MustChangePassword"/>)
/// and disappears when the page re-issues the cookie after the change.
/// </summary>
public sealed class ForcedPasswordChangeMiddleware(RequestDelegate next)
{
    private static readonly string[] AllowedPrefixes =
        [AccountUrls.ChangePassword, "/account/logout", "/account/login", "/_framework/", "/_content/", "/assets/", "/health"];

    public Task InvokeAsync(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated != true || !http.User.HasClaim(c => c.Type == PortalClaims.MustChangePassword))
            return next(http);
        var path = http.Request.Path.Value ?? "/";
        if (IsAllowed(path))
            return next(http);

        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            var back = AccountUrls.SafeReturnUrl(path + http.Request.QueryString);
            http.Response.Redirect($"{AccountUrls.ChangePassword}?returnUrl={Uri.EscapeDataString(back)}");
        }
        else
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
        }
        return Task.CompletedTask;
    }

    internal static bool IsAllowed(string path)
    {
        foreach (var prefix in AllowedPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        }
        // Static files (css, js, images, fonts) carry an extension in the last segment; pages and endpoints do not.
        var last = path[(path.LastIndexOf('/') + 1)..];
        return last.Contains('.', StringComparison.Ordinal);
    }
}
