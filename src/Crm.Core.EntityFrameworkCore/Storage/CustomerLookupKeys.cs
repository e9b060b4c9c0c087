using System.Linq.Expressions;
using System.Reflection;
using Crm.Core.Customers;
using Crm.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Core.EntityFrameworkCore.Storage;

/// <summary>
/// One exact-match key of a customer (a normalised email, an E.164 phone number or an external id), kept in
/// <c>customer_lookup_keys</c> beside the customer's state document so that look-ups by contact point (log-in, duplicate
/// checks, imports) are an index seek instead of a scan of every document.
/// </summary>
/// <remarks>
/// The unit of work rewrites a customer's keys in the same transaction as the customer row, so they never disagree
/// with the document. Specifications keep their domain form (<c>c.Emails.Any(e =&gt; e.Address.Value == x)</c>);
/// <see cref="CustomerLookupRewriter"/> turns the supported shapes into a sub-query on this table.
/// </remarks>
internal sealed class CustomerLookupKey
{
    public const string Email = "email";
    public const string Phone = "phone";
    public const string External = "external";
    public const string Postal = "postal";

    public CustomerId CustomerId { get; set; }

    /// <summary><see cref="Email"/>, <see cref="Phone"/>, <see cref="External"/> or <see cref="Postal"/>.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>The source system of an external id, the country of a postal code; empty for the other kinds.</summary>
    public string System { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;

    /// <summary>The customer's tenant: look-ups by contact point stay inside the current tenant (the same email may exist in two tenants).</summary>
    public TenantId? TenantId { get; set; }

    /// <summary>The keys <paramref name="customer"/> has now (duplicates collapsed: they are one key).</summary>
    public static IEnumerable<CustomerLookupKey> Of(Customer customer)
    {
        var keys = new HashSet<(string Kind, string System, string Value)>();
        foreach (var email in customer.Emails)
        {
            keys.Add((Email, string.Empty, email.Address.Value));
        }
        foreach (var phone in customer.Phones)
        {
            if (phone.Number.E164 is { } e164)
            {
                keys.Add((Phone, string.Empty, e164));
            }
        }
        foreach (var (system, id) in customer.ExternalIds)
        {
            keys.Add((External, system, id));
        }
        foreach (var postal in customer.PostalAddresses)
        {
            // For the fuzzy duplicate rule (similar names at one postal code): the candidates come from this index.
            if (postal.Address.PostalCode is { } code)
            {
                keys.Add((Postal, postal.Address.CountryCode, code));
            }
        }
        return keys.Select(k => new CustomerLookupKey { CustomerId = customer.Id, Kind = k.Kind, System = k.System, Value = k.Value, TenantId = customer.TenantId });
    }
}

/// <summary>
/// <c>customer_lookup_keys</c>: keyed (customer_id, kind, system, value); the look-up index is (kind, system, value, tenant_id):
/// a look-up seeks by key, and with tenancy on the tenant is checked inside the same index. Keys are not unique across
/// customers, so the same email may belong to customers of two tenants (or, without tenancy, to two customers).
/// </summary>
internal sealed class CustomerLookupKeyMapping : IEntityTypeConfiguration<CustomerLookupKey>
{
    public void Configure(EntityTypeBuilder<CustomerLookupKey> builder)
    {
        builder.ToTable("customer_lookup_keys");
        builder.HasKey(k => new { k.CustomerId, k.Kind, k.System, k.Value });
        builder.Property(k => k.Kind).HasMaxLength(16);
        builder.Property(k => k.System).HasMaxLength(CrmDbContext.IdentifierMaxLength);
        builder.Property(k => k.Value).HasMaxLength(320); // the longest email address a mail system accepts
        builder.Property(k => k.TenantId).HasColumnName("tenant_id");
        builder.HasIndex(k => new { k.Kind, k.System, k.Value, k.TenantId });
    }
}

/// <summary>
/// Rewrites the contact-point and external-id conditions of customer specifications into sub-queries on
/// <c>customer_lookup_keys</c>: <c>c.Emails.Any(e =&gt; e.Address.Value == x)</c>, <c>c.Phones.Any(p =&gt; p.Number.E164 == x)</c>,
/// <c>c.ExternalIds.Any(p =&gt; p.Key == s &amp;&amp; p.Value == x)</c> and <c>c.PostalAddresses.Any(a =&gt; a.Address.CountryCode == c &amp;&amp; a.Address.PostalCode == x)</c> (either operand order). Other conditions over these
/// collections are left alone and fail translation loudly.
/// </summary>
internal sealed class CustomerLookupRewriter(DbContext context) : ExpressionVisitor
{
    private static readonly PropertyInfo EmailsProperty = typeof(Customer).GetProperty(nameof(Customer.Emails))!;
    private static readonly PropertyInfo PhonesProperty = typeof(Customer).GetProperty(nameof(Customer.Phones))!;
    private static readonly PropertyInfo ExternalIdsProperty = typeof(Customer).GetProperty(nameof(Customer.ExternalIds))!;
    private static readonly PropertyInfo PostalAddressesProperty = typeof(Customer).GetProperty(nameof(Customer.PostalAddresses))!;
    private static readonly MethodInfo SetMethod = typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(typeof(CustomerLookupKey));

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (node.Method.DeclaringType == typeof(Enumerable) && node.Method.Name == nameof(Enumerable.Any) && node.Arguments.Count == 2
            && node.Arguments[0] is MemberExpression { Expression: { } customer } collection && customer.Type == typeof(Customer)
            && node.Arguments[1] is LambdaExpression predicate
            && Match(collection.Member, predicate) is { } key)
        {
            return LookupAny(Visit(customer), key.Kind, key.System, key.Value);
        }
        return base.VisitMethodCall(node);
    }

