using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Loyalty;

/// <summary>The period a <see cref="RuleCap"/> counts over, in the programme's time zone.</summary>
public enum CapPeriod
{
    /// <summary>A calendar day.</summary>
    Day = 0,

    /// <summary>An ISO week (Monday to Sunday).</summary>
    Week = 1,

    /// <summary>A calendar month.</summary>
    Month = 2,

    /// <summary>A calendar year.</summary>
    Year = 3,

    /// <summary>The member's whole membership.</summary>
    Lifetime = 4,
}

/// <summary>The most points one rule may award one member per period.</summary>
/// <param name="Period">The period counted over.</param>
/// <param name="MaxPoints">The most points per period (positive).</param>
/// <remarks>Reversals do not give cap room back: a cap limits what was awarded, not what was kept.</remarks>
public sealed record RuleCap(CapPeriod Period, long MaxPoints)
{
    /// <summary>The period a point earned at <paramref name="at"/> counts in, as a sortable number (0 for lifetime).</summary>
    public long PeriodKey(Instant at, DateTimeZone zone)
    {
        if (Period == CapPeriod.Lifetime)
        {
            return 0;
        }
        var date = at.InZone(zone).Date;
        return Period switch
        {
            CapPeriod.Day => (date.Year * 1000L) + date.DayOfYear,
            CapPeriod.Week => (NodaTime.Calendars.WeekYearRules.Iso.GetWeekYear(date) * 100L) + NodaTime.Calendars.WeekYearRules.Iso.GetWeekOfWeekYear(date),
            CapPeriod.Month => (date.Year * 100L) + date.Month,
            _ => date.Year,
        };
    }
}

/// <summary>
/// Who a rule applies to. Every given condition must hold (an empty list or null matches everything): the purchase or
/// event channel, the member's effective tier, at least one of the member's segments, and a customer rule in the
/// segmentation rule language evaluated on the member's <see cref="Segmentation.CustomerProfile"/>.
/// </summary>
/// <remarks>
/// Segment membership and the profile are supplied by the host with each operation (see <see cref="EarningContext"/>).
/// The customer rule is validated on construction and compiled once per day (relative dates such as "birthday within
/// 7 days" are evaluated against the event's date in the programme's time zone). Immutable and thread-safe.
/// </remarks>
public sealed record RuleConditions
{
    private CompiledCustomerRule? _compiled;

    /// <summary>Creates conditions.</summary>
    /// <param name="channels">The channels the rule applies to; empty for all.</param>
    /// <param name="tiers">The tiers the rule applies to; empty for all.</param>
    /// <param name="segments">Segment ids of which the member must be in one; empty for none.</param>
    /// <param name="customer">A segmentation rule the member's profile must satisfy (e.g. <c>country eq "DE"</c>); null for none.</param>
    /// <exception cref="ArgumentException">A list contains an undefined channel or a blank code, or the customer rule is invalid.</exception>
    public RuleConditions(IReadOnlyList<Channel>? channels = null, IReadOnlyList<string>? tiers = null, IReadOnlyList<string>? segments = null, Segmentation.RuleNode? customer = null)
    {
        if (customer is not null)
        {
            var errors = Segmentation.RuleCompiler.Default.Validate(customer);
            Preconditions.CheckArgument(errors.Count == 0, nameof(customer), $"The customer rule is invalid: {string.Join("; ", errors)}");
        }
        Customer = customer;
        Channels = channels?.ToArray() ?? [];
        foreach (var channel in Channels)
        {
            Preconditions.CheckDefined(channel, nameof(channels));
        }
        Tiers = RuleLists.Codes(tiers, nameof(tiers));
        Segments = RuleLists.Codes(segments, nameof(segments));
    }

    /// <summary>The channels the rule applies to; empty for all.</summary>
    public IReadOnlyList<Channel> Channels { get; }

    /// <summary>The tiers the rule applies to; empty for all.</summary>
    public IReadOnlyList<string> Tiers { get; }

    /// <summary>The segments of which the member must be in at least one; empty for no segment condition.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>The segmentation rule the member's profile must satisfy, or null.</summary>
    [JsonConverter(typeof(RuleNodeJsonConverter))]
    public Segmentation.RuleNode? Customer { get; }

