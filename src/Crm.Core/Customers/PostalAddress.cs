namespace Crm.Core.Customers;

/// <summary>A postal address: street lines, postal code, locality, region and country.</summary>
/// <remarks>
/// Every part is cleaned (trimmed, inner white space collapsed); the postal code is upper-cased and the country is an
/// ISO 3166 alpha-2 code stored upper-case. The model is deliberately international and flat: formatting rules per
/// country belong to the host's address service. Equality compares the cleaned parts ordinally; duplicates among a
/// customer's addresses are also detected ignoring case. <see cref="ToString"/> shows only the country, because an
/// address is personal data. Immutable and thread-safe.
/// </remarks>
public sealed record PostalAddress
{
    private const int MaxPartLength = 200;

    /// <summary>Creates an address.</summary>
    /// <param name="street">The first address line (street and number, PO box); not blank.</param>
    /// <param name="locality">The city, town or village; not blank.</param>
    /// <param name="countryCode">The ISO 3166 alpha-2 country code, e.g. <c>GB</c> (case-insensitive).</param>
    /// <param name="postalCode">The postal code, if the country uses one.</param>
    /// <param name="region">The state, county or province, if used.</param>
    /// <param name="extraLine">A second address line (flat, building, c/o), if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="street"/>, <paramref name="locality"/> or <paramref name="countryCode"/> is null.</exception>
    /// <exception cref="ArgumentException">A part is blank, longer than 200 characters or contains control characters, or the country code is not two letters.</exception>
    public PostalAddress(string street, string locality, string countryCode, string? postalCode = null, string? region = null, string? extraLine = null)
    {
        Street = Text.Clean(street, nameof(street), MaxPartLength);
        Locality = Text.Clean(locality, nameof(locality), MaxPartLength);
        Preconditions.CheckNotNull(countryCode);
        var country = countryCode.Trim().ToUpperInvariant();
        Preconditions.CheckArgument(country.Length == 2 && char.IsAsciiLetter(country[0]) && char.IsAsciiLetter(country[1]),
            nameof(countryCode), "The country must be an ISO 3166 alpha-2 code such as GB, US or DE.");
        CountryCode = country;
        PostalCode = Text.CleanOptional(postalCode, nameof(postalCode), 20)?.ToUpperInvariant();
        Region = Text.CleanOptional(region, nameof(region), MaxPartLength);
        ExtraLine = Text.CleanOptional(extraLine, nameof(extraLine), MaxPartLength);
    }

    /// <summary>The first address line.</summary>
    public string Street { get; }

    /// <summary>The second address line, or null.</summary>
    public string? ExtraLine { get; }

    /// <summary>The postal code (upper-case), or null.</summary>
    public string? PostalCode { get; }

    /// <summary>The city, town or village.</summary>
    public string Locality { get; }

    /// <summary>The state, county or province, or null.</summary>
    public string? Region { get; }

    /// <summary>The ISO 3166 alpha-2 country code, upper-case.</summary>
    public string CountryCode { get; }

    /// <summary>Whether both addresses are the same place, ignoring case (how duplicates are detected).</summary>
    /// <param name="other">The other address.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public bool IsSamePlaceAs(PostalAddress other)
    {
        Preconditions.CheckNotNull(other);
        return string.Equals(Key, other.Key, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Only the country, e.g. <c>Postal address in GB</c>: the rest is personal data.</summary>
    public override string ToString() => $"Postal address in {CountryCode}";

    private string Key => string.Join('\u001f', Street, ExtraLine, PostalCode, Locality, Region, CountryCode);
}