    private static (string Kind, Expression System, Expression Value)? Match(MemberInfo collection, LambdaExpression predicate)
    {
        var item = predicate.Parameters[0];
        if (collection == EmailsProperty && Equality(predicate.Body, item, [nameof(EmailContactPoint.Address), nameof(EmailAddress.Value)]) is { } email)
        {
            return (CustomerLookupKey.Email, Expression.Constant(string.Empty), email);
        }
        if (collection == PhonesProperty && Equality(predicate.Body, item, [nameof(PhoneContactPoint.Number), nameof(PhoneNumber.E164)]) is { } phone)
        {
            return (CustomerLookupKey.Phone, Expression.Constant(string.Empty), phone);
        }
        if (collection == ExternalIdsProperty && predicate.Body is BinaryExpression { NodeType: ExpressionType.AndAlso } both)
        {
            var system = Equality(both.Left, item, ["Key"]) ?? Equality(both.Right, item, ["Key"]);
            var value = Equality(both.Left, item, ["Value"]) ?? Equality(both.Right, item, ["Value"]);
            if (system is not null && value is not null)
            {
                return (CustomerLookupKey.External, system, value);
            }
        }
        if (collection == PostalAddressesProperty && predicate.Body is BinaryExpression { NodeType: ExpressionType.AndAlso } place)
        {
            string[] country = [nameof(PostalContactPoint.Address), nameof(PostalAddress.CountryCode)];
            string[] code = [nameof(PostalContactPoint.Address), nameof(PostalAddress.PostalCode)];
            var system = Equality(place.Left, item, country) ?? Equality(place.Right, item, country);
            var value = Equality(place.Left, item, code) ?? Equality(place.Right, item, code);
            if (system is not null && value is not null)
            {
                return (CustomerLookupKey.Postal, system, value);
            }
        }
        return null;
    }

    // item.A.B == value (or value == item.A.B) where value does not use item: returns value.
    private static Expression? Equality(Expression body, ParameterExpression item, string[] path)
    {
        if (body is not BinaryExpression { NodeType: ExpressionType.Equal } equal)
        {
            return null;
        }
        return IsPath(equal.Left, item, path) && !Uses(equal.Right, item) ? equal.Right
            : IsPath(equal.Right, item, path) && !Uses(equal.Left, item) ? equal.Left
            : null;
    }

    private static bool IsPath(Expression expression, ParameterExpression item, string[] path)
    {
        for (var i = path.Length - 1; i >= 0; i--)
        {
            if (expression is not MemberExpression member || member.Member.Name != path[i] || member.Expression is null)
            {
                return false;
            }
            expression = member.Expression;
        }
        return expression == item;
    }

    private static bool Uses(Expression expression, ParameterExpression item)
    {
        var finder = new ParameterFinder(item);
        finder.Visit(expression);
        return finder.Found;
    }

    // keys.Any(k => k.CustomerId == customer.Id && k.Kind == kind && k.System == system && k.Value == value)
    private Expression LookupAny(Expression customer, string kind, Expression system, Expression value)
    {
        // context.Set<CustomerLookupKey>() as a call, the way a C# lambda captures it: EF Core turns that call into a
        // query root (a DbSet passed as a constant is not recognised inside a predicate).
        var keys = Expression.Call(Expression.Constant(context), SetMethod);
        var k = Expression.Parameter(typeof(CustomerLookupKey), "k");
        var body = Expression.AndAlso(
            Expression.AndAlso(
                Expression.Equal(Expression.Property(k, nameof(CustomerLookupKey.CustomerId)), Expression.Property(customer, nameof(Customer.Id))),
                Expression.Equal(Expression.Property(k, nameof(CustomerLookupKey.Kind)), Expression.Constant(kind))),
            Expression.AndAlso(
                Expression.Equal(Expression.Property(k, nameof(CustomerLookupKey.System)), system),
                Expression.Equal(Expression.Property(k, nameof(CustomerLookupKey.Value)), value)));
        var any = typeof(Queryable).GetMethods()
            .Single(m => m.Name == nameof(Queryable.Any) && m.GetParameters().Length == 2)
            .MakeGenericMethod(typeof(CustomerLookupKey));
        return Expression.Call(any, keys, Expression.Quote(Expression.Lambda<Func<CustomerLookupKey, bool>>(body, k)));
    }

    private sealed class ParameterFinder(ParameterExpression item) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            Found |= node == item;
            return node;
        }
    }
}