    /// <summary>Whether the conditions hold for the channel, tier, segments and profile at <paramref name="at"/>.</summary>
    public bool Matches(Channel channel, string tier, EarningContext? context, Instant at, DateTimeZone zone)
    {
        if (!Matches(channel, tier, context?.Segments))
        {
            return false;
        }
        if (Customer is null)
        {
            return true;
        }
        if (context?.Customer is not { } profile)
        {
            return false;
        }
        var today = at.InZone(zone).Date;
        var compiled = _compiled;
        if (compiled is null || compiled.Day != today)
        {
            // Relative dates depend on the day: compile once per day and keep the latest (a racing thread compiles the same thing).
            compiled = new CompiledCustomerRule(today, Segmentation.RuleCompiler.Default.Compile(Customer, today).Compiled);
            _compiled = compiled;
        }
        return compiled.Predicate(profile);
    }

    /// <summary>Whether the channel, tier and segment conditions hold (the customer rule is not evaluated).</summary>
    public bool Matches(Channel channel, string tier, IReadOnlySet<string>? segments)
    {
        if (Channels.Count > 0 && !Channels.Contains(channel))
        {
            return false;
        }
        if (Tiers.Count > 0 && !Tiers.Contains(tier, StringComparer.Ordinal))
        {
            return false;
        }
        if (Segments.Count == 0)
        {
            return true;
        }
        if (segments is null)
        {
            return false;
        }
        foreach (var segment in Segments)
        {
            if (segments.Contains(segment))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A host or programme event that event rules award points for.</summary>
public enum LoyaltyEventType
{
    /// <summary>The member joined the programme.</summary>
    Registration = 0,

    /// <summary>The member's birthday.</summary>
    Birthday = 1,

    /// <summary>The member's first purchase (evaluated with the purchase itself).</summary>
    FirstPurchase = 2,

    /// <summary>A referral: one member brought in another.</summary>
    Referral = 3,

    /// <summary>A host-defined event, matched by name.</summary>
    Custom = 4,
}

/// <summary>Who gets a referral rule's points.</summary>
public enum ReferralBeneficiary
{
    /// <summary>The member who referred.</summary>
    Referrer = 0,

    /// <summary>The member who was referred.</summary>
    Referred = 1,

    /// <summary>Both.</summary>
    Both = 2,
}

/// <summary>
/// An earning rule: data, not code. Rules are validated when constructed (also when deserialised), serialise with
/// System.Text.Json (the <c>type</c> property names the kind), and run in <see cref="EarningRuleSet"/> order:
/// ascending <see cref="Priority"/>, then ordinal <see cref="Id"/>.
/// </summary>
/// <remarks>
/// Every rule may be limited in time (<see cref="ValidFrom"/>/<see cref="ValidUntil"/>, for campaigns), to members and
/// channels (<see cref="Conditions"/>), capped per period (<see cref="Cap"/>), and may stop later rules
/// (<see cref="StopFurtherRules"/>: when it awarded points, rules after it are not evaluated). Immutable and thread-safe.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SpendRule), "spend")]
[JsonDerivedType(typeof(MultiplierRule), "multiplier")]
[JsonDerivedType(typeof(TierBonusRule), "tierBonus")]
[JsonDerivedType(typeof(EventRule), "event")]
public abstract record EarningRule
{
    /// <summary>Validates and stores the properties shared by every rule.</summary>
    /// <exception cref="ArgumentException">The id is invalid, the validity window is empty, or the cap is not positive.</exception>
    private protected EarningRule(string id, int priority, RuleConditions? conditions, Instant? validFrom, Instant? validUntil, RuleCap? cap, bool stopFurtherRules)
    {
        Id = Identifier.Validate(id, nameof(id), "rule id");
        Priority = priority;
        Conditions = conditions;
        Preconditions.CheckArgument(validFrom is null || validUntil is null || validFrom < validUntil, nameof(validUntil),
            "A rule's validity must end after it starts.");
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        if (cap is not null)
        {
            Preconditions.CheckDefined(cap.Period, nameof(cap));
            Preconditions.CheckArgument(cap.MaxPoints > 0, nameof(cap), "A cap must allow a positive number of points.");
        }
        Cap = cap;
        StopFurtherRules = stopFurtherRules;
    }

    /// <summary>The rule's id; recorded on every point it awards.</summary>
    public string Id { get; }

    /// <summary>Rules run in ascending priority (ties: ordinal id).</summary>
    public int Priority { get; }

    /// <summary>Who the rule applies to; null for everyone.</summary>
    public RuleConditions? Conditions { get; }

    /// <summary>The first instant the rule applies (by the purchase's or event's time); null for no start.</summary>
    [JsonConverter(typeof(NullableInstantJsonConverter))]
    public Instant? ValidFrom { get; }

    /// <summary>The instant from which the rule no longer applies (exclusive); null for no end.</summary>
    [JsonConverter(typeof(NullableInstantJsonConverter))]
    public Instant? ValidUntil { get; }

    /// <summary>The most points the rule may award a member per period; null for no cap.</summary>
    public RuleCap? Cap { get; }

    /// <summary>When the rule awards points, rules after it are not evaluated.</summary>
    public bool StopFurtherRules { get; }

    /// <summary>Whether the rule's validity window contains <paramref name="at"/>.</summary>
    public bool IsActiveAt(Instant at) => (ValidFrom is null || at >= ValidFrom) && (ValidUntil is null || at < ValidUntil);
}

/// <summary>
/// Points per unit of money spent on eligible lines: the base rule of most programmes. Delivery and fee lines are
/// excluded unless included explicitly; lines with excluded SKUs or categories never earn.
/// </summary>
/// <remarks>Its points on each line are the base that <see cref="MultiplierRule"/> and <see cref="TierBonusRule"/> multiply.</remarks>
public sealed record SpendRule : EarningRule
{
    /// <summary>Creates a spend rule.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="pointsPerUnit">Points per unit of the programme currency (positive; may be fractional, e.g. 0.1).</param>
    /// <param name="minimumOrderValue">The purchase total below which the rule awards nothing (0 for none).</param>
    /// <param name="excludedSkus">SKUs that never earn.</param>
    /// <param name="excludedCategories">Categories that never earn.</param>
    /// <param name="includeDelivery">Whether delivery lines earn.</param>
    /// <param name="includeFees">Whether fee lines earn.</param>
    /// <param name="priority">Evaluation order.</param>
    /// <param name="conditions">Who it applies to.</param>
    /// <param name="validFrom">Campaign start.</param>
    /// <param name="validUntil">Campaign end (exclusive).</param>
    /// <param name="cap">Per-period cap.</param>
    /// <param name="stopFurtherRules">Stop later rules when this one awards points.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pointsPerUnit"/> is not positive or <paramref name="minimumOrderValue"/> is negative.</exception>
    public SpendRule(string id, decimal pointsPerUnit, decimal minimumOrderValue = 0m, IReadOnlyList<string>? excludedSkus = null,
        IReadOnlyList<string>? excludedCategories = null, bool includeDelivery = false, bool includeFees = false,
        int priority = 0, RuleConditions? conditions = null, Instant? validFrom = null, Instant? validUntil = null, RuleCap? cap = null, bool stopFurtherRules = false)
        : base(id, priority, conditions, validFrom, validUntil, cap, stopFurtherRules)
    {
        PointsPerUnit = Preconditions.CheckPositive(pointsPerUnit);
        MinimumOrderValue = Preconditions.CheckNotNegative(minimumOrderValue);
        ExcludedSkus = RuleLists.Codes(excludedSkus, nameof(excludedSkus));
        ExcludedCategories = RuleLists.Codes(excludedCategories, nameof(excludedCategories));
        IncludeDelivery = includeDelivery;
        IncludeFees = includeFees;
    }

    /// <summary>Points per unit of the programme currency.</summary>
    public decimal PointsPerUnit { get; }

    /// <summary>The purchase total below which the rule awards nothing.</summary>
    public decimal MinimumOrderValue { get; }

    /// <summary>SKUs that never earn.</summary>
    public IReadOnlyList<string> ExcludedSkus { get; }

    /// <summary>Categories that never earn.</summary>
    public IReadOnlyList<string> ExcludedCategories { get; }

    /// <summary>Whether delivery lines earn.</summary>
    public bool IncludeDelivery { get; }

    /// <summary>Whether fee lines earn.</summary>
    public bool IncludeFees { get; }
}

/// <summary>
/// Multiplies the base points (from <see cref="SpendRule"/>s evaluated before it) of the lines with given SKUs or
/// categories — or of every line when both lists are empty, as in a "double points weekend" campaign.
/// Awards the extra points only: a multiplier of 2 adds the base once more.
/// </summary>
public sealed record MultiplierRule : EarningRule
{
    /// <summary>Creates a multiplier rule.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="multiplier">The factor (greater than 1).</param>
    /// <param name="skus">The SKUs it applies to.</param>
    /// <param name="categories">The categories it applies to.</param>
    /// <param name="priority">Evaluation order (after the spend rules whose base it multiplies).</param>
    /// <param name="conditions">Who it applies to.</param>
    /// <param name="validFrom">Campaign start.</param>
    /// <param name="validUntil">Campaign end (exclusive).</param>
    /// <param name="cap">Per-period cap.</param>
    /// <param name="stopFurtherRules">Stop later rules when this one awards points.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public MultiplierRule(string id, decimal multiplier, IReadOnlyList<string>? skus = null, IReadOnlyList<string>? categories = null,
        int priority = 10, RuleConditions? conditions = null, Instant? validFrom = null, Instant? validUntil = null, RuleCap? cap = null, bool stopFurtherRules = false)
        : base(id, priority, conditions, validFrom, validUntil, cap, stopFurtherRules)
    {
        Preconditions.CheckArgument(multiplier > 1m && multiplier <= 100m, nameof(multiplier), "A multiplier must be greater than 1 and at most 100.");
        Multiplier = multiplier;
        Skus = RuleLists.Codes(skus, nameof(skus));
        Categories = RuleLists.Codes(categories, nameof(categories));
    }

    /// <summary>The factor.</summary>
    public decimal Multiplier { get; }

    /// <summary>The SKUs it applies to.</summary>
    public IReadOnlyList<string> Skus { get; }

    /// <summary>The categories it applies to.</summary>
    public IReadOnlyList<string> Categories { get; }
}

/// <summary>
/// Members of a tier earn their base points (from <see cref="SpendRule"/>s evaluated before it) times a factor.
/// Awards the extra points only.
/// </summary>
public sealed record TierBonusRule : EarningRule
{
    /// <summary>Creates a tier bonus rule.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="tier">The tier code.</param>
    /// <param name="multiplier">The factor (greater than 1).</param>
    /// <param name="priority">Evaluation order (after the spend rules).</param>
    /// <param name="conditions">Who it applies to.</param>
    /// <param name="validFrom">Campaign start.</param>
    /// <param name="validUntil">Campaign end (exclusive).</param>
    /// <param name="cap">Per-period cap.</param>
    /// <param name="stopFurtherRules">Stop later rules when this one awards points.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public TierBonusRule(string id, string tier, decimal multiplier, int priority = 20, RuleConditions? conditions = null,
        Instant? validFrom = null, Instant? validUntil = null, RuleCap? cap = null, bool stopFurtherRules = false)
        : base(id, priority, conditions, validFrom, validUntil, cap, stopFurtherRules)
    {
        Tier = Identifier.Validate(tier, nameof(tier), "tier code");
        Preconditions.CheckArgument(multiplier > 1m && multiplier <= 100m, nameof(multiplier), "A tier multiplier must be greater than 1 and at most 100.");
        Multiplier = multiplier;
    }

    /// <summary>The tier code.</summary>
    public string Tier { get; }

    /// <summary>The factor.</summary>
    public decimal Multiplier { get; }
}

/// <summary>
/// A fixed number of points for an event: registration, birthday, first purchase, referral or a host-defined event.
/// </summary>
public sealed record EventRule : EarningRule
{
    /// <summary>Creates an event rule.</summary>
    /// <param name="id">The rule id.</param>
    /// <param name="eventType">The event.</param>
    /// <param name="points">The points awarded (positive).</param>
    /// <param name="customEventName">For <see cref="LoyaltyEventType.Custom"/>: the event's name (required); otherwise null.</param>
    /// <param name="referralBeneficiary">For <see cref="LoyaltyEventType.Referral"/>: who gets the points.</param>
    /// <param name="priority">Evaluation order.</param>
    /// <param name="conditions">Who it applies to.</param>
    /// <param name="validFrom">Campaign start.</param>
    /// <param name="validUntil">Campaign end (exclusive).</param>
    /// <param name="cap">Per-period cap.</param>
    /// <param name="stopFurtherRules">Stop later rules when this one awards points.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public EventRule(string id, LoyaltyEventType eventType, long points, string? customEventName = null,
        ReferralBeneficiary referralBeneficiary = ReferralBeneficiary.Both, int priority = 30, RuleConditions? conditions = null,
        Instant? validFrom = null, Instant? validUntil = null, RuleCap? cap = null, bool stopFurtherRules = false)
        : base(id, priority, conditions, validFrom, validUntil, cap, stopFurtherRules)
    {
        EventType = Preconditions.CheckDefined(eventType);
        Points = Preconditions.CheckPositive(points);
        Preconditions.CheckArgument((eventType == LoyaltyEventType.Custom) == (customEventName is not null), nameof(customEventName),
            "A custom event rule needs the event's name; other event rules must not have one.");
        CustomEventName = customEventName is null ? null : Identifier.Validate(customEventName, nameof(customEventName), "event name");
        ReferralBeneficiary = Preconditions.CheckDefined(referralBeneficiary);
    }

