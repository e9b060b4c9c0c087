using Crm.Core.Specifications;

namespace Crm.Core.Customers;

/// <summary>The customers with a postal address at the given postal code in the given country (the fuzzy duplicate rule's candidates).</summary>
/// <remarks>
/// Compares the postal code as <see cref="PostalAddress"/> stores it (trimmed, inner white space collapsed, upper case).
/// Ordered by customer id. Looks inside the contact point collection, like <see cref="CustomersByEmail"/>; the EF Core
/// adapter answers it from its look-up key index.
/// </remarks>
public sealed class CustomersByPostalCode : Specification<Customer>
{
    /// <summary>Creates the query.</summary>
    /// <param name="countryCode">The ISO 3166 alpha-2 country code (case-insensitive).</param>
    /// <param name="postalCode">The postal code (cleaned and upper-cased like <see cref="PostalAddress.PostalCode"/>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The country is not a two-letter code, or the postal code is blank or longer than 20 characters.</exception>
    public CustomersByPostalCode(string countryCode, string postalCode)
    {
        // Normalised exactly as PostalAddress does it, so the query finds what an address built from the same text holds.
        var probe = new PostalAddress("-", "-", countryCode, Preconditions.CheckNotBlank(postalCode));
        var country = probe.CountryCode;
        var code = probe.PostalCode!;
        Query.Where(c => c.PostalAddresses.Any(a => a.Address.CountryCode == country && a.Address.PostalCode == code)).OrderBy(c => c.Id);
    }
}
