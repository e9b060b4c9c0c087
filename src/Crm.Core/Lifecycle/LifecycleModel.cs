using System.Collections.ObjectModel;

namespace Crm.Core.Lifecycle;

/// <summary>One rung of a <see cref="LifecycleModel"/> ladder.</summary>
/// <remarks>Immutable; equality is by value. The <see cref="Id"/> is what is stored and matched; never rename it once data exists.</remarks>
public sealed record LifecycleStage
{
    /// <summary>Creates a stage.</summary>
    /// <param name="id">The stable key, e.g. <c>first-time-customer</c>: ASCII letters, digits, '-', '_' or '.', at most 64 characters.</param>
    /// <param name="displayName">The name shown to people, e.g. "First-time customer".</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An argument is blank or <paramref name="id"/> has other characters.</exception>
    public LifecycleStage(string id, string displayName)
    {
        Preconditions.CheckNotBlank(id);
        Preconditions.CheckArgument(id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), nameof(id),
            "A stage id uses only ASCII letters, digits, '-', '_' and '.', at most 64 characters.");
        Id = id;
        DisplayName = Preconditions.CheckNotBlank(displayName).Trim();
    }

    /// <summary>The stable key.</summary>
    public string Id { get; }

    /// <summary>The name shown to people.</summary>
    public string DisplayName { get; }

    /// <summary>The id.</summary>
    public override string ToString() => Id;
}

/// <summary>
/// An ordered ladder of lifecycle stages that customers climb: the default <see cref="B2C"/> and <see cref="B2B"/>
/// ladders, or a host's own from <see cref="Create"/>. Moving up may skip rungs (a prospect who buys straight away
/// becomes a first-time customer without being a lead); moving down needs an explicit
/// <see cref="CustomerLifecycle.Regress"/> with a reason.
/// </summary>
/// <remarks>Immutable and thread-safe. Stage ids are compared ordinally. Equality is reference equality.</remarks>
public sealed class LifecycleModel
{
    private readonly Dictionary<string, int> _rank;

