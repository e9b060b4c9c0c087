using Crm.Core.Purchases;
using NodaTime;

namespace Crm.Core.Loyalty;

/// <summary>
/// Evaluates a programme's rules against a purchase or an event. Stateless and thread-safe: the only scratch space
/// is per thread, so the hot path allocates nothing but the contribution array the earn entry keeps.
/// </summary>
internal sealed class EarningEngine
{
    private readonly LoyaltyProgramme _programme;
    private readonly CompiledRule[] _rules;

    [ThreadStatic]
    private static decimal[]? t_base;

    [ThreadStatic]
    private static EarnContribution[]? t_contributions;

    public EarningEngine(LoyaltyProgramme programme)
    {
        _programme = programme;
        _rules = programme.Rules.Rules.Select(r => new CompiledRule(r)).ToArray();
    }

    public EarnContribution[] EvaluatePurchase(Purchase purchase, string tier, EarningContext? context, bool firstPurchase, LedgerState state, out long total)
    {
        var lines = purchase.Lines;
        var lineCount = Math.Max(1, lines.Count);
        var baseByLine = t_base is { } b && b.Length >= lineCount ? b : (t_base = new decimal[Math.Max(lineCount, 16)]);
        Array.Clear(baseByLine, 0, lineCount);
        var contributions = Scratch();
        var count = 0;
        var baseTotal = 0m;
        total = 0;
        var at = purchase.OccurredAt;
        foreach (var compiled in _rules)
        {
            var rule = compiled.Rule;
            if (!rule.IsActiveAt(at) || (rule.Conditions is { } conditions && !conditions.Matches(purchase.Channel, tier, context, at, _programme.Zone)))
            {
                continue;
            }
            decimal raw;
            decimal basis;
            decimal factor;
            EarningRuleKind kind;
            switch (rule)
            {
                case SpendRule spend:
                {
                    if (purchase.Total.Amount < spend.MinimumOrderValue)
                    {
                        continue;
                    }
                    var eligible = 0m;
                    for (var i = 0; i < lineCount; i++)
                    {
                        var amount = lines.Count == 0 ? purchase.Total.Amount : compiled.SpendEligible(lines[i]);
                        eligible += amount;
                        baseByLine[i] += amount * spend.PointsPerUnit;
                    }
                    raw = eligible * spend.PointsPerUnit;
                    baseTotal += raw;
                    (basis, factor, kind) = (eligible, spend.PointsPerUnit, EarningRuleKind.Spend);
                    break;
                }
                case MultiplierRule multiplier:
                {
                    var matched = 0m;
                    for (var i = 0; i < lineCount; i++)
                    {
                        if (compiled.MultiplierMatches(lines.Count == 0 ? null : lines[i]))
                        {
                            matched += baseByLine[i];
                        }
                    }
                    raw = matched * (multiplier.Multiplier - 1m);
                    (basis, factor, kind) = (matched, multiplier.Multiplier, EarningRuleKind.Multiplier);
                    break;
                }
                case TierBonusRule bonus:
                    if (!string.Equals(bonus.Tier, tier, StringComparison.Ordinal))
                    {
                        continue;
                    }
                    raw = baseTotal * (bonus.Multiplier - 1m);
                    (basis, factor, kind) = (baseTotal, bonus.Multiplier, EarningRuleKind.TierBonus);
                    break;
                case EventRule { EventType: LoyaltyEventType.FirstPurchase } first when firstPurchase:
                    raw = first.Points;
                    (basis, factor, kind) = (0m, first.Points, EarningRuleKind.Event);
                    break;
                default:
                    continue;
            }
            if (Award(rule, raw, basis, factor, kind, at, state, contributions, ref count, ref total))
            {
                break;
            }
        }
        return count == 0 ? [] : contributions.AsSpan(0, count).ToArray();
    }

    public EarnContribution[] EvaluateEvent(LoyaltyEvent loyaltyEvent, string tier, EarningContext? context, LedgerState state, out long total)
    {
        var contributions = Scratch();
        var count = 0;
        total = 0;
        foreach (var compiled in _rules)
        {
            if (compiled.Rule is not EventRule rule || rule.EventType != loyaltyEvent.Type || !rule.IsActiveAt(loyaltyEvent.OccurredAt)
                || (rule.Conditions is { } conditions && !conditions.Matches(loyaltyEvent.Channel, tier, context, loyaltyEvent.OccurredAt, _programme.Zone)))
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
            if (Award(rule, rule.Points, 0m, rule.Points, EarningRuleKind.Event, loyaltyEvent.OccurredAt, state, contributions, ref count, ref total))
            {
                break;
            }
        }
        return count == 0 ? [] : contributions.AsSpan(0, count).ToArray();
    }

    /// <summary>Per-thread contribution buffer; every rule contributes at most once, so one slot per rule suffices.</summary>
    private EarnContribution[] Scratch() =>
        t_contributions is { } buffer && buffer.Length >= _rules.Length ? buffer : (t_contributions = new EarnContribution[Math.Max(_rules.Length, 16)]);

    /// <summary>Rounds, applies the cap and records a contribution; returns whether later rules must be skipped.</summary>
    private bool Award(EarningRule rule, decimal raw, decimal basis, decimal factor, EarningRuleKind kind, Instant at, LedgerState state,
        EarnContribution[] contributions, ref int count, ref long total)
    {
        var points = raw <= 0m ? 0 : _programme.ToPoints(raw);
        if (points <= 0)
        {
            return false;
        }
        long? window = null;
        var capped = false;
        if (rule.Cap is { } cap)
        {
            var key = cap.PeriodKey(at, _programme.Zone);
            window = key;
            var room = Math.Max(0, cap.MaxPoints - state.CapUsed(rule.Id, key));
            if (points > room)
            {
                points = room;
                capped = true;
            }
        }
        if (points <= 0)
        {
            return false;
        }
        contributions[count++] = new EarnContribution(rule.Id, kind, points, basis, factor, window, capped);
        total = checked(total + points);
        return rule.StopFurtherRules;
    }

    private sealed class CompiledRule
    {
        private readonly HashSet<string>? _skus;
        private readonly HashSet<string>? _categories;
        private readonly bool _includeDelivery;
        private readonly bool _includeFees;
        private readonly bool _matchesAll;

        public CompiledRule(EarningRule rule)
        {
            Rule = rule;
            switch (rule)
            {
                case SpendRule spend:
                    _skus = Set(spend.ExcludedSkus);
                    _categories = Set(spend.ExcludedCategories);
                    _includeDelivery = spend.IncludeDelivery;
                    _includeFees = spend.IncludeFees;
                    break;
                case MultiplierRule multiplier:
                    _skus = Set(multiplier.Skus);
                    _categories = Set(multiplier.Categories);
                    _matchesAll = _skus is null && _categories is null;
                    break;
            }
        }

        public EarningRule Rule { get; }

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

        private static HashSet<string>? Set(IReadOnlyList<string> codes) => codes.Count == 0 ? null : new HashSet<string>(codes, StringComparer.Ordinal);
    }
}
