using NodaTime;

namespace Crm.Core.Tests.Storage;

public readonly record struct CounterId(int Value);

public sealed record CounterIncremented(CounterId CounterId, int NewValue, Instant OccurredAt) : IDomainEvent;

/// <summary>A small aggregate for storage tests: a value, a mutable collection (for snapshot isolation) and events.</summary>
public sealed class Counter : AggregateRoot<CounterId>
{
    private readonly List<string> _labels;

    public Counter(CounterId id, int value = 0, string name = "counter")
        : base(id)
    {
        Value = value;
        Name = name;
        _labels = new List<string>();
    }

    private Counter(Counter other)
        : base(other.Id)
    {
        Value = other.Value;
        Name = other.Name;
        _labels = new List<string>(other._labels);
    }

    public int Value { get; private set; }

    public string Name { get; private set; }

    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Exposes the mutable list on purpose: snapshot isolation must hold even for sloppy aggregates.</summary>
    public List<string> MutableLabels => _labels;

    public void Increment(Instant at)
    {
        Value++;
        Raise(new CounterIncremented(Id, Value, at));
    }

    public void Rename(string name) => Name = name;

    protected override AggregateRoot<CounterId> CreateCopy() => new Counter(this);
}

/// <summary>An aggregate whose CreateCopy is broken, to check that stores refuse to share state.</summary>
public sealed class SelfCopyingAggregate : AggregateRoot<CounterId>
{
    public SelfCopyingAggregate(CounterId id)
        : base(id)
    {
    }

    protected override AggregateRoot<CounterId> CreateCopy() => this;
}
