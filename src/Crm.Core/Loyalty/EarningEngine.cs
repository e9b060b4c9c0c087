using System.Collections.Frozen;
using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// Evaluates a programme's rules against a purchase or an event. Stateless and thread-safe: the only scratch space
/// is per thread, so the hot path allocates nothing but the contribution array the earn entry keeps.
/// </summary>
/// <remarks>
/// The rules are compiled once per programme (<see cref="CompiledRule"/>): kinds become a switch on an enum, validity
/// windows plain instants, channel conditions a bit mask, SKU and category lists frozen sets, and cap periods a
/// per-day memo — so evaluating a purchase does no LINQ, no type tests and no time-zone arithmetic per rule.
/// </remarks>
internal sealed class EarningEngine
{
    private readonly LoyaltyProgramme _programme;
    private readonly CompiledRule[] _rules;
    // Line bases are needed only by multiplier rules; without one, the per-line bookkeeping is skipped.
    private readonly bool _needsLineBase;

    [ThreadStatic]
    private static decimal[]? t_base;

    [ThreadStatic]
    private static EarnContribution[]? t_contributions;

    [ThreadStatic]
    private static PackedContribution[]? t_packed;

    public EarningEngine(LoyaltyProgramme programme)
    {
        _programme = programme;
        var rules = programme.Rules.Rules;
        _rules = new CompiledRule[rules.Count];
        for (var i = 0; i < _rules.Length; i++)
        {
            _rules[i] = new CompiledRule(rules[i], programme.Zone);
            _needsLineBase |= rules[i] is MultiplierRule;
        }
    }

    /// <summary>
    /// The contributions of the rules that award points for <paramref name="purchase"/>, in evaluation order, in a
    /// per-thread buffer that is valid until the next evaluation on this thread.
    /// </summary>
    public ReadOnlySpan<PackedContribution> EvaluatePurchase(Purchase purchase, string tier, EarningContext? context, bool firstPurchase, LedgerState state, out long total)
    {
        var lines = purchase.LineArray;
        // A purchase without lines is one line worth its total (a till that only reports totals).
        var lineCount = Math.Max(1, lines.Length);
        var baseByLine = t_base is { } b && b.Length >= lineCount ? b : (t_base = new decimal[Math.Max(lineCount, 16)]);
        if (_needsLineBase)
        {
            Array.Clear(baseByLine, 0, lineCount);
        }
        var contributions = t_packed is { } p && p.Length >= _rules.Length ? p : (t_packed = new PackedContribution[Math.Max(_rules.Length, 16)]);
        var count = 0;
        var baseTotal = 0m;
        total = 0;
        var at = purchase.OccurredAt;
        var orderTotal = purchase.Total.Amount;
        foreach (var rule in _rules)
        {
            if (!rule.Applies(at, purchase.Channel, tier, context))
            {
                continue;
            }
            decimal raw;
            decimal basis;
            switch (rule.Kind)
            {
                case RuleKind.Spend:
                {
                    if (orderTotal < rule.MinimumOrderValue)
                    {
                        continue;
                    }
                    var eligible = 0m;
                    for (var i = 0; i < lineCount; i++)
                    {
                        var amount = lines.Length == 0 ? orderTotal : rule.SpendEligible(lines[i]);
                        eligible += amount;
                        if (_needsLineBase)
                        {
                            baseByLine[i] += rule.UnitRate ? amount : amount * rule.Factor;
                        }
                    }
                    raw = rule.UnitRate ? eligible : eligible * rule.Factor;
                    baseTotal += raw;
                    basis = eligible;
                    break;
                }
                case RuleKind.Multiplier:
                {
                    var matched = 0m;
                    for (var i = 0; i < lineCount; i++)
                    {
                        if (rule.MultiplierMatches(lines.Length == 0 ? null : lines[i]))
                        {
                            matched += baseByLine[i];
                        }
                    }
                    raw = matched * rule.ExtraFactor;
                    basis = matched;
                    break;
                }
                case RuleKind.TierBonus:
                    if (!string.Equals(rule.BonusTier, tier, StringComparison.Ordinal))
                    {
                        continue;
                    }
                    raw = baseTotal * rule.ExtraFactor;
                    basis = baseTotal;
                    break;
                case RuleKind.FirstPurchase when firstPurchase:
                    raw = rule.Factor;
                    basis = 0m;
                    break;
                default:
                    continue;
            }
            if (Award(rule, raw, at, state, out var points, out var window, out var capped))
            {
                contributions[count++] = new PackedContribution { Rule = capped ? rule.CappedStamp : rule.Stamp, Points = points, Basis = basis, CapWindow = window };
                total = checked(total + points);
                if (rule.Rule.StopFurtherRules)
                {
                    break;
                }
            }
        }
        return contributions.AsSpan(0, count);
    }

