using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>
/// A <see cref="LoyaltyAccountId"/> as one text column, "customer␟programme" (U+001F, which identifiers cannot
/// contain, separates the parts). The customer id also has its own leading key column.
/// </summary>
internal sealed class LoyaltyAccountIdConverter : ValueConverter<LoyaltyAccountId, string>
{
    private const char Separator = '\u001F';

    public LoyaltyAccountIdConverter()
        : base(id => ToText(id), text => FromText(text))
    {
    }

    private static string ToText(LoyaltyAccountId id) => id.CustomerId.Value + Separator + id.ProgrammeId.Value;

    private static LoyaltyAccountId FromText(string text)
    {
        var at = text.IndexOf(Separator, StringComparison.Ordinal);
        return new LoyaltyAccountId(new ProgrammeId(text[(at + 1)..]), new CustomerId(text[..at]));
    }
}
