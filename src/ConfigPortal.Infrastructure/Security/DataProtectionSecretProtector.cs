using System.Globalization;
using ConfigPortal.Domain.Credentials;
using Microsoft.AspNetCore.DataProtection;

namespace ConfigPortal.Infrastructure.Security;

/// <summary>Device secrets under ASP.NET Core Data Protection, with a purpose per tenant.</summary>
internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private IDataProtector For(int tenantId) =>
        provider.CreateProtector("ConfigPortal.DeviceCredentials", "tenant:" + tenantId.ToString(CultureInfo.InvariantCulture));

    public string Protect(int tenantId, string plaintext) => For(tenantId).Protect(plaintext);

    public string Unprotect(int tenantId, string protectedValue) => For(tenantId).Unprotect(protectedValue);
}
