using NodaTime;

namespace Crm.Core.DependencyInjection;

/// <summary>
/// Library-wide settings, configured in <c>services.AddCrmCore(options =&gt; ...)</c> and resolvable as a singleton.
/// </summary>
/// <remarks>Every setter validates its value, so a wrong setting fails at the line that sets it. Not thread-safe while being configured; treat as read-only afterwards.</remarks>
public sealed class CrmCoreOptions
{
    private DateTimeZone _defaultTimeZone = DateTimeZone.Utc;

    /// <summary>
    /// The time zone whose midnight ends a business day when a computation needs one and the caller gives none
    /// (e.g. "as of" dates, expiry at the end of a day). Defaults to UTC.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public DateTimeZone DefaultTimeZone
    {
        get => _defaultTimeZone;
        set => _defaultTimeZone = Preconditions.CheckNotNull(value);
    }

    internal CrmCoreOptions Clone() => (CrmCoreOptions)MemberwiseClone();

    internal void CopyFrom(CrmCoreOptions other) => _defaultTimeZone = other._defaultTimeZone;
}