    /// <summary>The event.</summary>
    public LoyaltyEventType EventType { get; }

    /// <summary>The points awarded.</summary>
    public long Points { get; }

    /// <summary>The name of a custom event.</summary>
    public string? CustomEventName { get; }

    /// <summary>Who gets a referral's points.</summary>
    public ReferralBeneficiary ReferralBeneficiary { get; }
}

/// <summary>A programme's earning rules in evaluation order: ascending priority, then ordinal id.</summary>
/// <remarks>Ids are unique. Immutable and thread-safe.</remarks>
public sealed class EarningRuleSet
{
    /// <summary>Validates and orders <paramref name="rules"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">A rule is null or two rules share an id.</exception>
    public EarningRuleSet(IEnumerable<EarningRule> rules)
    {
        Preconditions.CheckNotNull(rules);
        var array = rules.ToArray();
        Preconditions.CheckArgument(Array.TrueForAll(array, r => r is not null), nameof(rules), "Rules must not contain null.");
        var duplicate = array.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Preconditions.CheckArgument(duplicate is null, nameof(rules), $"Rule ids must be unique; '{duplicate?.Key}' is used more than once.");
        Rules = array.OrderBy(r => r.Priority).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The rules in evaluation order.</summary>
    public IReadOnlyList<EarningRule> Rules { get; }

    /// <summary>Serialises the rules as a JSON array (each rule with a <c>type</c> discriminator).</summary>
    public string ToJson() => JsonSerializer.Serialize(Rules, JsonOptions);

    /// <summary>Reads rules written by <see cref="ToJson"/>; every rule is validated as it is read.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="ArgumentException">The JSON is malformed or a rule is invalid (the inner exception says which).</exception>
    public static EarningRuleSet FromJson(string json)
    {
        Preconditions.CheckNotNull(json);
        try
        {
            var rules = JsonSerializer.Deserialize<EarningRule[]>(json, JsonOptions);
            Preconditions.CheckArgument(rules is not null, nameof(json), "The JSON must be an array of rules.");
            return new EarningRuleSet(rules);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // NotSupportedException: a rule without its "type" (the serializer cannot create the abstract EarningRule).
            throw new ArgumentException($"The rules JSON is not valid: {e.Message}", nameof(json), e);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };
}

internal sealed record CompiledCustomerRule(LocalDate Day, Func<Segmentation.CustomerProfile, bool> Predicate);

/// <summary>Embeds a customer rule as the segmentation rule language's own JSON document.</summary>
internal sealed class RuleNodeJsonConverter : JsonConverter<Segmentation.RuleNode?>
{
    public override bool HandleNull => true;

    public override Segmentation.RuleNode? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return Segmentation.SegmentDefinitionJson.Parse(document.RootElement.GetRawText());
        }
        catch (CrmException e)
        {
            throw new JsonException($"The customer rule is not valid: {e.Message}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Segmentation.RuleNode? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(Segmentation.SegmentDefinitionJson.Serialize(value));
        }
    }
}

internal static class RuleLists
{
    public static string[] Codes(IReadOnlyList<string>? codes, string paramName)
    {
        var array = codes?.ToArray() ?? [];
        foreach (var code in array)
        {
            Identifier.Validate(code, paramName, "code");
        }
        return array;
    }
}

/// <summary>Writes instants as ISO-8601 UTC text (NodaTime's extended ISO pattern) so rules need no serialisation package.</summary>
internal sealed class NullableInstantJsonConverter : JsonConverter<Instant?>
{
    public override bool HandleNull => true;

    public override Instant? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        var result = InstantPattern.ExtendedIso.Parse(reader.GetString() ?? string.Empty);
        return result.Success ? result.Value : throw new JsonException($"'{reader.GetString()}' is not an ISO-8601 UTC instant such as 2026-01-31T12:00:00Z.");
    }

    public override void Write(Utf8JsonWriter writer, Instant? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value.Value));
        }
    }
}
