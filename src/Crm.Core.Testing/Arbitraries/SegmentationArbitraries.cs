using System.Reflection;
using Crm.Core.Customers;
using Crm.Core.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing;

/// <summary>A small population of customer profiles with distinct ids (c00, c01, ...).</summary>
/// <param name="Profiles">The profiles.</param>
public sealed record ProfileSet(IReadOnlyList<CustomerProfile> Profiles)
{
    /// <summary>The count only: profiles may hold personal data.</summary>
    public override string ToString() => $"{Profiles.Count} profiles";
}

/// <summary>A random, valid rule tree over the default field registry, shown as its JSON.</summary>
/// <param name="Rule">The rule.</param>
public sealed record RandomRule(RuleNode Rule)
{
    /// <summary>The rule's JSON, so a failing case can be replayed.</summary>
    public override string ToString() => SegmentDefinitionJson.Serialize(Rule);
}

/// <summary>An evaluation date, biased towards month ends, leap days and year ends.</summary>
/// <param name="Date">The date.</param>
public sealed record EvaluationDate(LocalDate Date)
{
    /// <summary>ISO text.</summary>
    public override string ToString() => NodaTime.Text.LocalDatePattern.Iso.Format(Date);
}

/// <summary>
/// FsCheck arbitraries for segmentation: profiles filled through every <see cref="ProfileFieldAttribute"/> property
/// (so fields other capabilities add are covered automatically), random valid rule trees drawing operands from the
/// same small value pools (so conditions actually match some profiles), and tricky evaluation dates.
/// Register with <c>[Property(Arbitrary = new[] { typeof(SegmentationArbitraries) })]</c>.
/// </summary>
public static class SegmentationArbitraries
{
    /// <summary>The date around which generated dates cluster.</summary>
    public static readonly LocalDate Anchor = new(2024, 2, 29);

    private static readonly string[] Texts = ["", "Berlin", "berlin", "BERLIN-Mitte", "Zürich", "ZÜRICH", "ab", "AB", "b", "Straße", "a\u0001b", "Champions"];
    private static readonly string[] SetElements = ["vip", "newsletter", "staff", "b2b", "Vip"];
    private static readonly decimal[] Numbers = [-1m, 0m, 1m, 2m, 3m, 5m, 9.99m, 10m, 10.5m, 100m];
    private static readonly string[] Skus = ["SKU-1", "SKU-2"];
    private static readonly string[] Categories = ["shoes", "bags"];
    private static readonly Channel[] Channels = [Channel.Web, Channel.Branch, Channel.Phone];
    private static readonly string[] ConsentKeys =
        [CustomerProfile.ConsentKey("marketing", Channel.Email), CustomerProfile.ConsentKey("marketing", Channel.Phone), CustomerProfile.ConsentKey("profiling", Channel.Web)];

    private static readonly PropertyInfo[] FieldProperties = typeof(CustomerProfile).GetProperties()
        .Where(p => p.GetCustomAttribute<ProfileFieldAttribute>() is not null && p.CanWrite)
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The instant around which generated consent periods start and end (hours before and after, often exactly on it).</summary>
    public static readonly Instant ConsentAnchor = Instant.FromUtc(2024, 3, 1, 12, 0);

    private static readonly (string Purpose, string Channel)[] ConsentPeriodKeys = [("marketing", "email"), ("marketing", "sms"), ("research", "email")];

    /// <summary>Evaluation instants within two days of <see cref="ConsentAnchor"/>, on whole hours so that they often hit a period's bounds.</summary>
    public static Gen<Instant> ConsentInstant() => Gen.Choose(-50, 50).Select(h => ConsentAnchor + Duration.FromHours(h));

