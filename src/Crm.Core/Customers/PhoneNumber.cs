using System.Diagnostics.CodeAnalysis;
using PhoneNumbers;
using LibPhoneNumber = PhoneNumbers.PhoneNumber;

namespace Crm.Core.Customers;

/// <summary>
/// A telephone number normalised to E.164 (<c>+442079460958</c>) with libphonenumber, given the region to assume for
/// numbers written without a country code. The extension, if any, is kept separately. Numbers that cannot be
/// understood are kept as typed and flagged invalid rather than dropped, so nobody's data silently disappears.
/// </summary>
/// <remarks>
/// <para>Accepted forms include international (<c>+44 20 7946 0958</c>), national (<c>020 7946 0958</c> with
/// region GB, <c>(415) 555-2671</c> with region US), international with an exit code (<c>0044 20 7946 0958</c> with
/// region GB) and extensions (<c>… ext. 123</c>, <c>… x123</c>, <c>…;ext=123</c>).</para>
/// <para><see cref="Value"/> is the canonical text: E.164 plus <c>;ext=</c> and the extension (RFC 3966) for a valid
/// number, or the input with white space collapsed for an invalid one. Normalisation is idempotent: parsing
/// <see cref="Value"/> again with the same default region gives an equal number. Equality is ordinal on
/// <see cref="Value"/>, so <c>+44 20 7946 0958</c> and <c>020 7946 0958</c> (GB) are equal.</para>
/// <para><see cref="ToString"/> masks the number (personal data); read <see cref="Value"/> or <see cref="E164"/>
/// for the number itself. Immutable and thread-safe.</para>
/// </remarks>
public readonly struct PhoneNumber : IEquatable<PhoneNumber>
{
    /// <summary>The longest input accepted; anything longer is not a telephone number and is rejected outright.</summary>
    public const int MaxInputLength = 100;

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly HashSet<string> SupportedRegions = new(Util.GetSupportedRegions(), StringComparer.Ordinal);

    private readonly string? _value;

    private PhoneNumber(string value, string? e164, string? extension, string? regionCode)
    {
        _value = value;
        E164 = e164;
        Extension = extension;
        RegionCode = regionCode;
    }

    /// <summary>The canonical text: E.164 with an optional <c>;ext=</c> suffix, or the cleaned input when invalid.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>The number in E.164 without the extension, or null when the number is invalid.</summary>
    public string? E164 { get; }

    /// <summary>The extension (digits only), or null when there is none or the number is invalid.</summary>
    public string? Extension { get; }

    /// <summary>The ISO 3166 region the number belongs to (e.g. <c>GB</c>), or null when invalid or non-geographic.</summary>
    public string? RegionCode { get; }

    /// <summary>Whether libphonenumber recognised a valid number; invalid numbers are kept but cannot be dialled reliably.</summary>
    public bool IsValid => E164 is not null;

    /// <summary>Whether this is the uninitialised <c>default</c> value.</summary>
    public bool IsDefault => _value is null;

    /// <summary>Normalises <paramref name="number"/>; never throws for text that merely is not a valid number.</summary>
    /// <param name="number">The number as typed, not blank, at most <see cref="MaxInputLength"/> characters.</param>
    /// <param name="defaultRegion">The ISO 3166 alpha-2 region assumed for national numbers, e.g. <c>GB</c> (case-insensitive).</param>
    /// <returns>A valid number, or one with <see cref="IsValid"/> false that keeps the cleaned input.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="number"/> is blank, too long or contains control characters, or
    /// <paramref name="defaultRegion"/> is not a region libphonenumber knows.</exception>
    public static PhoneNumber Parse(string number, string defaultRegion)
    {
        var cleaned = Text.Clean(number, nameof(number), MaxInputLength);
        var region = CheckRegion(defaultRegion);
        if (!TryParseValid(cleaned, region, out var parsed))
        {
            return new PhoneNumber(cleaned, null, null, null);
        }
        var e164 = Util.Format(parsed, PhoneNumberFormat.E164);
        var extension = string.IsNullOrEmpty(parsed.Extension) ? null : parsed.Extension;
        var value = extension is null ? e164 : $"{e164};ext={extension}";
        return new PhoneNumber(value, e164, extension, Util.GetRegionCodeForNumber(parsed) is { Length: 2 } r && r != "ZZ" ? r : null);
    }

    /// <summary>Whether <paramref name="regionCode"/> is a region that <see cref="Parse"/> accepts as default region.</summary>
    /// <param name="regionCode">An ISO 3166 alpha-2 code (case-insensitive).</param>
    public static bool IsSupportedRegion([NotNullWhen(true)] string? regionCode) =>
        regionCode is not null && SupportedRegions.Contains(regionCode.Trim().ToUpperInvariant());

    /// <summary>Ordinal equality of <see cref="Value"/>.</summary>
    public bool Equals(PhoneNumber other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PhoneNumber other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>A masked form that keeps only the country code and the last two digits, e.g. <c>+44 … 58</c>.</summary>
    public override string ToString()
    {
        if (E164 is null)
        {
            return IsDefault ? string.Empty : "(invalid phone number)";
        }
        var countryCode = Util.Parse(E164, null).CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"+{countryCode} … {E164[^2..]}" + (Extension is null ? string.Empty : " ext. …");
    }

    /// <summary>Whether two numbers are equal.</summary>
    public static bool operator ==(PhoneNumber left, PhoneNumber right) => left.Equals(right);

    /// <summary>Whether two numbers differ.</summary>
    public static bool operator !=(PhoneNumber left, PhoneNumber right) => !left.Equals(right);

    private static string CheckRegion(string defaultRegion)
    {
        Preconditions.CheckNotNull(defaultRegion);
        var region = defaultRegion.Trim().ToUpperInvariant();
        Preconditions.CheckArgument(SupportedRegions.Contains(region), nameof(defaultRegion),
            "The default region must be an ISO 3166 alpha-2 code that libphonenumber supports, such as GB, US or DE.");
        return region;
    }

    private static bool TryParseValid(string text, string region, [NotNullWhen(true)] out LibPhoneNumber? parsed)
    {
        try
        {
            parsed = Util.Parse(text, region);
            return Util.IsValidNumber(parsed);
        }
        catch (NumberParseException)
        {
            // Not a number at all ("n/a", "call reception"): kept as typed and flagged invalid by the caller.
            parsed = null;
            return false;
        }
    }
}
