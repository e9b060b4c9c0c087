namespace Crm.Core.Segmentation;

/// <summary>
/// A node of a segment rule tree: a group (<see cref="AllOf"/>, <see cref="AnyOf"/>, <see cref="NotOf"/>) or a
/// condition. Rule trees are plain data: they serialise with <see cref="SegmentDefinitionJson"/>, are checked by
/// <see cref="RuleCompiler.Validate"/> and compile to a <see cref="Criterion{T}"/> over <see cref="CustomerProfile"/>.
/// </summary>
/// <remarks>Nodes are immutable records and thread-safe.</remarks>
public abstract record RuleNode
{
    private protected RuleNode()
    {
    }
}

/// <summary>All children hold (AND). With no children it always holds.</summary>
/// <param name="Children">The children.</param>
public sealed record AllOf(IReadOnlyList<RuleNode> Children) : RuleNode
{
    /// <summary>Creates the group.</summary>
    public AllOf(params RuleNode[] children)
        : this((IReadOnlyList<RuleNode>)children)
    {
    }
}

/// <summary>At least one child holds (OR). With no children it never holds.</summary>
/// <param name="Children">The children.</param>
public sealed record AnyOf(IReadOnlyList<RuleNode> Children) : RuleNode
{
    /// <summary>Creates the group.</summary>
    public AnyOf(params RuleNode[] children)
        : this((IReadOnlyList<RuleNode>)children)
    {
    }
}

/// <summary>The child does not hold (NOT).</summary>
/// <param name="Child">The negated node.</param>
public sealed record NotOf(RuleNode Child) : RuleNode;

/// <summary>The comparison a condition makes. Negative operators are exactly the negation of their positive twin.</summary>
public enum RuleOperator
{
    /// <summary>Equal. A missing (null) value is never equal to anything.</summary>
    Eq = 0,

    /// <summary>Not equal: exactly NOT <see cref="Eq"/>, so a missing value is "not equal".</summary>
    Ne = 1,

    /// <summary>Greater than. False for a missing value.</summary>
    Gt = 2,

    /// <summary>Greater than or equal. False for a missing value.</summary>
    Gte = 3,

    /// <summary>Less than. False for a missing value.</summary>
    Lt = 4,

    /// <summary>Less than or equal. False for a missing value.</summary>
    Lte = 5,

    /// <summary>Between two values, both inclusive. False for a missing value.</summary>
    Between = 6,

    /// <summary>Equal to one of the values (for sets: contains at least one of them).</summary>
    In = 7,

    /// <summary>Exactly NOT <see cref="In"/>.</summary>
    NotIn = 8,

    /// <summary>Text: contains the value as a substring. Sets: has the value as an element.</summary>
    Contains = 9,

    /// <summary>Exactly NOT <see cref="Contains"/>.</summary>
    NotContains = 10,

    /// <summary>Text starts with the value.</summary>
    StartsWith = 11,

    /// <summary>Text ends with the value.</summary>
    EndsWith = 12,

    /// <summary>No value: null, empty text or an empty set.</summary>
    IsEmpty = 13,

    /// <summary>Exactly NOT <see cref="IsEmpty"/>.</summary>
    IsNotEmpty = 14,

    /// <summary>Date: inside a calendar period relative to the as-of date (this/last/next week, month, year...).</summary>
    InPeriod = 15,

    /// <summary>Sets: contains every one of the values.</summary>
    All = 16,
}

/// <summary>
/// A condition on a registered profile field (see <see cref="ProfileFieldRegistry"/>).
/// </summary>
/// <param name="Field">The field's stable name.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Values">The operand(s): none for isEmpty/isNotEmpty, two for between, one or more for in/notIn/all, otherwise one.</param>
/// <param name="IgnoreCase">Text only: fold ASCII letters A–Z before comparing (other characters compare ordinally).</param>
public sealed record FieldCondition(string Field, RuleOperator Operator, IReadOnlyList<RuleValue> Values, bool IgnoreCase = false) : RuleNode
{
    /// <summary>Creates a condition with its operands.</summary>
    public FieldCondition(string field, RuleOperator @operator, params RuleValue[] values)
        : this(field, @operator, (IReadOnlyList<RuleValue>)values)
    {
    }
}

/// <summary>The type of a host-defined custom attribute in an <see cref="AttributeCondition"/>.</summary>
public enum AttributeType
{
    /// <summary>Reads <see cref="ProfileAttribute.Text"/>.</summary>
    Text = 0,

    /// <summary>Reads <see cref="ProfileAttribute.Number"/>.</summary>
    Number = 1,