        /// <summary>Populations of 0–40 profiles.</summary>
    public static Arbitrary<ProfileSet> ProfileSet() =>
        Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Profile(), n)).Select(profiles =>
        {
            for (var i = 0; i < profiles.Length; i++)
            {
                profiles[i].CustomerId = new CustomerId($"c{i:00}");
            }
            return new ProfileSet(profiles);
        }).ToArbitrary();

    /// <summary>Random valid rules, up to three levels deep.</summary>
    public static Arbitrary<RandomRule> RandomRule() => Rule(3).Select(r => new RandomRule(r)).ToArbitrary();

    /// <summary>Evaluation dates around <see cref="Anchor"/>, often on month/year ends and leap days.</summary>
    public static Arbitrary<EvaluationDate> EvaluationDate() =>
        Gen.OneOf(
            Gen.Choose(-800, 800).Select(d => Anchor.PlusDays(d)),
            Gen.Elements(new LocalDate(2024, 2, 29), new LocalDate(2024, 2, 28), new LocalDate(2023, 2, 28), new LocalDate(2023, 3, 1),
                new LocalDate(2024, 3, 1), new LocalDate(2024, 12, 31), new LocalDate(2025, 1, 1), new LocalDate(2024, 1, 31), new LocalDate(2024, 4, 30)))
        .Select(d => new EvaluationDate(d)).ToArbitrary();

    /// <summary>One profile with every registered field randomly filled (null often, for nullable fields).</summary>
    public static Gen<CustomerProfile> Profile() =>
        Gen.Fresh(() => 0).SelectMany(_ => Gen.ArrayOf(Gen.Choose(0, int.MaxValue), FieldProperties.Length + 8)).Select(seeds =>
        {
            var random = new Random(seeds[0]);
            var profile = new CustomerProfile(new CustomerId("c"));
            for (var i = 0; i < FieldProperties.Length; i++)
            {
                var property = FieldProperties[i];
                property.SetValue(profile, RandomValue(property.PropertyType, new Random(seeds[i + 8])));
            }
            profile.PurchaseCount = random.Next(0, 6);
            profile.BirthDate = random.Next(4) == 0 ? null : RandomDate(random);
            profile.RegisteredOn = random.Next(4) == 0 ? null : RandomDate(random);
            profile.Attributes = Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomAttribute(random)).ToList();
            profile.PurchaseStats = Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomStat(random, profile.PurchaseCount)).ToList();
            profile.PurchaseDays = profile.PurchaseStats.SelectMany(s => DaysOf(s, random)).ToList();
            profile.Holdings = Enumerable.Range(0, random.Next(0, 3)).Select(_ => new ProfileHolding
            {
                ProductId = random.Next(2) == 0 ? "P1" : "P2",
                Category = Categories[random.Next(Categories.Length)],
                IsActive = random.Next(3) > 0,
            }).ToList();
            profile.Consents = ConsentKeys.Where(_ => random.Next(2) == 0).ToList();
            profile.ConsentPeriods = ConsentPeriodKeys.SelectMany(key => RandomPeriods(key.Purpose, key.Channel, random)).ToList();
            return profile;
        });

    // 0-2 disjoint periods for one consent, bounds on whole hours around the anchor; the last may still be open.
    private static IEnumerable<ProfileConsent> RandomPeriods(string purpose, string channel, Random random)
    {
        var bounds = Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(-48, 49)).Distinct().Order().ToList();
        for (var i = 0; i < bounds.Count; i += 2)
        {
            yield return new ProfileConsent
            {
                Purpose = purpose,
                Channel = channel,
                From = ConsentAnchor + Duration.FromHours(bounds[i]),
                Until = i + 1 < bounds.Count ? ConsentAnchor + Duration.FromHours(bounds[i + 1]) : null,
            };
        }
    }

    private static object? RandomValue(Type type, Random random)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if ((underlying is not null || !type.IsValueType) && type != typeof(List<string>) && random.Next(5) == 0)
        {
            return null;
        }
        var t = underlying ?? type;
        if (t == typeof(string))
        {
            return Texts[random.Next(Texts.Length)];
        }
        if (t == typeof(List<string>))
        {
            return SetElements.Where(_ => random.Next(3) == 0).ToList();
        }
        if (t == typeof(bool))
        {
            return random.Next(2) == 0;
        }
        if (t == typeof(int))
        {
            return random.Next(-1, 7);
        }
        if (t == typeof(long))
        {
            return (long)random.Next(-1, 7);
        }
        if (t == typeof(decimal))
        {
            return Numbers[random.Next(Numbers.Length)];
        }
        if (t == typeof(LocalDate))
        {
            return RandomDate(random);
        }
        if (t.IsEnum)
        {
            var values = Enum.GetValues(t);
            return values.GetValue(random.Next(values.Length));
        }
        return type.IsValueType ? Activator.CreateInstance(type) : null;
    }

    private static LocalDate RandomDate(Random random) => random.Next(6) switch
    {
        0 => random.Next(2000, 2026) is var year && CalendarSystem.Iso.IsLeapYear(year) && random.Next(2) == 0 ? new LocalDate(year, 2, 29) : new LocalDate(year, random.Next(2) == 0 ? 2 : 3, random.Next(2) == 0 ? 28 : 1),
        1 => new LocalDate(1996, 2, 29),
        _ => Anchor.PlusDays(random.Next(-400, 400)),
    };

    private static ProfileAttribute RandomAttribute(Random random) => random.Next(4) switch
    {
        0 => ProfileAttribute.OfText("colour", Texts[random.Next(Texts.Length)]),
        1 => ProfileAttribute.OfNumber("shoeSize", Numbers[random.Next(Numbers.Length)]),
        2 => ProfileAttribute.OfFlag("member", random.Next(2) == 0),
        _ => ProfileAttribute.OfDate("since", RandomDate(random)),
    };

    private static ProfilePurchaseStat RandomStat(Random random, int purchases)
    {
        var dimension = (PurchaseDimension)random.Next(3);
        var last = Anchor.PlusDays(random.Next(-400, 400));
        return new ProfilePurchaseStat
        {
            Dimension = dimension,
            Key = dimension switch
            {
                PurchaseDimension.Sku => Skus[random.Next(Skus.Length)],
                PurchaseDimension.Category => Categories[random.Next(Categories.Length)],
                _ => Channels[random.Next(Channels.Length)].ToString(),
            },
            Count = random.Next(0, purchases + 1),
            Total = Numbers[random.Next(Numbers.Length)],
            FirstDate = last.PlusDays(-random.Next(0, 100)),
            LastDate = last,
        };
    }

    /// <summary>
    /// Purchase days consistent with a statistic: its first and last dates plus a few days in between, with gaps,
    /// so closed periods between the first and the last date sometimes contain a purchase and sometimes not.
    /// </summary>
    private static IEnumerable<ProfilePurchaseDay> DaysOf(ProfilePurchaseStat stat, Random random)
    {
        var span = Period.Between(stat.FirstDate, stat.LastDate, PeriodUnits.Days).Days;
        var days = new SortedSet<LocalDate> { stat.FirstDate, stat.LastDate };
        for (var i = random.Next(0, 3); i > 0 && span > 1; i--)
        {
            days.Add(stat.FirstDate.PlusDays(random.Next(1, span)));
        }
        return days.Select(d => new ProfilePurchaseDay { Dimension = stat.Dimension, Key = stat.Key, Date = d });
    }

    /// <summary>Random valid rule trees of at most <paramref name="depth"/> group levels.</summary>
    public static Gen<RuleNode> Rule(int depth) =>
        depth <= 0
            ? Leaf()
            : Gen.Frequency(
                (4, Leaf()),
                (2, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Rule(depth - 1), n)).Select(c => (RuleNode)new AllOf(c))),
                (2, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Rule(depth - 1), n)).Select(c => (RuleNode)new AnyOf(c))),
                (1, Rule(depth - 1).Select(c => (RuleNode)new NotOf(c))));

    private static Gen<RuleNode> Leaf() =>
        Gen.Choose(0, int.MaxValue).Select(seed => RandomLeaf(new Random(seed)));

    private static RuleNode RandomLeaf(Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                var type = (AttributeType)random.Next(4);
                var (name, fieldType) = type switch
                {
                    AttributeType.Text => ("colour", ProfileFieldType.Text),
                    AttributeType.Number => ("shoeSize", ProfileFieldType.Number),
                    AttributeType.Boolean => ("member", ProfileFieldType.Boolean),
                    _ => ("since", ProfileFieldType.Date),
                };
                var (op, values, ignoreCase) = RandomComparison(fieldType, null, typeof(object), random);
                return new AttributeCondition(name, type, op, values, ignoreCase);
            case 1:
                var dimension = (PurchaseDimension)random.Next(3);
                var key = dimension switch
                {
                    PurchaseDimension.Sku => Skus[random.Next(Skus.Length)],
                    PurchaseDimension.Category => Categories[random.Next(Categories.Length)],
                    _ => Channels[random.Next(Channels.Length)].ToString(),
                };
                // Open, since-only, until-only and closed periods; closed ones often short, so gaps matter.
                return random.Next(4) switch
                {
                    0 => new PurchasedCondition(dimension, key),
                    1 => new PurchasedCondition(dimension, key, RandomDateOperand(random)),
                    2 => new PurchasedCondition(dimension, key, Until: RandomDateOperand(random)),
                    _ => random.Next(2) == 0
                        ? new PurchasedCondition(dimension, key, RandomDateOperand(random), RandomDateOperand(random))
                        : ClosedWindow(dimension, key, random.Next(0, 400), random.Next(0, 30)),
                };
            case 2:
                return new ChannelShareCondition(Channels[random.Next(Channels.Length)], (RuleOperator)random.Next(2, 6), random.Next(0, 11) * 10);
            case 3:
                return random.Next(3) switch
                {
                    0 => new HoldsCondition("P1", null),
                    1 => new HoldsCondition(null, Categories[random.Next(Categories.Length)]),
                    _ => new HoldsCondition("P2", Categories[random.Next(Categories.Length)]),
                };
            case 4:
                return new ConsentCondition(random.Next(2) == 0 ? "marketing" : "Marketing", random.Next(2) == 0 ? Channel.Email : Channel.Phone);
            case 5:
                return new AnniversaryCondition((AnniversaryKind)random.Next(2), random.Next(4) == 0 ? random.Next(0, 366) : random.Next(0, 40));
            default:
                var fields = ProfileFieldRegistry.Default.Fields.ToArray();
                var field = fields[random.Next(fields.Length)];
                if (field.Type == ProfileFieldType.TextSet)
                {
                    var setOps = new[] { RuleOperator.Contains, RuleOperator.NotContains, RuleOperator.In, RuleOperator.NotIn, RuleOperator.All, RuleOperator.IsEmpty, RuleOperator.IsNotEmpty };
                    var setOp = setOps[random.Next(setOps.Length)];
                    var count = setOp switch
                    {
                        RuleOperator.IsEmpty or RuleOperator.IsNotEmpty => 0,
                        RuleOperator.Contains or RuleOperator.NotContains => 1,
                        _ => random.Next(1, 3),
                    };
                    var pool = field.Name == "consents" ? ConsentKeys : SetElements;
                    return new FieldCondition(field.Name, setOp, Enumerable.Range(0, count).Select(_ => RuleValue.Of(pool[random.Next(pool.Length)])).ToArray());
                }
                var (fop, fvalues, fIgnoreCase) = RandomComparison(field.Type, field.EnumType, Nullable.GetUnderlyingType(field.ValueType) ?? field.ValueType, random);
                return new FieldCondition(field.Name, fop, fvalues, fIgnoreCase);
        }
    }

    private static PurchasedCondition ClosedWindow(PurchaseDimension dimension, string key, int endDaysAgo, int length) =>
        new(dimension, key, RuleValue.DaysAgo(endDaysAgo + length), RuleValue.DaysAgo(endDaysAgo));

    private static (RuleOperator Op, RuleValue[] Values, bool IgnoreCase) RandomComparison(ProfileFieldType type, Type? enumType, Type clrType, Random random)
    {
        RuleOperator[] ops = type switch
        {
            ProfileFieldType.Text => [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.In, RuleOperator.NotIn, RuleOperator.Contains, RuleOperator.NotContains, RuleOperator.StartsWith, RuleOperator.EndsWith, RuleOperator.IsEmpty, RuleOperator.IsNotEmpty],
            ProfileFieldType.Number => [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.Gt, RuleOperator.Gte, RuleOperator.Lt, RuleOperator.Lte, RuleOperator.Between, RuleOperator.In, RuleOperator.NotIn, RuleOperator.IsEmpty, RuleOperator.IsNotEmpty],
            ProfileFieldType.Boolean => [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.IsEmpty, RuleOperator.IsNotEmpty],
            ProfileFieldType.Date => [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.Gt, RuleOperator.Gte, RuleOperator.Lt, RuleOperator.Lte, RuleOperator.Between, RuleOperator.InPeriod, RuleOperator.IsEmpty, RuleOperator.IsNotEmpty],
            _ => [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.Gt, RuleOperator.Gte, RuleOperator.Lt, RuleOperator.Lte, RuleOperator.In, RuleOperator.NotIn, RuleOperator.IsEmpty, RuleOperator.IsNotEmpty],
        };
        var op = ops[random.Next(ops.Length)];
        var count = op switch
        {
            RuleOperator.IsEmpty or RuleOperator.IsNotEmpty => 0,
            RuleOperator.Between => 2,
            RuleOperator.In or RuleOperator.NotIn => random.Next(1, 4),
            _ => 1,
        };
        var values = new RuleValue[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = op == RuleOperator.InPeriod
                ? RuleValue.Period((CalendarUnit)random.Next(1, 4), random.Next(-2, 3))
                : type switch
                {
                    ProfileFieldType.Text => RuleValue.Of(Texts.Where(t => !t.Any(char.IsControl)).ElementAt(random.Next(Texts.Length - 1))),
                    // Whole numbers for integer fields; any pool number for decimals.
                    ProfileFieldType.Number => RuleValue.Of(clrType == typeof(decimal) ? Numbers[random.Next(Numbers.Length)] : random.Next(-1, 7)),
                    ProfileFieldType.Boolean => RuleValue.Of(random.Next(2) == 0),
                    ProfileFieldType.Date => RandomDateOperand(random),
                    _ => RuleValue.Of(Enum.GetNames(enumType!)[random.Next(Enum.GetNames(enumType!).Length)]),
                };
        }
        return (op, values, type == ProfileFieldType.Text && random.Next(2) == 0);
    }

    private static RuleValue RandomDateOperand(Random random) => random.Next(6) switch
    {
        0 => RuleValue.Today,
        1 => RuleValue.DaysAgo(random.Next(0, 400)),
        2 => RuleValue.DaysFromNow(random.Next(0, 60)),
        3 => random.Next(2) == 0 ? RuleValue.StartOf((CalendarUnit)random.Next(1, 4), random.Next(-2, 3)) : RuleValue.EndOf((CalendarUnit)random.Next(1, 4), random.Next(-2, 3)),
        4 => RuleValue.Of(NodaTime.Text.LocalDatePattern.Iso.Format(Anchor.PlusDays(random.Next(-400, 400)))),
        _ => RuleValue.Of(Anchor.PlusDays(random.Next(-400, 400))),
    };
}
