using BenchmarkDotNet.Attributes;
using Crm.Core.Customers;
using NodaTime;

namespace Crm.Core.Benchmarks;

/// <summary>
/// The customer record's hot paths: contact normalisation (imports normalise millions of phones and emails),
/// consent look-up over a long history (campaign selection asks it per customer) and the deep copy the
/// in-memory store takes on every save and load.
/// </summary>
[MemoryDiagnoser]
public class CustomerBenchmarks
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 1, 1, 0, 0);
    private static readonly string[] PhoneTexts =
        ["+44 20 7946 0958", "020 7946 0958", "0044 20 7946 0958 ext. 12", "07700 900123", "call reception", "12"];

    private string[] _emails = [];
    private Customer _customer = null!;
    private Instant _query;

    /// <summary>Builds the inputs and a customer with 200 consent records and 10 contact points.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _emails = Enumerable.Range(0, 1000).Select(i => $"  Customer.{i}@Example{i % 7}.COM ").ToArray();
        _customer = Customer.Register(new CustomerId("42"), CustomerName.Person("Ann", "Lee"), T0);
        for (var i = 0; i < 200; i++)
        {
            var purpose = i % 2 == 0 ? ConsentPurpose.Marketing : ConsentPurpose.Profiling;
            var channel = i % 3 == 0 ? ContactChannel.Email : ContactChannel.Sms;
            var at = T0 + Duration.FromHours(i);
            _ = i % 5 == 0 ? _customer.WithdrawConsent(purpose, channel, at, "import") : _customer.GrantConsent(purpose, channel, at, "import");
        }
        for (var i = 0; i < 5; i++)
        {
            _customer.AddEmail($"ann{i}@example.com", T0);
            _customer.AddPhone($"020 7946 09{i:00}", "GB", T0);
            _customer.AddTag("tag" + i, T0);
        }
        _query = T0 + Duration.FromHours(150);
    }

    /// <summary>Normalises six phone numbers (national, international, exit code, extension, mobile, invalid) with libphonenumber.</summary>
    [Benchmark(OperationsPerInvoke = 6)]
    public int ParsePhone()
    {
        var valid = 0;
        foreach (var text in PhoneTexts)
        {
            valid += PhoneNumber.Parse(text, "GB").IsValid ? 1 : 0;
        }
        return valid;
    }

    /// <summary>Normalises and validates one email address (averaged over 1000).</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public int NormaliseEmail()
    {
        var length = 0;
        foreach (var text in _emails)
        {
            length += new EmailAddress(text).Value.Length;
        }
        return length;
    }

    /// <summary>"May we send marketing email?" on a customer with 200 consent records.</summary>
    [Benchmark]
    public bool MayContact() => _customer.MayContact(ConsentPurpose.Marketing, ContactChannel.Email, _query);

    /// <summary>The deep copy behind store snapshots, of that customer.</summary>
    [Benchmark]
    public object Snapshot() => _customer.Snapshot();
}