    private LifecycleModel(string name, LifecycleStage[] stages)
    {
        Name = name;
        Stages = new ReadOnlyCollection<LifecycleStage>(stages);
        _rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < stages.Length; i++)
        {
            _rank.Add(stages[i].Id, i);
        }
    }

    /// <summary>Stage ids of the <see cref="B2C"/> ladder.</summary>
    public static class B2CStages
    {
        /// <summary>Known to us, has not engaged.</summary>
        public const string Prospect = "prospect";

        /// <summary>Showed interest (signed up, asked for a quote).</summary>
        public const string Lead = "lead";

        /// <summary>Bought once.</summary>
        public const string FirstTimeCustomer = "first-time-customer";

        /// <summary>Bought again.</summary>
        public const string RepeatCustomer = "repeat-customer";

        /// <summary>Buys regularly and recommends us.</summary>
        public const string Loyal = "loyal";
    }

    /// <summary>Stage ids of the <see cref="B2B"/> ladder.</summary>
    public static class B2BStages
    {
        /// <summary>Subscribed to content.</summary>
        public const string Subscriber = "subscriber";

        /// <summary>Identified interest.</summary>
        public const string Lead = "lead";

        /// <summary>Marketing-qualified lead.</summary>
        public const string MarketingQualified = "marketing-qualified";

        /// <summary>Sales-qualified lead.</summary>
        public const string SalesQualified = "sales-qualified";

        /// <summary>An open deal.</summary>
        public const string Opportunity = "opportunity";

        /// <summary>Signed.</summary>
        public const string Customer = "customer";

        /// <summary>Advocates for us.</summary>
        public const string Evangelist = "evangelist";
    }

    /// <summary>Prospect → Lead → First-time customer → Repeat customer → Loyal/advocate.</summary>
    public static LifecycleModel B2C { get; } = Create("b2c",
        new LifecycleStage(B2CStages.Prospect, "Prospect"),
        new LifecycleStage(B2CStages.Lead, "Lead"),
        new LifecycleStage(B2CStages.FirstTimeCustomer, "First-time customer"),
        new LifecycleStage(B2CStages.RepeatCustomer, "Repeat customer"),
        new LifecycleStage(B2CStages.Loyal, "Loyal / advocate"));

    /// <summary>Subscriber → Lead → Marketing-qualified → Sales-qualified → Opportunity → Customer → Evangelist.</summary>
    public static LifecycleModel B2B { get; } = Create("b2b",
        new LifecycleStage(B2BStages.Subscriber, "Subscriber"),
        new LifecycleStage(B2BStages.Lead, "Lead"),
        new LifecycleStage(B2BStages.MarketingQualified, "Marketing-qualified lead"),
        new LifecycleStage(B2BStages.SalesQualified, "Sales-qualified lead"),
        new LifecycleStage(B2BStages.Opportunity, "Opportunity"),
        new LifecycleStage(B2BStages.Customer, "Customer"),
        new LifecycleStage(B2BStages.Evangelist, "Evangelist"));

    /// <summary>The model's name, e.g. <c>b2c</c>; stored with each customer's lifecycle.</summary>
    public string Name { get; }

    /// <summary>The stages, lowest first.</summary>
    public IReadOnlyList<LifecycleStage> Stages { get; }

    /// <summary>The lowest stage, where customers start unless told otherwise.</summary>
    public LifecycleStage First => Stages[0];

    /// <summary>
    /// Whether <paramref name="other"/> is this ladder: the same instance, or one with the same name and the same stage
    /// ids in the same order — which is what a lifecycle loaded from a database holds (stores rebuild the model from
    /// the document, so the instance differs from the one the rules were built with).
    /// </summary>
    internal bool IsSameLadderAs(LifecycleModel other) =>
        ReferenceEquals(this, other)
        || (string.Equals(Name, other.Name, StringComparison.Ordinal)
            && Stages.Select(s => s.Id).SequenceEqual(other.Stages.Select(s => s.Id), StringComparer.Ordinal));

    /// <summary>Defines a custom ladder.</summary>
    /// <param name="name">The model's name (not blank).</param>
    /// <param name="stages">At least two stages, lowest first, with distinct ids.</param>
    /// <exception cref="ArgumentNullException">An argument is null or <paramref name="stages"/> contains null.</exception>
    /// <exception cref="ArgumentException">Fewer than two stages, or a repeated id.</exception>
    public static LifecycleModel Create(string name, params IEnumerable<LifecycleStage> stages)
    {
        Preconditions.CheckNotBlank(name);
        Preconditions.CheckNotNull(stages);
        var array = stages.ToArray();
        Preconditions.CheckArgument(Array.TrueForAll(array, s => s is not null), nameof(stages), "Stages must not contain null.");
        Preconditions.CheckArgument(array.Length >= 2, nameof(stages), "A lifecycle needs at least two stages.");
        var duplicate = array.GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Preconditions.CheckArgument(duplicate is null, nameof(stages), $"Stage id '{duplicate?.Key}' appears twice; stage ids must be distinct.");
        return new LifecycleModel(name.Trim(), array);
    }

    /// <summary>Whether the model has a stage with this id.</summary>
    public bool Contains(string stageId) => stageId is not null && _rank.ContainsKey(stageId);

    /// <summary>The stage with this id.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stageId"/> is null.</exception>
    /// <exception cref="UnknownLifecycleStageException">The model has no such stage.</exception>
    public LifecycleStage this[string stageId] => Stages[RankOf(stageId)];

    /// <summary>The position of a stage on the ladder, 0 for the lowest.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stageId"/> is null.</exception>
    /// <exception cref="UnknownLifecycleStageException">The model has no such stage.</exception>
    public int RankOf(string stageId)
    {
        Preconditions.CheckNotNull(stageId);
        return _rank.TryGetValue(stageId, out var rank) ? rank : throw new UnknownLifecycleStageException(Name, stageId);
    }

    /// <summary>The model's name.</summary>
    public override string ToString() => Name;
}
