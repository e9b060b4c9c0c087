using BenchmarkDotNet.Attributes;
using Crm.Core.Customers;
using Crm.Core.Purchases;
using Crm.Core.Specifications;
using Crm.Core.Storage;
using NodaTime;

namespace Crm.Core.Benchmarks;

/// <summary>
/// The in-memory store over 10,000 purchases of 1,000 customers: lookups by id, a specification query (run through
/// the shared IQueryable evaluator, which compiles the query on every call) against the same query as plain LINQ to
/// Objects, and the cost of a commit.
/// </summary>
[MemoryDiagnoser]
public class InMemoryStoreBenchmarks
{
    private const int Purchases = 10_000;
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    private InMemoryStore _store = null!;
    private InMemoryRepository<Purchase, TransactionId> _repository = null!;
    private InMemoryUnitOfWork _unitOfWork = null!;
    private Purchase[] _all = [];
    private CustomerId _customer;
    private PurchasesOf _reused = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _store = new InMemoryStore();
        _unitOfWork = new InMemoryUnitOfWork(_store, NullDomainEventDispatcher.Instance);
        _repository = new InMemoryRepository<Purchase, TransactionId>(_unitOfWork);
        _all = Enumerable.Range(0, Purchases).Select(i => Purchase.Create(
            new TransactionId("T" + i), new CustomerId("C" + random.Next(1000)), Start + Duration.FromMinutes(i),
            Channel.Web, new Money(random.Next(100, 10_000) / 100m, Currency.EUR))).ToArray();
        foreach (var purchase in _all)
        {
            _repository.AddAsync(purchase).GetAwaiter().GetResult();
        }
        _unitOfWork.CommitAsync().GetAwaiter().GetResult();
        _customer = _all[0].CustomerId;
        _reused = new PurchasesOf(_customer);
    }

    [Benchmark]
    public Task<Purchase?> GetById() => _repository.GetByIdAsync(_all[4242].Id);

    [Benchmark]
    public Task<IReadOnlyList<Purchase>> ListBySpecification() => _repository.ListAsync(new PurchasesOf(_customer));

    /// <summary>The same query with a specification instance reused across calls: its compiled delegates are cached.</summary>
    [Benchmark]
    public Task<IReadOnlyList<Purchase>> ListByReusedSpecification() => _repository.ListAsync(_reused);

    /// <summary>What the store would cost if it ran the specification over AsQueryable() (EnumerableQuery compiles per call).</summary>
    [Benchmark]
    public List<Purchase> SameQueryOverAsQueryable() =>
        SpecificationEvaluator.GetQuery(_store.All<Purchase, TransactionId>().AsQueryable(), new PurchasesOf(_customer)).ToList();

    [Benchmark]
    public Task<long> CountBySpecification() => _repository.CountAsync(new PurchasesOf(_customer));

    /// <summary>The floor: the same filter and order as compiled LINQ to Objects over an array, without copies.</summary>
    [Benchmark(Baseline = true)]
    public List<Purchase> PlainLinqOverArray() =>
        _all.Where(p => p.CustomerId == _customer).OrderByDescending(p => p.OccurredAt).ThenBy(p => p.Id.Value).ToList();

    [Benchmark]
    public async Task<int> CommitAddThenRemove()
    {
        var purchase = Purchase.Create(new TransactionId("N" + _next++), _customer, Start, Channel.Web, new Money(1m, Currency.EUR));
        await _repository.AddAsync(purchase);
        await _unitOfWork.CommitAsync();
        await _repository.RemoveAsync(purchase);
        return await _unitOfWork.CommitAsync();
    }

    private sealed class PurchasesOf : Specification<Purchase>
    {
        public PurchasesOf(CustomerId customerId) =>
            Query.Where(p => p.CustomerId == customerId).OrderByDescending(p => p.OccurredAt).ThenBy(p => p.Id.Value);
    }
}