    public EarnContribution[] EvaluateEvent(LoyaltyEvent loyaltyEvent, string tier, EarningContext? context, LedgerState state, out long total)
    {
        var contributions = Scratch();
        var count = 0;
        total = 0;
        foreach (var compiled in _rules)
        {
            if (compiled.Rule is not EventRule rule || rule.EventType != loyaltyEvent.Type || !compiled.Applies(loyaltyEvent.OccurredAt, loyaltyEvent.Channel, tier, context))
            {
                continue;
            }
            if (rule.EventType == LoyaltyEventType.Custom && !string.Equals(rule.CustomEventName, loyaltyEvent.CustomName, StringComparison.Ordinal))
            {
                continue;
            }
            if (rule.EventType == LoyaltyEventType.Referral && rule.ReferralBeneficiary != ReferralBeneficiary.Both && rule.ReferralBeneficiary != loyaltyEvent.ReferralRole)
            {
                continue;
            }
            if (Award(compiled, rule.Points, loyaltyEvent.OccurredAt, state, out var points, out var window, out var capped))
            {
                contributions[count++] = new EarnContribution(rule.Id, compiled.PublicKind, points, 0m, compiled.Factor, compiled.CapWindows is null ? null : window, capped);
                total = checked(total + points);
                if (rule.StopFurtherRules)
                {
                    break;
                }
            }
        }
        return count == 0 ? [] : contributions.AsSpan(0, count).ToArray();
    }

    /// <summary>Per-thread contribution buffer; every rule contributes at most once, so one slot per rule suffices.</summary>
    private EarnContribution[] Scratch() =>
        t_contributions is { } buffer && buffer.Length >= _rules.Length ? buffer : (t_contributions = new EarnContribution[Math.Max(_rules.Length, 16)]);

    /// <summary>Rounds and applies the cap; returns whether the rule awards points (then <paramref name="points"/> and the cap outcome are set).</summary>
    private bool Award(CompiledRule compiled, decimal raw, Instant at, LedgerState state, out long points, out long window, out bool capped)
    {
        window = 0;
        capped = false;
        points = raw <= 0m ? 0 : _programme.ToPoints(raw);
        if (points <= 0)
        {
            return false;
        }
        var rule = compiled.Rule;
        if (compiled.CapWindows is { } period)
        {
            window = period.Get(at);
            var room = Math.Max(0, rule.Cap!.MaxPoints - state.CapUsed(rule.Id, window));
            if (points > room)
            {
                points = room;
                capped = true;
            }
        }
        return points > 0;
    }

    private enum RuleKind
    {
        Spend,
        Multiplier,
        TierBonus,
        FirstPurchase,
        OtherEvent,
    }

    /// <summary>A rule prepared for fast evaluation; see the remarks on <see cref="EarningEngine"/>.</summary>
    private sealed class CompiledRule
    {
        private readonly FrozenSet<string>? _skus;
        private readonly FrozenSet<string>? _categories;
        private readonly bool _includeDelivery;
        private readonly bool _includeFees;
        private readonly bool _matchesAll;
        private readonly Instant _validFrom;
        private readonly Instant _validUntil;
        private readonly RuleConditions? _conditions;
        // Channels as bits (bit n = channel value n); 0 when the rule does not restrict channels.
        private readonly ulong _channelMask;
        private readonly string[] _tiers;
        // Segment and customer conditions need the host's context: those rules take the general path.
        private readonly bool _needsContext;
        private readonly DateTimeZone _zone;

