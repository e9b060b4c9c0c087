using Crm.Core.Customers;
using Crm.Core.Loyalty;
using Crm.Core.Segmentation;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Core.EntityFrameworkCore.Conversions;

/// <summary>
/// An id made of two identifiers as one text column, "first␟second" (U+001F, which identifiers cannot contain,
/// separates the parts). The parts that queries and keys need also get columns of their own.
/// </summary>
internal abstract class CompositeIdConverter<TId> : ValueConverter<TId, string>
{
    private const char Separator = '\u001F';

    protected CompositeIdConverter(Func<TId, string> first, Func<TId, string> second, Func<string, string, TId> create)
        : base(id => first(id) + Separator + second(id), text => Parse(text, create))
    {
    }

    private static TId Parse(string text, Func<string, string, TId> create)
    {
        var at = text.IndexOf(Separator, StringComparison.Ordinal);
        return create(text[..at], text[(at + 1)..]);
    }
}

/// <summary>A <see cref="LoyaltyAccountId"/> as "customer␟programme".</summary>
internal sealed class LoyaltyAccountIdConverter() : CompositeIdConverter<LoyaltyAccountId>(
    id => id.CustomerId.Value, id => id.ProgrammeId.Value, (customer, programme) => new LoyaltyAccountId(new ProgrammeId(programme), new CustomerId(customer)));

/// <summary>A <see cref="SegmentMemberId"/> as "segment␟customer".</summary>
internal sealed class SegmentMemberIdConverter() : CompositeIdConverter<SegmentMemberId>(
    id => id.SegmentId.Value, id => id.CustomerId.Value, (segment, customer) => new SegmentMemberId(new SegmentId(segment), new CustomerId(customer)));
