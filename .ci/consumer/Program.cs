// A stranger's program: it knows Crm.Core only through the packages built by .ci/pack-test.
// Each package gets at least one real call; a wrong answer exits non-zero.
using Crm.Core;
using Crm.Core.Testing;
using FsCheck.Fluent;

var total = Money.Of(19.99m, "EUR") + Money.Of(0.01m, "EUR");
Check(total == Money.Of(20m, "EUR"), "Crm.Core: Money arithmetic");

var sample = CrmArbitraries.Money().Generator.Sample(5);
Check(sample.Length == 5, "Crm.Core.Testing: arbitraries generate values");

Console.WriteLine("consumer: all package calls succeeded");

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine($"consumer: FAILED {what}");
        Environment.Exit(1);
    }
}
