namespace Crm.Core.Specifications;

/// <summary>
/// Thrown when a specification is described or evaluated in a way that has no single meaning, e.g. paging without
/// an order, two primary orders, or a projecting specification without a projection. The message says how to fix it.
/// </summary>
public sealed class InvalidSpecificationException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="specificationName">The specification's type name.</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    public InvalidSpecificationException(string specificationName, string problem)
        : base($"Specification '{specificationName}' is invalid: {problem}")
    {
        SpecificationName = specificationName;
    }

    /// <summary>The specification's type name.</summary>
    public string SpecificationName { get; }
}