        public CompiledRule(EarningRule rule, DateTimeZone zone)
        {
            Rule = rule;
            _zone = zone;
            _validFrom = rule.ValidFrom ?? Instant.MinValue;
            _validUntil = rule.ValidUntil ?? Instant.MaxValue;
            _conditions = rule.Conditions;
            _tiers = [];
            if (rule.Conditions is { } conditions)
            {
                var maskable = true;
                foreach (var channel in conditions.Channels)
                {
                    maskable &= (uint)channel < 64;
                    _channelMask |= 1UL << ((int)channel & 63);
                }
                _tiers = [.. conditions.Tiers];
                _needsContext = !maskable || conditions.Segments.Count > 0 || conditions.Customer is not null;
            }
            if (rule.Cap is { Period: not CapPeriod.Lifetime } cap)
            {
                CapWindows = new LocalDayMemo<long>(zone, at => cap.PeriodKey(at, zone));
            }
            else if (rule.Cap is not null)
            {
                CapWindows = new LocalDayMemo<long>(zone, static _ => 0);
            }
            switch (rule)
            {
                case SpendRule spend:
                    Kind = RuleKind.Spend;
                    PublicKind = EarningRuleKind.Spend;
                    Factor = spend.PointsPerUnit;
                    UnitRate = spend.PointsPerUnit == 1m;
                    MinimumOrderValue = spend.MinimumOrderValue;
                    _skus = Set(spend.ExcludedSkus);
                    _categories = Set(spend.ExcludedCategories);
                    _includeDelivery = spend.IncludeDelivery;
                    _includeFees = spend.IncludeFees;
                    break;
                case MultiplierRule multiplier:
                    Kind = RuleKind.Multiplier;
                    PublicKind = EarningRuleKind.Multiplier;
                    Factor = multiplier.Multiplier;
                    ExtraFactor = multiplier.Multiplier - 1m;
                    _skus = Set(multiplier.Skus);
                    _categories = Set(multiplier.Categories);
                    _matchesAll = _skus is null && _categories is null;
                    break;
                case TierBonusRule bonus:
                    Kind = RuleKind.TierBonus;
                    PublicKind = EarningRuleKind.TierBonus;
                    Factor = bonus.Multiplier;
                    ExtraFactor = bonus.Multiplier - 1m;
                    BonusTier = bonus.Tier;
                    break;
                case EventRule e:
                    Kind = e.EventType == LoyaltyEventType.FirstPurchase ? RuleKind.FirstPurchase : RuleKind.OtherEvent;
                    PublicKind = EarningRuleKind.Event;
                    Factor = e.Points;
                    break;
            }
            Stamp = new RuleStamp(rule.Id, PublicKind, Factor, CapWindows is not null, Capped: false);
            CappedStamp = new RuleStamp(rule.Id, PublicKind, Factor, CapWindows is not null, Capped: true);
        }

        /// <summary>What every packed contribution of this rule shares (uncapped and capped).</summary>
        public RuleStamp Stamp { get; }

        /// <inheritdoc cref="Stamp"/>
        public RuleStamp CappedStamp { get; }

        public EarningRule Rule { get; }

        public RuleKind Kind { get; }

        public EarningRuleKind PublicKind { get; }

        /// <summary>Points per unit (spend), the multiplier (multiplier, tier bonus) or the points (event): what a contribution records as its factor.</summary>
        public decimal Factor { get; }

        /// <summary>The multiplier minus one: multiplier and tier rules award only the extra points.</summary>
        public decimal ExtraFactor { get; }

        /// <summary>A spend rule at one point per unit, which needs no multiplication.</summary>
        public bool UnitRate { get; }

        public decimal MinimumOrderValue { get; }

        public string? BonusTier { get; }

        /// <summary>The cap's period key per local day, or null for an uncapped rule.</summary>
        public LocalDayMemo<long>? CapWindows { get; }

        /// <summary>Whether the rule's validity window and conditions admit an earning at <paramref name="at"/>.</summary>
        public bool Applies(Instant at, Channel channel, string tier, EarningContext? context)
        {
            if (at < _validFrom || at >= _validUntil)
            {
                return false;
            }
            if (_conditions is null)
            {
                return true;
            }
            if (_needsContext)
            {
                return _conditions.Matches(channel, tier, context, at, _zone);
            }
            if (_channelMask != 0 && ((uint)channel >= 64 || (_channelMask & (1UL << (int)channel)) == 0))
            {
                return false;
            }
            if (_tiers.Length == 0)
            {
                return true;
            }
            foreach (var candidate in _tiers)
            {
                if (string.Equals(candidate, tier, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The line's amount if the spend rule counts it, else 0.</summary>
        public decimal SpendEligible(PurchaseLine line)
        {
            if ((line.Kind == PurchaseLineKind.Delivery && !_includeDelivery) || (line.Kind == PurchaseLineKind.Fee && !_includeFees))
            {
                return 0m;
            }
            if (_skus is not null && _skus.Contains(line.Sku.Value))
            {
                return 0m;
            }
            if (_categories is not null && line.Category is not null && _categories.Contains(line.Category))
            {
                return 0m;
            }
            return line.Amount.Amount;
        }

        public bool MultiplierMatches(PurchaseLine? line) =>
            _matchesAll || (line is not null && ((_skus?.Contains(line.Sku.Value) ?? false) || (line.Category is not null && (_categories?.Contains(line.Category) ?? false))));

        // Frozen: rules are evaluated far more often than built, and a frozen set of a few codes compares lengths and
        // characters instead of hashing the line's SKU or category on every look-up.
        private static FrozenSet<string>? Set(IReadOnlyList<string> codes) => codes.Count == 0 ? null : codes.ToFrozenSet(StringComparer.Ordinal);
    }
}
