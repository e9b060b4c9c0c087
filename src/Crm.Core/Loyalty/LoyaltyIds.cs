using System.Diagnostics.CodeAnalysis;
using Crm.Core.Customers;

namespace Crm.Core.Loyalty;

/// <summary>
/// Identifies a loyalty programme (a host may run several: a consumer club, a B2B scheme). Wraps the host's
/// own identifier string unchanged.
/// </summary>
/// <remarks>
/// Equality is ordinal on the wrapped string. <c>default(ProgrammeId)</c> is not valid and is rejected by every
/// API that takes one. Immutable and thread-safe.
/// </remarks>
public readonly record struct ProgrammeId : IComparable<ProgrammeId>
{
    private readonly string? _value;

    /// <summary>Creates an identifier from the host's value.</summary>
    /// <param name="value">Not empty, no surrounding white space, no control characters, at most 200 characters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks one of the rules above.</exception>
    public ProgrammeId(string value) => _value = Identifier.Validate(value, nameof(value), nameof(ProgrammeId));

    /// <summary>The wrapped identifier, exactly as supplied.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _value is null;

    /// <summary>Tries to create an identifier without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out ProgrammeId result)
    {
        result = Identifier.TryValidate(s, out _) ? new ProgrammeId(s!) : default;
        return !result.IsDefault;
    }

    /// <summary>Ordinal comparison of the wrapped strings.</summary>
    public int CompareTo(ProgrammeId other) => string.CompareOrdinal(_value, other._value);

    /// <summary>Ordinal equality of the wrapped strings.</summary>
    public bool Equals(ProgrammeId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The wrapped identifier, verbatim.</summary>
    public override string ToString() => Value;
}

/// <summary>
/// Identifies a <see cref="LoyaltyAccount"/>: one account per customer and programme.
/// </summary>
/// <remarks>
/// Equality is component-wise and ordinal; ordering is by customer, then programme (ordinal), the order in which stores
/// keep accounts (customer first, so a customer's accounts sit together). Immutable and thread-safe.
/// </remarks>
public readonly record struct LoyaltyAccountId : IComparable<LoyaltyAccountId>
{
    /// <summary>Creates the id of <paramref name="customerId"/>'s account in <paramref name="programmeId"/>.</summary>
    /// <exception cref="ArgumentException">Either id is the uninitialised default.</exception>
    public LoyaltyAccountId(ProgrammeId programmeId, CustomerId customerId)
    {
        Preconditions.CheckArgument(!programmeId.IsDefault, nameof(programmeId), "A programme id is required; create one with new ProgrammeId(\"...\").");
        Preconditions.CheckArgument(!customerId.IsDefault, nameof(customerId), "A customer id is required; create one with new CustomerId(\"...\").");
        ProgrammeId = programmeId;
        CustomerId = customerId;
    }

    /// <summary>The programme.</summary>
    public ProgrammeId ProgrammeId { get; }

    /// <summary>The member.</summary>
    public CustomerId CustomerId { get; }

    /// <summary>The programme and the customer, separated by a slash (identifiers only, no personal data).</summary>
    public override string ToString() => $"{ProgrammeId}/{CustomerId}";

    /// <summary>Orders by customer, then programme (ordinal).</summary>
    /// <param name="other">The id to compare with.</param>
    /// <returns>Negative, zero or positive as this id sorts before, with or after <paramref name="other"/>.</returns>
    public int CompareTo(LoyaltyAccountId other)
    {
        var byCustomer = CustomerId.CompareTo(other.CustomerId);
        return byCustomer != 0 ? byCustomer : ProgrammeId.CompareTo(other.ProgrammeId);
    }
}
