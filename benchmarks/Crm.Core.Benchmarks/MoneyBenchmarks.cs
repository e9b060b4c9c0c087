using BenchmarkDotNet.Attributes;
using Crm.Core;

namespace Crm.Core.Benchmarks;

/// <summary>Money arithmetic against raw decimal addition (the floor): the wrapper should cost close to nothing.</summary>
[MemoryDiagnoser]
public class MoneyBenchmarks
{
    private Money[] _amounts = [];
    private decimal[] _raw = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _raw = Enumerable.Range(0, 10_000).Select(_ => random.Next(0, 100_000) / 100m).ToArray();
        _amounts = _raw.Select(a => new Money(a, Currency.EUR)).ToArray();
    }

    [Benchmark(Baseline = true)]
    public decimal DecimalSum()
    {
        var sum = 0m;
        foreach (var a in _raw)
        {
            sum += a;
        }
        return sum;
    }

    [Benchmark]
    public Money MoneySum()
    {
        var sum = Money.Zero(Currency.EUR);
        foreach (var a in _amounts)
        {
            sum += a;
        }
        return sum;
    }
}
