using Crm.Core.Specifications;
using Crm.Core.Storage;
using Crm.Core.Testing.Fakes;
using NodaTime;

namespace Crm.Core.Tests.Storage;

public class InMemoryRepositoryBadInputTest
{
    private static readonly CancellationToken Cancelled = new(canceled: true);
    private readonly InMemoryRepository<Counter, CounterId> _repository = new(new InMemoryUnitOfWork(new InMemoryStore(), NullDomainEventDispatcher.Instance));

    private sealed class Values : Specification<Counter, int>
    {
        public Values() => Query.Select(c => c.Value);
    }

    [Fact]
    public void Constructors_reject_null()
    {
        Assert.Equal("unitOfWork", Assert.Throws<ArgumentNullException>(() => new InMemoryRepository<Counter, CounterId>(null!)).ParamName);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => new InMemoryUnitOfWork(null!, NullDomainEventDispatcher.Instance)).ParamName);
        Assert.Equal("dispatcher", Assert.Throws<ArgumentNullException>(() => new InMemoryUnitOfWork(new InMemoryStore(), null!)).ParamName);
    }

    [Fact]
    public async Task Null_specifications_are_rejected_naming_the_parameter()
    {
        Assert.Equal("specification", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.FirstOrDefaultAsync(null!))).ParamName);
        Assert.Equal("specification", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.ListAsync((Specification<Counter>)null!))).ParamName);
        Assert.Equal("specification", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.ListAsync((Specification<Counter, int>)null!))).ParamName);
        Assert.Equal("specification", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.CountAsync(null!))).ParamName);
        Assert.Equal("specification", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.AnyAsync(null!))).ParamName);
        // Streaming validates on the call, not on the first MoveNext.
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => _repository.StreamAsync((Specification<Counter>)null!)).ParamName);
        Assert.Equal("specification", Assert.Throws<ArgumentNullException>(() => _repository.StreamAsync((Specification<Counter, int>)null!)).ParamName);
    }

    [Fact]
    public async Task Default_id_and_null_aggregates_are_rejected_naming_the_parameter()
    {
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => _repository.GetByIdAsync(default))).ParamName);
        Assert.Equal("aggregate", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.AddAsync(null!))).ParamName);
        Assert.Equal("aggregate", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.UpdateAsync(null!))).ParamName);
        Assert.Equal("aggregate", (await Assert.ThrowsAsync<ArgumentNullException>(() => _repository.RemoveAsync(null!))).ParamName);
    }

    [Fact]
    public async Task Cancelled_tokens_are_honoured_by_every_operation()
    {
        var all = Specification.All<Counter>();
        var counter = new Counter(new CounterId(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.GetByIdAsync(new CounterId(1), Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.FirstOrDefaultAsync(all, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.ListAsync(all, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.ListAsync(new Values(), Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.CountAsync(all, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.AnyAsync(all, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.AddAsync(counter, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.UpdateAsync(counter, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _repository.RemoveAsync(counter, Cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await _repository.AddAsync(counter);
            await new InMemoryUnitOfWork(new InMemoryStore(), NullDomainEventDispatcher.Instance).CommitAsync(Cancelled);
        });
    }

    [Fact]
    public async Task Cancelling_a_stream_stops_it()
    {
        var uow = new InMemoryUnitOfWork(new InMemoryStore(), NullDomainEventDispatcher.Instance);
        var repository = new InMemoryRepository<Counter, CounterId>(uow);
        for (var i = 1; i <= 5; i++)
        {
            await repository.AddAsync(new Counter(new CounterId(i)));
        }
        await uow.CommitAsync();
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in repository.StreamAsync(Specification.All<Counter>(), cts.Token))
            {
                if (++seen == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task Paged_specifications_without_order_are_rejected_by_the_repository()
    {
        var paged = Specification.Create<Counter>(q => q.Take(1));
        await Assert.ThrowsAsync<InvalidSpecificationException>(() => _repository.ListAsync(paged));
        await Assert.ThrowsAsync<InvalidSpecificationException>(() => _repository.FirstOrDefaultAsync(paged));
        Assert.Throws<InvalidSpecificationException>(() => _repository.StreamAsync(paged));
        Assert.Equal(0, await _repository.CountAsync(paged)); // counting ignores paging, so needs no order
    }

    [Fact]
    public async Task Recording_dispatcher_rejects_null_and_records_copies()
    {
        var dispatcher = new RecordingDomainEventDispatcher();
        Assert.Equal("events", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await dispatcher.DispatchAsync(null!))).ParamName);
        var batch = new List<IDomainEvent> { new CounterIncremented(new CounterId(1), 1, TestClocks.DefaultStart) };
        await dispatcher.DispatchAsync(batch);
        batch.Clear();
        Assert.Single(dispatcher.Events);
        Assert.Single(dispatcher.EventsOf<CounterIncremented>());
        dispatcher.Clear();
        Assert.Empty(dispatcher.Batches);
    }

    [Fact]
    public void Test_clocks_start_where_asked_and_reject_a_non_positive_step()
    {
        Assert.Equal(TestClocks.DefaultStart, TestClocks.Create().GetCurrentInstant());
        Assert.Equal(Instant.FromUtc(2025, 3, 1, 12, 0), TestClocks.AtUtc(2025, 3, 1, 12).GetCurrentInstant());
        var ticking = TestClocks.Ticking(TestClocks.DefaultStart, Duration.FromSeconds(1));
        Assert.True(ticking.GetCurrentInstant() < ticking.GetCurrentInstant());
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => TestClocks.Ticking(TestClocks.DefaultStart, Duration.Zero)).ParamName);
    }
}
