using Crm.Core.Customers;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>
/// An <see cref="InteractionType"/> as its normalised code (e.g. <c>complaint</c>). Rows written before the column existed
/// hold an empty code; they read as the default type, and the state document restores the real one.
/// </summary>
internal sealed class InteractionTypeConverter : ValueConverter<InteractionType, string>
{
    public InteractionTypeConverter()
        : base(t => t.Code, code => code.Length == 0 ? default : new InteractionType(code))
    {
    }
}
