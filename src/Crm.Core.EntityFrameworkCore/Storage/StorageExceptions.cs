using System.Linq.Expressions;
using Crm.Core.Specifications;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Storage;

/// <summary>
/// Thrown when the database provider cannot translate a condition or order of a specification to SQL. The adapter
/// never falls back to loading rows and filtering them in memory, which would silently read a whole table.
/// </summary>
/// <remarks>
/// The message names the specification and the first condition that fails (its expression text, never parameter
/// values). Rewrite the condition over stored members: ids, numbers, instants, dates, money amounts and currencies,
/// text columns; not over methods of your own or over collections stored as JSON documents.
/// </remarks>
public sealed class UntranslatableSpecificationException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="specificationName">The specification's type name.</param>
    /// <param name="condition">The condition that cannot be translated, as expression text.</param>
    /// <param name="innerException">The provider's exception.</param>
    public UntranslatableSpecificationException(string specificationName, string condition, Exception? innerException)
        : base($"Specification '{specificationName}' cannot run in the database: the condition `{condition}` cannot be translated to SQL. "
            + "Express it over stored members (ids, numbers, instants, dates, amounts, text columns) or filter the results yourself after a narrower query.", innerException)
    {
        SpecificationName = specificationName;
        Condition = condition;
    }

    /// <summary>The specification's type name.</summary>
    public string SpecificationName { get; }

    /// <summary>The condition (or order key) that cannot be translated, as expression text.</summary>
    public string Condition { get; }

    internal static bool IsTranslationFailure(InvalidOperationException ex) =>
        ex.Message.Contains("could not be translated", StringComparison.Ordinal);

    /// <summary>Finds the first filter or order key of <paramref name="specification"/> that fails on its own.</summary>
    internal static UntranslatableSpecificationException For<T>(IQueryable<T> source, Specification<T> specification, InvalidOperationException ex, DbContext context)
        where T : class
    {
        foreach (var where in specification.WhereExpressions)
        {
            if (!Translates(source.Where(where), context))
            {
                return new UntranslatableSpecificationException(specification.ToString(), where.ToString(), ex);
            }
        }
        foreach (var order in specification.OrderExpressions)
        {
            if (!Translates(order.ApplyFirst(source), context))
            {
                return new UntranslatableSpecificationException(specification.ToString(), order.KeySelector.ToString(), ex);
            }
        }
        return new UntranslatableSpecificationException(specification.ToString(), "(its projection or the query as a whole)", ex);
    }

    private static bool Translates<T>(IQueryable<T> query, DbContext context)
    {
        try
        {
            _ = QueryRewriter.Rewrite(query, context).ToQueryString();
            return true;
        }
        catch (InvalidOperationException e) when (IsTranslationFailure(e))
        {
            return false;
        }
    }
}

/// <summary>Thrown when a repository is asked for an aggregate type the EF Core model does not map.</summary>
/// <remarks>Every Crm.Core aggregate is mapped; a host's own aggregate needs its own mapping (see docs/storage.md).</remarks>
public sealed class UnmappedAggregateException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="aggregateType">The unmapped type.</param>
    public UnmappedAggregateException(Type aggregateType)
        : base($"{Preconditions.CheckNotNull(aggregateType).Name} is not mapped by Crm.Core.EntityFrameworkCore's CrmDbContext. "
            + "Map it in a context derived from CrmDbContext (override OnModelCreating) or keep it in another store.")
    {
        AggregateType = aggregateType;
    }

    /// <summary>The unmapped type.</summary>
    public Type AggregateType { get; }
}
