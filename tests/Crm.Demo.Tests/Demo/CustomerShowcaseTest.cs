namespace Crm.Demo.Tests.Demo;

public class CustomerShowcaseTest
{
    [Fact]
    public void Demo_shows_customers_across_channels_with_normalised_contacts_consents_and_timeline()
    {
        var (code, output, error) = CliRunner.Run("demo");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains("email ann.lee@example.com *", output, StringComparison.Ordinal);         // trimmed, lower-cased, primary
        Assert.Contains("phone +14155552671 *", output, StringComparison.Ordinal);                // (415) 555-2671 with region US
        Assert.Contains("phone +442079460958;ext=204", output, StringComparison.Ordinal);         // 0044 … ext. 204 with region GB
        Assert.Contains("invalid, kept:", output, StringComparison.Ordinal);                      // never dropped
        Assert.Contains("Withdrawn via call-centre", output, StringComparison.Ordinal);
        Assert.Contains("finds customer 00042", output, StringComparison.Ordinal);
        // The call centre's payment is on the timeline the web channel reads, newest first.
        var payment = output.IndexOf("payment: Card payment", StringComparison.Ordinal);
        var order = output.IndexOf("order: First order", StringComparison.Ordinal);
        Assert.True(payment > 0 && order > payment, "the timeline lists the newest interaction first");
    }
}
