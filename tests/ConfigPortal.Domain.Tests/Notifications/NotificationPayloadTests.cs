using System.Text;
using ConfigPortal.Domain.Notifications;

namespace ConfigPortal.Domain.Tests.Notifications;

public sealed class NotificationPayloadTests
{
    [Fact]
    public void A_diff_within_the_limit_is_kept_whole()
    {
        var (text, truncated) = NotificationOutbox.Truncate("--- a\n+++ b\n+x\n", 1024);
        Assert.Equal(("--- a\n+++ b\n+x\n", false), (text, truncated));
    }

    [Fact]
    public void A_long_diff_is_cut_at_a_line_end_within_the_byte_limit()
    {
        var diff = string.Concat(Enumerable.Range(0, 1000).Select(i => $"+ line {i} – ü\n"));
        var (text, truncated) = NotificationOutbox.Truncate(diff, 4096);
        Assert.True(truncated);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= 4096);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.StartsWith(text, diff, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(text) > 4096 - 40, "cut more than one line short of the limit");
    }

    [Fact]
    public void A_signature_covers_the_timestamp_and_the_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"test\"}");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var sig = WebhookSignature.Sign("whsec_example-secret-123", now.ToUnixTimeSeconds(), body);
        Assert.Matches("^sha256=[0-9a-f]{64}$", sig);
        Assert.True(WebhookSignature.Verify("whsec_example-secret-123", "1800000000", sig, body, now.AddSeconds(30), TimeSpan.FromMinutes(5)));
        // Another timestamp (a replay with a fresh header), another body, an old delivery: all refused.
        Assert.False(WebhookSignature.Verify("whsec_example-secret-123", "1800000001", sig, body, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_example-secret-123", "1800000000", sig, Encoding.UTF8.GetBytes("{\"event\":\"tEst\"}"), now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_example-secret-123", "1800000000", sig, body, now.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.NotEqual(WebhookSignature.GenerateSecret(), WebhookSignature.GenerateSecret());
    }
}
