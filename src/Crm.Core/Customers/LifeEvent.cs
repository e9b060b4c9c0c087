using NodaTime;

namespace Crm.Core.Customers;

/// <summary>
/// A life event of a customer (graduation, marriage, home move, a child, …) on a date, with where the business
/// learnt about it. Lifecycle rules and campaigns react to these; they are recorded once and never changed.
/// </summary>
public sealed record LifeEvent
{
    internal LifeEvent(LifeEventType type, LocalDate date, string source, Instant recordedAt)
    {
        Type = type;
        Date = date;
        Source = source;
        RecordedAt = recordedAt;
    }

    /// <summary>The kind of event.</summary>
    public LifeEventType Type { get; }

    /// <summary>When it happened (or is expected, for a due date).</summary>
    public LocalDate Date { get; }

    /// <summary>Where the information came from, e.g. <c>self-declared</c>, <c>branch-advisor</c>, <c>address-change</c>.</summary>
    public string Source { get; }

    /// <summary>When it was recorded on the customer.</summary>
    public Instant RecordedAt { get; }

    /// <summary>The type only, e.g. <c>home-move life event</c>: the date and source describe a person's life.</summary>
    public override string ToString() => $"{Type} life event";
}
