using Crm.Core.Customers;
using Crm.Core.Segmentation;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Crm.Core.Testing;

/// <summary>
/// A population for "no marketing path returns a customer without consent" properties: customers with random consent
/// histories (grants and withdrawals at random instants, two purposes, three channels, ties and back-filling common),
/// a purchase count each (so a rule selects some of them), include and exclude overrides, and the instants at which a
/// segment is evaluated twice.
/// </summary>
/// <param name="Histories">Per customer (ids <c>c00</c>, <c>c01</c>, ...), the consent operations in recording order.</param>
/// <param name="PurchaseCounts">Per customer, the purchase count of their profile (0 to 2).</param>
/// <param name="Included">Indexes of customers included by hand.</param>
/// <param name="Excluded">Indexes of customers excluded by hand.</param>
/// <param name="Channel">The channel the marketing segment is for.</param>
/// <param name="FirstAt">The first evaluation instant (often on an operation's instant).</param>
/// <param name="SecondAt">The second evaluation instant.</param>
public sealed record ConsentPopulation(IReadOnlyList<IReadOnlyList<ConsentOperation>> Histories, IReadOnlyList<int> PurchaseCounts,
    IReadOnlyList<int> Included, IReadOnlyList<int> Excluded, ContactChannel Channel, Instant FirstAt, Instant SecondAt)
{
    /// <summary>The id of customer <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    public static CustomerId IdOf(int index) => new($"c{index:00}");

    /// <summary>Fresh customer aggregates with the histories applied (a new instance per call: customers are mutable).</summary>
    /// <param name="prefix">Prepended to every id, so runs against a shared database do not collide.</param>
    public IReadOnlyList<Customer> BuildCustomers(string prefix = "")
    {
        var customers = new List<Customer>(Histories.Count);
        for (var i = 0; i < Histories.Count; i++)
        {
            var customer = Customer.Register(new CustomerId(prefix + IdOf(i).Value), CustomerName.Person("Test", "Customer"), ConsentArbitraries.Epoch - Duration.FromDays(1));
            foreach (var op in Histories[i])
            {
                ConsentArbitraries.Apply(customer, op);
            }
            customer.ClearDomainEvents();
            customers.Add(customer);
        }
        return customers;
    }

    /// <summary>
    /// Profiles projected from <paramref name="customers"/> at <paramref name="projectedAt"/> (deliberately not the
    /// evaluation instant: consent periods must make any evaluation instant right), with <see cref="PurchaseCounts"/>.
    /// </summary>
    public IReadOnlyList<CustomerProfile> Profiles(IReadOnlyList<Customer> customers, Instant projectedAt) =>
        customers.Select((c, i) =>
        {
            var profile = new CustomerProfile(c.Id).Project(c, projectedAt, DateTimeZone.Utc);
            profile.PurchaseCount = PurchaseCounts[i];
            return profile;
        }).ToList();

    /// <summary>Counts only: the histories are in the shrunk value FsCheck prints anyway.</summary>
    public override string ToString() =>
        $"{Histories.Count} customers, {Histories.Sum(h => h.Count)} consent operations, channel {Channel}, at {FirstAt} then {SecondAt}; "
        + string.Join(" | ", Histories.Select((h, i) => $"c{i:00} n={PurchaseCounts[i]}: " + string.Join(",", h.Select(o => $"{(o.Status == ConsentStatus.Granted ? "+" : "-")}{o.Purpose}/{o.Channel}@{(o.At - ConsentArbitraries.Epoch).TotalMinutes}"))))
        + $"; in [{string.Join(",", Included)}] out [{string.Join(",", Excluded)}]";
}

/// <summary>FsCheck arbitraries for consent enforcement: consent histories and <see cref="ConsentPopulation"/>s.</summary>
public static class ConsentArbitraries
{
    /// <summary>The instant around which consent operations and evaluation instants are generated (minutes 0 to 20 after it).</summary>
    public static readonly Instant Epoch = Instant.FromUtc(2024, 1, 1, 0, 0);

    /// <summary>The purposes histories use: marketing and research.</summary>
    public static IReadOnlyList<ConsentPurpose> Purposes { get; } = [ConsentPurpose.Marketing, ConsentPurpose.Research];

    /// <summary>The channels histories use: email, SMS and push.</summary>
    public static IReadOnlyList<ContactChannel> Channels { get; } = [ContactChannel.Email, ContactChannel.Sms, ContactChannel.Push];

    /// <summary>One grant or withdrawal at minute 0 to 20 after <see cref="Epoch"/>.</summary>
    public static Gen<ConsentOperation> Operation() =>
        from purpose in Gen.Elements(Purposes.ToArray())
        from channel in Gen.Elements(Channels.ToArray())
        from granted in Gen.Frequency((3, Gen.Constant(true)), (2, Gen.Constant(false)))
        from minute in Gen.Choose(0, 20)
        select new ConsentOperation(purpose, channel, granted ? ConsentStatus.Granted : ConsentStatus.Withdrawn, Epoch + Duration.FromMinutes(minute), "test");

    /// <summary>A history of 0 to 12 operations in recording order (not time order: back-filling is common).</summary>
    public static Gen<ConsentOperation[]> History() => Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Operation(), n));

    /// <summary>An evaluation instant from a minute before the first possible operation to a minute after the last, often on one.</summary>
    public static Gen<Instant> EvaluationInstant() => Gen.Choose(-1, 21).Select(m => Epoch + Duration.FromMinutes(m));

    /// <summary>Populations of 0 to 12 customers.</summary>
    public static Arbitrary<ConsentPopulation> Population() =>
        (from n in Gen.Choose(0, 12)
         from histories in Gen.ArrayOf(History(), n)
         from counts in Gen.ArrayOf(Gen.Choose(0, 2), n)
         from included in Gen.Choose(0, 3).SelectMany(k => Gen.ArrayOf(Gen.Choose(0, 11), k))
         from excluded in Gen.Choose(0, 2).SelectMany(k => Gen.ArrayOf(Gen.Choose(0, 11), k))
         from channel in Gen.Elements(ContactChannel.Email, ContactChannel.Sms)
         from first in EvaluationInstant()
         from second in EvaluationInstant()
         select new ConsentPopulation(histories.Select(h => (IReadOnlyList<ConsentOperation>)h).ToList(), counts,
             included.Where(i => i < n).Distinct().Order().ToList(), excluded.Where(i => i < n).Distinct().Order().ToList(), channel, first, second))
        .ToArbitrary();

    /// <summary>Applies one operation to a customer.</summary>
    /// <param name="customer">The customer.</param>
    /// <param name="operation">The grant or withdrawal.</param>
    public static void Apply(Customer customer, ConsentOperation operation)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(operation);
        _ = operation.Status == ConsentStatus.Granted
            ? customer.GrantConsent(operation.Purpose, operation.Channel, operation.At, operation.Source)
            : customer.WithdrawConsent(operation.Purpose, operation.Channel, operation.At, operation.Source);
    }
}
