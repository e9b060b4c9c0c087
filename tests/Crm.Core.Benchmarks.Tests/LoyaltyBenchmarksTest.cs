namespace Crm.Core.Benchmarks.Tests;

/// <summary>Engine and EndToEnd must do the same work, or their timings compare different things.</summary>
public sealed class LoyaltyBenchmarksTest : IDisposable
{
    private readonly LoyaltyBenchmarks _benchmarks = new() { Purchases = 20_000, Members = 2_000 };

    public LoyaltyBenchmarksTest() => _benchmarks.Setup();

    public void Dispose() => _benchmarks.Cleanup();

    [Fact]
    public void Engine_and_end_to_end_award_the_same_points()
    {
        _benchmarks.OpenAccounts();
        var engine = _benchmarks.Engine();
        _benchmarks.FreshStore();
        var endToEnd = _benchmarks.EndToEnd();
        Assert.Equal(engine, endToEnd);
        Assert.InRange(engine / 20_000, 100, 2_000); // a few hundred points per purchase: the rules really apply
    }
}
