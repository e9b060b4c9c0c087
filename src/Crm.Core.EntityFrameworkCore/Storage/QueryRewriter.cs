using System.Linq.Expressions;
using System.Reflection;
using Crm.Core.Customers;
using Crm.Core.EntityFrameworkCore.Mappings;
using Crm.Core.EntityFrameworkCore.Snapshots;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using Microsoft.EntityFrameworkCore;

namespace Crm.Core.EntityFrameworkCore.Storage;

/// <summary>
/// Replaces computed members of aggregates by the stored members they are computed from, so that a specification
/// written against the domain model (<c>p.IsRefund</c>, <c>p.TransactionId</c>) runs in the database unchanged.
/// </summary>
/// <remarks>Add an entry when an aggregate exposes a computed member that specifications are likely to use.</remarks>
internal static class QueryRewriter
{
    private static readonly Dictionary<MemberInfo, LambdaExpression> Rewrites = new()
    {
        [Member<Purchase, TransactionId>(p => p.TransactionId)] = Lambda<Purchase, TransactionId>(p => p.Id),
        [Member<Purchase, bool>(p => p.IsRefund)] = Lambda<Purchase, bool>(p => p.Total.Amount < 0m),
        [Member<SegmentMember, SegmentId>(m => m.SegmentId)] = Lambda<SegmentMember, SegmentId>(m => EF.Property<SegmentId>(m, SegmentMemberMapping.SegmentProperty)),
        [Member<SegmentMember, CustomerId>(m => m.CustomerId)] = Lambda<SegmentMember, CustomerId>(m => EF.Property<CustomerId>(m, SnapshotMapping.CustomerProperty)),
        [Member<Loyalty.LoyaltyAccount, CustomerId>(a => a.CustomerId)] = Lambda<Loyalty.LoyaltyAccount, CustomerId>(a => EF.Property<CustomerId>(a, SnapshotMapping.CustomerProperty)),
    };

    // Parts of composite ids that have columns of their own: m.Id.SegmentId is read as m.SegmentId (then rewritten above).
    private static readonly Dictionary<MemberInfo, MemberInfo> IdParts = new()
    {
        [Member<SegmentMemberId, SegmentId>(id => id.SegmentId)] = Member<SegmentMember, SegmentId>(m => m.SegmentId),
        [Member<SegmentMemberId, CustomerId>(id => id.CustomerId)] = Member<SegmentMember, CustomerId>(m => m.CustomerId),
        [Member<Loyalty.LoyaltyAccountId, CustomerId>(id => id.CustomerId)] = Member<Loyalty.LoyaltyAccount, CustomerId>(a => a.CustomerId),
    };

    public static IQueryable<T> Rewrite<T>(IQueryable<T> query, DbContext context)
    {
        var rewritten = new Visitor().Visit(new CustomerLookupRewriter(context).Visit(query.Expression));
        return ReferenceEquals(rewritten, query.Expression) ? query : query.Provider.CreateQuery<T>(rewritten);
    }

    private static MemberInfo Member<T, TResult>(Expression<Func<T, TResult>> selector) => ((MemberExpression)selector.Body).Member;

    private static LambdaExpression Lambda<T, TResult>(Expression<Func<T, TResult>> selector) => selector;

    private sealed class Visitor : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node)
        {
            if (IdParts.TryGetValue(node.Member, out var part) && node.Expression is MemberExpression { Member.Name: "Id", Expression: { } owner }
                && part.DeclaringType!.IsAssignableFrom(owner.Type))
            {
                return Visit(Expression.MakeMemberAccess(owner, part));
            }
            if (node.Expression is not null && Rewrites.TryGetValue(node.Member, out var stored))
            {
                var target = Visit(node.Expression);
                return new ParameterReplacer(stored.Parameters[0], target).Visit(stored.Body);
            }
            return base.VisitMember(node);
        }
    }

    private sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : base.VisitParameter(node);
    }
}
