using System.Text;
using QRCoder;

namespace ConfigPortal.Web.Auth;

/// <summary>Formatting of authenticator keys, the otpauth URI and its QR code (a data: PNG, allowed by the CSP's img-src).</summary>
public static class TwoFactorCodes
{
    public const string Issuer = "ConfigPortal";
    public const int RecoveryCodeCount = 10;

    /// <summary>Codes are typed with spaces or dashes ("123 456"); Identity wants the digits only.</summary>
    public static string Clean(string? code) =>
        (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();

    /// <summary>"abcd efgh ijkl ..." for reading off the screen.</summary>
    public static string FormatKey(string unformattedKey)
    {
        var result = new StringBuilder();
        for (var i = 0; i < unformattedKey.Length; i += 4)
        {
            if (i > 0) result.Append(' ');
            result.Append(unformattedKey.AsSpan(i, Math.Min(4, unformattedKey.Length - i)));
        }
        return result.ToString().ToLowerInvariant();
    }

    public static string AuthenticatorUri(string account, string unformattedKey) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}?secret={unformattedKey}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";

    public static string QrCodeDataUri(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.Q);
        var png = new PngByteQRCode(data).GetGraphic(5);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
