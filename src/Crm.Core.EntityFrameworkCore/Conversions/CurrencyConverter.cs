using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>A <see cref="Currency"/> as its three-letter code.</summary>
internal sealed class CurrencyConverter : ValueConverter<Currency, string>
{
    public CurrencyConverter()
        : base(c => c.Code, code => new Currency(code))
    {
    }
}
