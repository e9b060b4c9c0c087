using Crm.Core.Customers;
using Crm.Core.Storage;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Crm.Core.Tests.Storage;

// The unit of work keeps its first change inline and a list only from the second on; whatever the sequence of
// registrations and drops, it must hold exactly what a plain list would, in the same order.
public class InMemoryChangeSetTest
{
    private static readonly InMemoryChange[] Changes = Enumerable.Range(0, 5)
        .Select(i => (InMemoryChange)new InMemoryChange<Customer, CustomerId>(ChangeKind.Add,
            Customer.Register(new CustomerId($"c{i}"), CustomerName.Person("A", null), Instant.FromUtc(2026, 1, 1, 0, 0)), null))
        .ToArray();

    [Property(MaxTest = 300)]
    public Property Holds_what_a_list_holds_in_the_same_order() =>
        Prop.ForAll(Gen.ListOf(Gen.Choose(-5, 5)).ToArbitrary(), operations =>
        {
            var set = new InMemoryChangeSet();
            var model = new List<InMemoryChange>();
            foreach (var op in operations)
            {
                if (op == 0)
                {
                    set.Clear();
                    model.Clear();
                }
                else if (op > 0)
                {
                    set.Add(Changes[op - 1]);
                    model.Add(Changes[op - 1]);
                }
                else
                {
                    set.Remove(Changes[-op - 1]);
                    model.Remove(Changes[-op - 1]);
                }
            }
            var held = Enumerable.Range(0, set.Count).Select(i => set[i]).ToList();
            return held.SequenceEqual(model).Label($"held {held.Count}, expected {model.Count}");
        });

    [Fact]
    public void An_index_past_the_end_is_refused()
    {
        var set = new InMemoryChangeSet();
        Assert.Throws<ArgumentOutOfRangeException>(() => set[0]);
        set.Add(Changes[0]);
        Assert.Same(Changes[0], set[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => set[1]);
    }
}
