namespace Crm.Core.Segmentation;

/// <summary>Something a host does for a customer: a value on a dimension, e.g. <c>serviceLevel = gold</c>, <c>offer = free-shipping</c>.</summary>
/// <param name="Dimension">What is being decided (service level, priority, offer, channel...).</param>
/// <param name="Value">The decision.</param>
public sealed record Treatment(string Dimension, string Value);

/// <summary>A segment's treatment with its precedence: higher <paramref name="Priority"/> wins when a customer is in several segments.</summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Treatment">The treatment its members get.</param>
/// <param name="Priority">Higher wins; ties go to the segment whose key sorts first (ordinal), so the outcome never depends on order.</param>
public sealed record TreatmentRule(SegmentId SegmentId, Treatment Treatment, int Priority);

/// <summary>A treatment chosen for a customer, with the segment it came from and the segments it won over.</summary>
/// <param name="Treatment">The treatment.</param>
/// <param name="SegmentId">The winning segment.</param>
/// <param name="Overridden">Segments of the same dimension that lost, in precedence order.</param>
public sealed record AssignedTreatment(Treatment Treatment, SegmentId SegmentId, IReadOnlyList<SegmentId> Overridden);

/// <summary>
/// Maps segments to treatments with a deterministic precedence. On an exclusive dimension (the default, e.g. a
/// service level) a customer in several segments gets the treatment of the highest priority, ties broken by segment
/// key; on an additive dimension (e.g. offers) they get every treatment, in precedence order.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class TreatmentPlan
{
    private readonly TreatmentRule[] _rules;
    private readonly HashSet<string> _additive;

    /// <summary>Creates the plan.</summary>
    /// <param name="rules">The rules; at most one per segment and dimension.</param>
    /// <param name="additiveDimensions">Dimensions where every applicable treatment is given (e.g. <c>offer</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null or contains null.</exception>
    /// <exception cref="ArgumentException">A segment has two rules for one dimension, or a dimension/value is blank.</exception>
    public TreatmentPlan(IEnumerable<TreatmentRule> rules, IEnumerable<string>? additiveDimensions = null)
    {
        Preconditions.CheckNotNull(rules);
        _rules = rules.ToArray();
        var seen = new HashSet<(SegmentId, string)>();
        foreach (var rule in _rules)
        {
            Preconditions.CheckArgument(rule is not null, nameof(rules), "The rules must not contain null.");
            Preconditions.CheckArgument(rule.Treatment is not null && !string.IsNullOrWhiteSpace(rule.Treatment.Dimension) && !string.IsNullOrWhiteSpace(rule.Treatment.Value),
                nameof(rules), "Every rule needs a treatment with a dimension and a value.");
            Preconditions.CheckNotDefault(rule.SegmentId, nameof(rules));
            Preconditions.CheckArgument(seen.Add((rule.SegmentId, rule.Treatment.Dimension)), nameof(rules),
                $"Segment '{rule.SegmentId}' has two treatments for '{rule.Treatment.Dimension}'; keep one.");
        }
        // Precedence is fixed once: priority descending, then segment key ordinal.
        Array.Sort(_rules, (a, b) => b.Priority != a.Priority ? b.Priority.CompareTo(a.Priority) : a.SegmentId.CompareTo(b.SegmentId));
        _additive = new HashSet<string>(additiveDimensions ?? [], StringComparer.Ordinal);
    }

    /// <summary>The treatments for a customer who is in <paramref name="memberships"/>, ordered by dimension (ordinal), then precedence.</summary>
    /// <param name="memberships">The customer's segments (e.g. from <see cref="SegmentService.GetSegmentsOfAsync"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="memberships"/> is null.</exception>
    public IReadOnlyList<AssignedTreatment> Resolve(IEnumerable<SegmentId> memberships)
    {
        Preconditions.CheckNotNull(memberships);
        var member = memberships.ToHashSet();
        var result = new List<AssignedTreatment>();
        foreach (var dimension in _rules.Where(r => member.Contains(r.SegmentId)).GroupBy(r => r.Treatment.Dimension).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = dimension.ToList();
            if (_additive.Contains(dimension.Key))
            {
                result.AddRange(ordered.Select(r => new AssignedTreatment(r.Treatment, r.SegmentId, [])));
            }
            else
            {
                result.Add(new AssignedTreatment(ordered[0].Treatment, ordered[0].SegmentId, ordered.Skip(1).Select(r => r.SegmentId).ToList()));
            }
        }
        return result;
    }
}
