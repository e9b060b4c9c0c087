namespace Crm.Core.Benchmarks.Tests;

/// <summary>The segmentation benchmark's methods must select the same members, or their timings compare different work.</summary>
public sealed class SegmentationBenchmarksTest
{
    [Fact]
    public async Task Store_path_delegate_and_interpreter_count_the_same_members()
    {
        var benchmarks = new SegmentationBenchmarks { Customers = 20_000 };
        benchmarks.Setup(); // throws when the methods disagree
        var members = await benchmarks.Compiled();
        Assert.Equal(benchmarks.Interpreter(), members);
        Assert.Equal(benchmarks.CompiledPerProfile(), members);
        // The rule is selective but not empty, so every condition takes part.
        Assert.InRange(members, 20_000 / 50, 20_000 / 2);
    }
}
