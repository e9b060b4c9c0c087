using Crm.Core.Customers;
using Crm.Core.Duplicates;
using Crm.Core.Loyalty;
using Crm.Core.Privacy;
using Crm.Core.Storage;
using Crm.Core.Testing.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Crm.Core.Tests.Privacy;

/// <summary>
/// Personal data never appears in <c>ToString()</c> of a Crm.Core object or in an exception: swept with random personal
/// values through every object the stores hold, every domain event raised, the results of registration, duplicate
/// detection, merge, export and erasure, and the exceptions that inputs carrying personal data provoke.
/// </summary>
public partial class PersonalDataLeakTest
{
    [Property(MaxTest = 20)]
    public Property No_ToString_of_a_Crm_Core_object_shows_personal_data() =>
        Prop.ForAll(PersonalDataScenario.Gen(0).ToArbitrary(), scenario =>
        {
            using var host = new PrivacyTestHost();
            var duplicate = DuplicateOf(scenario);
            var needles = NeedlesOf(scenario, duplicate);
            host.SaveAsync(scenario, duplicate).GetAwaiter().GetResult();
            var results = Exercise(host, scenario).GetAwaiter().GetResult();
            var roots = new object[] { host.Services.GetRequiredService<Crm.Core.Storage.InMemoryStore>(), host.Events.Events.ToList(), results };
            var leaks = ReachableText.CrmObjectsOf(roots)
                .Select(o => (Type: o.GetType().Name, Text: o.ToString() ?? string.Empty))
                .Where(o => needles.Any(n => o.Text.Contains(n, StringComparison.OrdinalIgnoreCase)))
                .Select(o => o.Type + ": " + o.Text)
                .Distinct()
                .ToList();
            return (leaks.Count == 0).Label("ToString shows personal data: " + string.Join(" | ", leaks));
        });

