namespace Crm.Demo.Tests.Loyalty;

public class LoyaltyShowcaseTest
{
    [Fact]
    public void Demo_shows_points_and_tiers_moving_including_a_return()
    {
        var (code, output, error) = CliRunner.Run("demo");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains("BRONZE → SILVER (Upgrade", output, StringComparison.Ordinal);
        Assert.Contains("SILVER → GOLD (Upgrade", output, StringComparison.Ordinal);
        Assert.Contains("GOLD → SILVER (Downgrade", output, StringComparison.Ordinal);
        Assert.Contains("half of O-3 returned", output, StringComparison.Ordinal);
        Assert.Contains("-450", output, StringComparison.Ordinal); // half of the bike's 900 points taken back
        Assert.Contains("O-4 resent: ignored", output, StringComparison.Ordinal);
        Assert.Contains("rule 'shoes-x2'", output, StringComparison.Ordinal);
    }
}