    /// <summary>Reads <see cref="ProfileAttribute.Flag"/>.</summary>
    Boolean = 2,

    /// <summary>Reads <see cref="ProfileAttribute.Date"/>.</summary>
    Date = 3,
}

/// <summary>A condition on a host-defined custom attribute (<see cref="CustomerProfile.Attributes"/>), with the operators of its type.</summary>
/// <param name="Name">The attribute name (ordinal).</param>
/// <param name="Type">Which typed value to read.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Values">The operand(s), as for <see cref="FieldCondition"/>.</param>
/// <param name="IgnoreCase">Text only: fold ASCII letters before comparing.</param>
public sealed record AttributeCondition(string Name, AttributeType Type, RuleOperator Operator, IReadOnlyList<RuleValue> Values, bool IgnoreCase = false) : RuleNode
{
    /// <summary>Creates a condition with its operands.</summary>
    public AttributeCondition(string name, AttributeType type, RuleOperator @operator, params RuleValue[] values)
        : this(name, type, @operator, (IReadOnlyList<RuleValue>)values)
    {
    }
}

/// <summary>
/// The customer bought a SKU / category / through a channel at least once within a period: on or after
/// <paramref name="Since"/> and on or before <paramref name="Until"/>, both inclusive, either open when null.
/// </summary>
/// <remarks>
/// With at most one bound the condition reads <see cref="CustomerProfile.PurchaseStats"/> (last date ≥ since, first
/// date ≤ until). A closed period needs the purchase days (<see cref="CustomerProfile.PurchaseDays"/>), because a
/// customer who bought in January and in June did not necessarily buy in March. A period whose start falls after its
/// end (possible with relative dates) contains no day, so nobody matches.
/// </remarks>
/// <param name="Dimension">What <paramref name="Key"/> names.</param>
/// <param name="Key">The SKU, category or channel name (ordinal).</param>
/// <param name="Since">Earliest purchase date that counts, e.g. <c>RuleValue.DaysAgo(90)</c>; null for no lower bound.</param>
/// <param name="Until">Latest purchase date that counts, e.g. <c>RuleValue.DaysAgo(30)</c> or <c>RuleValue.EndOf(CalendarUnit.Month, -1)</c>; null for no upper bound.</param>
public sealed record PurchasedCondition(PurchaseDimension Dimension, string Key, RuleValue? Since = null, RuleValue? Until = null) : RuleNode;

/// <summary>
/// The share of the customer's purchases made through a channel, in whole percent, compared with
/// <paramref name="Percent"/>. Customers without purchases have no share: the condition is false for them.
/// </summary>
/// <param name="Channel">The channel.</param>
/// <param name="Operator">Gt, Gte, Lt or Lte.</param>
/// <param name="Percent">0..100.</param>
public sealed record ChannelShareCondition(Channel Channel, RuleOperator Operator, int Percent) : RuleNode;

/// <summary>The customer currently holds a product (by id, by category, or both).</summary>
/// <param name="ProductId">The product id, or null for any product of <paramref name="Category"/>.</param>
/// <param name="Category">The category, or null for any category.</param>
public sealed record HoldsCondition(string? ProductId, string? Category) : RuleNode;

/// <summary>The customer's consent for <paramref name="Purpose"/> on <paramref name="Channel"/> is in force.</summary>
/// <param name="Purpose">E.g. <c>marketing</c> (compared case-insensitively through <see cref="CustomerProfile.ConsentKey"/>).</param>
/// <param name="Channel">The channel.</param>
public sealed record ConsentCondition(string Purpose, Channel Channel) : RuleNode;

/// <summary>Which date an <see cref="AnniversaryCondition"/> looks at.</summary>
public enum AnniversaryKind
{
    /// <summary>The birth date.</summary>
    Birthday = 0,

    /// <summary>The registration date.</summary>
    Registration = 1,
}

/// <summary>
/// The anniversary of a date falls within the next <paramref name="WithinDays"/> days (0 = today), as of the
/// evaluation date. A 29 February anniversary is celebrated on 1 March in years without that day.
/// </summary>
/// <param name="Kind">Which date.</param>
/// <param name="WithinDays">0..365.</param>
public sealed record AnniversaryCondition(AnniversaryKind Kind, int WithinDays) : RuleNode;

/// <summary>
/// The customer matches another dynamic segment's rule (expanded inline, evaluated as of the same date).
/// References are checked for cycles.
/// </summary>
/// <param name="SegmentKey">The referenced segment's key.</param>
public sealed record SegmentCondition(string SegmentKey) : RuleNode;