    [Property(MaxTest = 20)]
    public Property No_exception_shows_the_personal_data_that_provoked_it() =>
        Prop.ForAll(PersonalDataScenario.Gen(0).ToArbitrary(), scenario =>
        {
            var m = scenario.Marker;
            var at = PersonalDataScenario.At;
            var customer = scenario.BuildCustomer();
            var attempts = new (string Name, Action Act)[]
            {
                ("email", () => _ = new EmailAddress("not an email " + m)),
                ("duplicate email", () => customer.AddEmail($"e{m}@d{m}.example", at)),
                ("duplicate phone", () => customer.AddPhone(scenario.PhoneE164, "GB", at)),
                ("phone", () => PhoneNumber.Parse(m + "\u0001", "GB")),
                ("phone region", () => PhoneNumber.Parse(scenario.PhoneE164, m)),
                ("name", () => CustomerName.Person("Gv" + m + "\u0001", null)),
                ("long name", () => CustomerName.Person(new string('x', 200) + m, null)),
                ("organisation", () => CustomerName.Organisation(" ")),
                ("address country", () => _ = new PostalAddress(m + " Street", "L" + m, m)),
                ("address street", () => _ = new PostalAddress(m + "\t\u0002", "L" + m, "GB")),
                ("external id conflict", () => customer.LinkExternalId("billing", "other-" + m, at)),
                ("external id", () => customer.LinkExternalId("billing", " " + m, at)),
                ("source system", () => customer.LinkExternalId("bill\u0001" + m, m, at)),
                ("customer id", () => _ = new CustomerId(m + " ")),
                ("attribute", () => customer.SetAttribute(m + "\u0003", AttributeValue.OfText(m), true, at)),
                ("attribute value", () => AttributeValue.OfText(new string('x', AttributeValue.MaxTextLength) + m)),
                ("attribute kind", () => customer.Attributes["nickname"].Value.AsNumber()),
                ("birth date of organisation", () => Customer.Register(new CustomerId("o"), CustomerName.Organisation("Org " + m), at).SetBirthDate(new LocalDate(1980, 1, 1), at)),
                ("tag", () => customer.AddTag(m + new string('x', 64), at)),
                ("consent source", () => customer.GrantConsent(ConsentPurpose.Marketing, ContactChannel.Email, at, m + "\u0004")),
                ("life event source", () => customer.RecordLifeEvent(LifeEventType.Child, new LocalDate(2024, 1, 1), m + "\u0005", at)),
                ("interaction subject", () => Interaction.Record(new InteractionId("i"), scenario.CustomerId, Channel.Web, InteractionDirection.Inbound, InteractionType.Enquiry, at, m + "\u0006")),
                ("case reference", () => InteractionReference.ToCase(m + " ")),
                ("loyalty reason", () => LoyaltyAccount.Open(new LoyaltyAccountId(PersonalDataScenario.Programme.Id, scenario.CustomerId), PersonalDataScenario.Programme, at)
                    .Adjust(PersonalDataScenario.Programme, -1000, "Fix " + m, "staff", "k", at)),
                ("loyalty key", () => LoyaltyAccount.Open(new LoyaltyAccountId(PersonalDataScenario.Programme.Id, scenario.CustomerId), PersonalDataScenario.Programme, at)
                    .Adjust(PersonalDataScenario.Programme, 1, "why", "staff", m + " ", at)),
                ("erasure reason", () => ErasureRecord.Create(scenario.CustomerId, at, m + "\u0008", "dpo", 0)),
                ("erased id", () => throw new ErasedExternalIdException("billing")),
            };
            var problems = new List<string>();
            foreach (var (name, act) in attempts)
            {
                try
                {
                    act();
                    problems.Add(name + ": did not throw");
                }
                catch (Exception ex) when (ex is ArgumentException or CrmException or FormatException)
                {
                    var text = ex.Message + " " + (ex as ArgumentException)?.ParamName;
                    if (scenario.Needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase)) || text.Contains(m[..6], StringComparison.OrdinalIgnoreCase))
                    {
                        problems.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
            return (problems.Count == 0).Label(string.Join(" | ", problems));
        });

    // The scenario's duplicate: the same name, emails and marker (so duplicate detection and a merge pair them), but its
    // own id, phone number and birth date: personal values of a second person that must not leak either.
    private static PersonalDataScenario DuplicateOf(PersonalDataScenario scenario) =>
        scenario with { CustomerId = new CustomerId(scenario.CustomerId + "-dup"), PhoneSuffix = scenario.PhoneSuffix + 500 };

    // Every personal value of every customer a test stored (the registration in Exercise copies the scenario's own).
    private static List<string> NeedlesOf(params PersonalDataScenario[] customers) => customers.SelectMany(c => c.Needles).Distinct().ToList();

    // Registration with duplicates, a merge preview, an export and an erasure: their results are swept too.
    private static async Task<List<object>> Exercise(PrivacyTestHost host, PersonalDataScenario scenario)
    {
        var results = new List<object>();
        await using var scope = host.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        // Changes whose domain events carry the free text (events travel to outboxes and logs).
        var stored = (await sp.GetRequiredService<IRepository<Customer, CustomerId>>().GetByIdAsync(scenario.CustomerId))!;
        stored.WithdrawConsent(ConsentPurpose.Marketing, ContactChannel.Email, PersonalDataScenario.At, "call-" + scenario.Marker);
        stored.RecordLifeEvent(LifeEventType.Marriage, new LocalDate(2024, 9, 9), "said-" + scenario.Marker, PersonalDataScenario.At);
        await sp.GetRequiredService<IRepository<Customer, CustomerId>>().UpdateAsync(stored);
        await sp.GetRequiredService<IUnitOfWork>().CommitAsync();
        var again = scenario.BuildCustomer();
        var registration = new CustomerRegistration(new CustomerId(scenario.CustomerId + "-reg"), again.Name) { BirthDate = again.BirthDate };
        registration.Emails.Add(again.PrimaryEmail!.Address.Value);
        results.Add(registration);
        results.Add(await sp.GetRequiredService<CustomerRegistrationService>().RegisterAsync(registration));
        results.Add(await sp.GetRequiredService<DuplicateFinder>().FindAsync(again));
        results.Add(await sp.GetRequiredService<CustomerMergeService>().PreviewAsync(scenario.CustomerId, DuplicateOf(scenario).CustomerId));
        results.Add(await sp.GetRequiredService<PrivacyService>().ExportAsync(scenario.CustomerId));
        results.Add(await sp.GetRequiredService<PrivacyService>().EraseAsync(new CustomerId(scenario.CustomerId + "-reg"), "art17", "dpo-1"));
        results.Add(sp.GetRequiredService<PrivacyOptions>());
        return results;
    }
}
