using Crm.Core.Customers;

namespace Crm.Core.Duplicates;

/// <summary>What registration and import do when the new customer may duplicate stored ones.</summary>
public enum DuplicatePolicy
{
    /// <summary>Register anyway and report the candidates (for a review queue or a "did you mean" prompt).</summary>
    Warn = 1,

    /// <summary>Register nothing and throw <see cref="DuplicateCustomerException"/> listing the candidates' ids.</summary>
    Refuse = 2,
}

/// <summary>Thrown when a registration or import is refused because the customer may already exist.</summary>
/// <remarks>The message and properties hold ids, scores and rule names only, never the matching values.</remarks>
public sealed class DuplicateCustomerException : CustomerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="customerId">The customer that was not registered.</param>
    /// <param name="candidates">The stored customers it may duplicate.</param>
    public DuplicateCustomerException(CustomerId customerId, IReadOnlyList<DuplicateCandidate> candidates)
        : base(customerId,
            $"Customer '{customerId}' was not registered: it may duplicate {Describe(candidates)}. Update or merge the existing customer, or register with DuplicatePolicy.Warn to keep both.")
        => Candidates = candidates;

    /// <summary>The stored customers it may duplicate, best score first.</summary>
    public IReadOnlyList<DuplicateCandidate> Candidates { get; }

    /// <summary>The candidates' ids, best score first.</summary>
    public IEnumerable<CustomerId> CandidateIds => Candidates.Select(c => c.CustomerId);

    private static string Describe(IReadOnlyList<DuplicateCandidate>? candidates) =>
        candidates is null or { Count: 0 }
            ? "a stored customer"
            : string.Join(", ", candidates.Select(c => $"'{c.CustomerId}' (by {string.Join(" and ", c.Reasons)})"));
}
