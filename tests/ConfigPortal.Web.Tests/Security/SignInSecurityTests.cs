using System.Net;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Web.Auth;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using OtpNet;

namespace ConfigPortal.Web.Tests.Security;

/// <summary>Lockout, disabled users, the forced password change and TOTP two-factor, through the real account forms.</summary>
[Collection(SecurityCollection.Name)]
public sealed class SignInSecurityTests(PortalFactory portal)
{
    private const string Acme = "Acme Networks";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_so_the_right_one_then_fails_and_the_lockout_is_audited()
    {
        var user = await portal.CreateUserAsync();
        using var browser = Browser.Open(portal);

        for (var i = 1; i <= 5; i++)
        {
            var wrong = await browser.SignInAsync(user.Email!, "Not-The-Password-" + i);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
        var right = await browser.SignInAsync(user.Email!, SecurityData.StrongPassword);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
        Assert.True(await portal.ReadUserAsync(user, (users, u) => users.IsLockedOutAsync(u)));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Client.GetAsync("/devices", Ct)).StatusCode);

        var audit = await portal.AuditOfUserAsync(Acme, user.Id);
        Assert.Equal(4, audit.Count(e => e.Action == AuditActions.UserSignInFailed));
        // The fifth failure locks the account; the sixth attempt (right password) meets the lock.
        Assert.Equal(2, audit.Count(e => e.Action == AuditActions.UserLockedOut));
        Assert.DoesNotContain(audit, e => e.Action == AuditActions.UserSignedIn);
        Assert.DoesNotContain(audit, e => e.DetailsJson.Contains("Not-The-Password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_with_the_right_password()
    {
        var user = await portal.CreateUserAsync();
        await portal.WithUsersAsync(async users =>
        {
            var u = await users.FindByIdAsync(user.Id);
            u!.IsDisabled = true;
            return await users.UpdateAsync(u);
        });
        using var browser = Browser.Open(portal);

        var response = await browser.SignInAsync(user.Email!, SecurityData.StrongPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"login-error\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var failed = Assert.Single(await portal.AuditOfUserAsync(Acme, user.Id), e => e.Action == AuditActions.UserSignInFailed);
        Assert.Contains("disabled", failed.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_with_a_one_time_password_must_change_it_before_reaching_any_page()
    {
        var user = await portal.CreateUserAsync(mustChangePassword: true);
        using var browser = Browser.Open(portal);

        var afterSignIn = await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword);
        Assert.StartsWith(AccountUrls.ChangePassword, afterSignIn, StringComparison.Ordinal);

        // Every other page sends the user back; posts and the Blazor hub are refused.
        foreach (var page in new[] { "/devices", "/audit", "/account/two-factor", "/" })
        {
            var response = await browser.Client.GetAsync(page, Ct);
            Assert.StartsWith(AccountUrls.ChangePassword, Browser.Location(response), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.Client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null, Ct)).StatusCode);

        // The policy applies to the new password: a common one is refused with a reason.
        var common = await ChangeAsync(browser, afterSignIn, SecurityData.StrongPassword, "Password1234");
        Assert.Equal(HttpStatusCode.OK, common.StatusCode);
        Assert.Contains("too common", await common.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var changed = await ChangeAsync(browser, afterSignIn, SecurityData.StrongPassword, "Fresh-Unguessable-Route-77");
        Assert.Equal("/devices", Browser.Location(changed));
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/devices", Ct)).StatusCode);
        Assert.False((await portal.ReloadAsync(user)).MustChangePassword);

        var audit = await portal.AuditOfUserAsync(Acme, user.Id);
        Assert.Contains(audit, e => e.Action == AuditActions.PasswordChangeFailed && e.DetailsJson.Contains("policy", StringComparison.Ordinal));
        var entry = Assert.Single(audit, e => e.Action == AuditActions.PasswordChanged);
        Assert.Contains("\"forced\":true", entry.DetailsJson, StringComparison.Ordinal);
        Assert.DoesNotContain(audit, e => e.DetailsJson.Contains("Fresh-Unguessable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one()
    {
        var user = await portal.CreateUserAsync();
        using var browser = Browser.Open(portal);
        await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword);

        var wrong = await ChangeAsync(browser, AccountUrls.ChangePassword, "Not-My-Current-Password", "Another-Fine-Secret-51");

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("current password is not correct", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, await portal.ReadUserAsync(user, (users, u) => users.GetAccessFailedCountAsync(u)));
        Assert.Contains(await portal.AuditOfUserAsync(Acme, user.Id), e => e.Action == AuditActions.PasswordChangeFailed && e.DetailsJson.Contains("wrong_current_password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Totp_enrolment_then_sign_in_needs_the_code_and_a_wrong_code_is_refused_and_audited()
    {
        var user = await portal.CreateUserAsync();
        string key;
        using (var browser = Browser.Open(portal))
        {
            await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword);
            var page = await browser.GetStringAsync(AccountUrls.EnableAuthenticator);
            Assert.Contains("src=\"data:image/png;base64,", page, StringComparison.Ordinal);
            key = SharedKey(page);
            Assert.Equal(await portal.ReadUserAsync(user, (users, u) => users.GetAuthenticatorKeyAsync(u)), key);

            var enabled = await browser.SubmitAsync(AccountUrls.EnableAuthenticator, "enable-authenticator", [new("Input.Code", Code(key))]);
            var html = await enabled.Content.ReadAsStringAsync(Ct);
            Assert.Contains("data-testid=\"recovery-codes\"", html, StringComparison.Ordinal);
            // Enrolment renewed the security stamp; the page re-issued this session's cookie, so it still works.
            Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/devices", Ct)).StatusCode);
        }
        Assert.True(await portal.ReadUserAsync(user, (users, u) => users.GetTwoFactorEnabledAsync(u)));

        using (var browser = Browser.Open(portal))
        {
            var next = await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword);
            Assert.StartsWith(AccountUrls.LoginWith2fa, next, StringComparison.Ordinal);
            // The password alone does not sign in.
            Assert.Equal(HttpStatusCode.Redirect, (await browser.Client.GetAsync("/devices", Ct)).StatusCode);

            var wrong = await browser.SubmitAsync(next, "login-2fa", [new("Input.Code", WrongCode(key))]);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("data-testid=\"login-error\"", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            var right = await browser.SubmitAsync(next, "login-2fa", [new("Input.Code", Code(key))]);
            Assert.Equal("/devices", Browser.Location(right));
            Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/devices", Ct)).StatusCode);
        }

        var audit = await portal.AuditOfUserAsync(Acme, user.Id);
        Assert.Single(audit, e => e.Action == AuditActions.TwoFactorEnabled);
        Assert.Single(audit, e => e.Action == AuditActions.RecoveryCodesGenerated);
        Assert.Single(audit, e => e.Action == AuditActions.TwoFactorSignInFailed);
        Assert.Single(audit, e => e.Action == AuditActions.UserSignedIn && e.DetailsJson.Contains("authenticator", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, e => e.DetailsJson.Contains(key, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once_and_two_factor_can_be_turned_off_with_the_password()
    {
        var user = await portal.CreateUserAsync();
        var codes = await portal.WithUsersAsync(async users =>
        {
            var u = (await users.FindByIdAsync(user.Id))!;
            await users.ResetAuthenticatorKeyAsync(u);
            await users.SetTwoFactorEnabledAsync(u, true);
            return (await users.GenerateNewTwoFactorRecoveryCodesAsync(u, 10))!.ToList();
        });

        using (var browser = Browser.Open(portal))
        {
            var next = await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword);
            var recoveryPage = next.Replace(AccountUrls.LoginWith2fa, AccountUrls.LoginWithRecoveryCode, StringComparison.Ordinal);
            var signedIn = await browser.SubmitAsync(recoveryPage, "login-recovery", [new("Input.RecoveryCode", codes[0])]);
            Assert.Equal("/devices", Browser.Location(signedIn));

            var status = await browser.GetStringAsync(AccountUrls.TwoFactor);
            Assert.Contains("data-testid=\"recovery-codes-left\">9<", status, StringComparison.Ordinal);

            var off = await browser.SubmitAsync(AccountUrls.TwoFactor, "disable-two-factor", [new("Disable.Password", SecurityData.StrongPassword)]);
            Assert.Contains("Two-factor sign-in is off", await off.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        Assert.False(await portal.ReadUserAsync(user, (users, u) => users.GetTwoFactorEnabledAsync(u)));

        using (var browser = Browser.Open(portal))
        {
            // The used code is spent, but with two-factor off the password is enough again.
            Assert.Equal("/devices", await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword));
        }
        var audit = await portal.AuditOfUserAsync(Acme, user.Id);
        Assert.Single(audit, e => e.Action == AuditActions.UserSignedIn && e.DetailsJson.Contains("recovery_code", StringComparison.Ordinal));
        Assert.Single(audit, e => e.Action == AuditActions.TwoFactorDisabled);
    }

    [Fact]
    public async Task Posting_the_sign_in_form_without_the_antiforgery_token_is_refused()
    {
        using var browser = Browser.Open(portal);
        using var content = new FormUrlEncodedContent([new("_handler", "login"), new("Input.Email", "admin@acme.example"), new("Input.Password", "Demo-Portal-2026!")]);

        var response = await browser.Client.PostAsync("/account/login", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static Task<HttpResponseMessage> ChangeAsync(Browser browser, string url, string current, string next) =>
        browser.SubmitAsync(url, "change-password",
            [new("Input.CurrentPassword", current), new("Input.NewPassword", next), new("Input.ConfirmPassword", next)]);

    private static string SharedKey(string html)
    {
        var m = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"shared-key\">(?<k>[^<]+)<");
        Assert.True(m.Success, "no shared key on the enrolment page");
        return m.Groups["k"].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    private static string Code(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    /// <summary>A code that is valid in none of the windows Identity accepts (the current one ± 2 steps).</summary>
    private static string WrongCode(string key)
    {
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var now = DateTime.UtcNow;
        var valid = Enumerable.Range(-3, 7).Select(i => totp.ComputeTotp(now.AddSeconds(30 * i))).ToHashSet();
        for (var candidate = 0; ; candidate++)
        {
            var code = candidate.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            if (!valid.Contains(code)) return code;
        }
    }
}
