namespace Crm.Core.Customers;

/// <summary>Whether a customer is a natural person or an organisation (company, association, public body).</summary>
public enum CustomerKind
{
    /// <summary>A natural person: has given and family names and may have a birth date.</summary>
    Person = 1,

    /// <summary>An organisation: has a legal name.</summary>
    Organisation = 2,
}

/// <summary>
/// The name of a customer: given and family names for a person, the legal name for an organisation, and the display
/// name used in lists and greetings.
/// </summary>
/// <remarks>
/// Every part is cleaned (trimmed, inner white space collapsed) and limited to 200 characters. The display name defaults
/// to "given family" for a person and the legal name for an organisation. Equality compares all parts ordinally.
/// <see cref="ToString"/> never shows the name (personal data). Immutable and thread-safe.
/// </remarks>
public sealed record CustomerName
{
    private const int MaxLength = 200;

    private CustomerName(CustomerKind kind, string? givenName, string? familyName, string? legalName, string displayName)
    {
        Kind = kind;
        GivenName = givenName;
        FamilyName = familyName;
        LegalName = legalName;
        DisplayName = displayName;
    }

    /// <summary>Whether this is a person's or an organisation's name.</summary>
    public CustomerKind Kind { get; }

    /// <summary>A person's given (first) name, or null.</summary>
    public string? GivenName { get; }

    /// <summary>A person's family name (surname), or null.</summary>
    public string? FamilyName { get; }

    /// <summary>An organisation's legal name; null for a person.</summary>
    public string? LegalName { get; }

    /// <summary>The name to show.</summary>
    public string DisplayName { get; }

    /// <summary>A person's name. People with a single name (mononyms) give only one of the two.</summary>
    /// <param name="givenName">The given name, or null.</param>
    /// <param name="familyName">The family name, or null.</param>
    /// <param name="displayName">How to show the name; defaults to the given and family names joined by a space.</param>
    /// <exception cref="ArgumentException">Both names are null, or a part given is blank, longer than 200 characters or contains control characters.</exception>
    public static CustomerName Person(string? givenName, string? familyName, string? displayName = null)
    {
        Preconditions.CheckArgument(givenName is not null || familyName is not null, nameof(givenName),
            "A person needs a given name, a family name or both.");
        var given = Text.CleanOptional(givenName, nameof(givenName), MaxLength);
        var family = Text.CleanOptional(familyName, nameof(familyName), MaxLength);
        var display = Text.CleanOptional(displayName, nameof(displayName), MaxLength)
            ?? string.Join(' ', new[] { given, family }.Where(p => p is not null));
        return new CustomerName(CustomerKind.Person, given, family, null, display);
    }

    /// <summary>An organisation's name.</summary>
    /// <param name="legalName">The registered legal name.</param>
    /// <param name="displayName">How to show the name (a trading name); defaults to the legal name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="legalName"/> is null.</exception>
    /// <exception cref="ArgumentException">A part is blank, longer than 200 characters or contains control characters.</exception>
    public static CustomerName Organisation(string legalName, string? displayName = null)
    {
        var legal = Text.Clean(legalName, nameof(legalName), MaxLength);
        return new CustomerName(CustomerKind.Organisation, null, null, legal, Text.CleanOptional(displayName, nameof(displayName), MaxLength) ?? legal);
    }

    /// <summary>Only the kind, e.g. <c>Person name</c>: the name itself is personal data.</summary>
    public override string ToString() => $"{Kind} name";
}
