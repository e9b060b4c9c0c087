using System.Globalization;
using System.Text.Json.Nodes;
using Crm.Core.Customers;
using Crm.Core.Lifecycle;
using Crm.Core.Loyalty;
using Crm.Core.Purchases;
using Crm.Core.Segmentation;
using NodaTime;
using NodaTime.Text;

namespace Crm.Core.Privacy;

/// <summary>Everything read about one customer, ready to be written as the export document.</summary>
internal sealed record ExportSources(
    CustomerId CustomerId,
    CustomerId RequestedCustomerId,
    Instant ExportedAt,
    Customer? Customer,
    IReadOnlyList<Interaction> Interactions,
    IReadOnlyList<Purchase> Purchases,
    IReadOnlyList<LoyaltyAccount> LoyaltyAccounts,
    CustomerLifecycle? Lifecycle,
    IReadOnlyList<(SegmentMember Member, Segment? Segment)> Memberships,
    IReadOnlyList<(Segment Segment, bool Included)> Overrides,
    CustomerProfile? Profile,
    ProfileFieldRegistry ProfileFields,
    ErasureRecord? Erasure,
    IReadOnlyList<MergedRecordSources> MergedRecords);

/// <summary>
/// A record merged into the exported customer: the tombstone keeps its own name, birth date, external ids and merge
/// trail, and its drained loyalty accounts and lifecycle stay under its id, so they are data held about the person.
/// </summary>
internal sealed record MergedRecordSources(Customer Customer, IReadOnlyList<LoyaltyAccount> LoyaltyAccounts, CustomerLifecycle? Lifecycle,
    IReadOnlyList<(Segment Segment, bool Included)> Overrides, ErasureRecord? Erasure);

/// <summary>
/// Writes the customer export document (docs/schemas/customer-export.v1.schema.json). Every property is always
/// written (null or empty when there is nothing), so the document's shape never depends on the data: consumers and
/// the schema test see the same keys for every customer.
/// </summary>
internal static class CustomerExportWriter
{
    public static JsonObject Write(ExportSources s) => new()
    {
        ["schemaVersion"] = CustomerDataExport.CurrentSchemaVersion,
        ["exportedAt"] = Instant(s.ExportedAt),
        ["customerId"] = s.CustomerId.Value,
        ["requestedCustomerId"] = s.RequestedCustomerId.Value,
        ["customer"] = s.Customer is null ? null : Customer(s.Customer),
        ["interactions"] = Array(s.Interactions, Interaction),
        ["purchases"] = Array(s.Purchases, Purchase),
        ["loyaltyAccounts"] = Array(s.LoyaltyAccounts, LoyaltyAccount),
        ["lifecycle"] = s.Lifecycle is null ? null : Lifecycle(s.Lifecycle),
        ["segmentMemberships"] = Array(s.Memberships, m => new JsonObject
        {
            ["segmentId"] = m.Member.SegmentId.Value,
            ["segmentName"] = m.Segment?.Name,
            ["since"] = Instant(m.Member.Since),
        }),
        ["segmentOverrides"] = Overrides(s.Overrides),
        ["profile"] = s.Profile is null ? null : Profile(s.Profile, s.ProfileFields),
        ["erasure"] = Erasure(s.Erasure),
        ["mergedRecords"] = Array(s.MergedRecords, m => new JsonObject
        {
            ["customerId"] = m.Customer.Id.Value,
            ["customer"] = Customer(m.Customer),
            ["loyaltyAccounts"] = Array(m.LoyaltyAccounts, LoyaltyAccount),
            ["lifecycle"] = m.Lifecycle is null ? null : Lifecycle(m.Lifecycle),
            ["segmentOverrides"] = Overrides(m.Overrides),
            ["erasure"] = Erasure(m.Erasure),
        }),
    };

    private static JsonArray Overrides(IReadOnlyList<(Segment Segment, bool Included)> overrides) => Array(overrides, o => new JsonObject
    {
        ["segmentId"] = o.Segment.Id.Value,
        ["segmentName"] = o.Segment.Name,
        ["override"] = o.Included ? "include" : "exclude",
    });

    private static JsonObject? Erasure(ErasureRecord? e) => e is null ? null : new JsonObject
    {
        ["erasedAt"] = Instant(e.ErasedAt),
        ["reason"] = e.Reason,
        ["actor"] = e.Actor,
        ["externalIdsErased"] = e.ExternalIdsErased,
    };

    private static JsonObject Customer(Customer c) => new()
    {
        ["kind"] = c.Kind.ToString(),
        ["name"] = new JsonObject
        {
            ["givenName"] = c.Name.GivenName,
            ["familyName"] = c.Name.FamilyName,
            ["legalName"] = c.Name.LegalName,
            ["displayName"] = c.Name.DisplayName,
        },
        ["birthDate"] = Date(c.BirthDate),
        ["ownerId"] = c.OwnerId,
        ["teamId"] = c.TeamId,
        ["tenantId"] = c.TenantId?.Value,
        ["createdAt"] = Instant(c.CreatedAt),
        ["updatedAt"] = Instant(c.UpdatedAt),
        ["isErased"] = c.IsErased,
        ["mergedInto"] = c.MergedInto?.Value,
        ["merges"] = Array(c.MergeHistory, r => new JsonObject
        {
            ["mergedCustomerId"] = r.MergedCustomerId.Value,
            ["mergedAt"] = Instant(r.MergedAt),
            ["actor"] = r.Actor,
            ["earlierMergedCustomerIds"] = Array(r.EarlierMergedCustomerIds, id => (JsonNode)JsonValue.Create(id.Value)),
        }),
        ["externalIds"] = Array(c.ExternalIds.OrderBy(p => p.Key, StringComparer.Ordinal), p => new JsonObject
        {
            ["sourceSystem"] = p.Key,
            ["externalId"] = p.Value,
        }),
        ["tags"] = Array(c.Tags.Order(StringComparer.Ordinal), t => (JsonNode)JsonValue.Create(t)),
        ["contactPoints"] = Array(c.ContactPoints, ContactPoint),
        ["consents"] = Array(c.ConsentHistory, r => new JsonObject
        {
            ["purpose"] = r.Purpose.Code,
            ["channel"] = r.Channel.Code,
            ["status"] = r.Status.ToString(),
            ["at"] = Instant(r.At),
            ["source"] = r.Source,
        }),
        ["attributes"] = Array(c.Attributes.Values.OrderBy(a => a.Name, StringComparer.Ordinal), a => new JsonObject
        {
            ["name"] = a.Name,
            ["kind"] = a.Value.Kind.ToString(),
            ["value"] = a.Value.FormatValue(),
            ["isPersonalData"] = a.IsPersonalData,
            ["updatedAt"] = Instant(a.UpdatedAt),
        }),
        ["lifeEvents"] = Array(c.LifeEvents, e => new JsonObject
        {
            ["type"] = e.Type.Code,
            ["date"] = Date(e.Date),
            ["source"] = e.Source,
            ["recordedAt"] = Instant(e.RecordedAt),
        }),
        ["productHoldings"] = Array(c.ProductHoldings, h => new JsonObject
        {
            ["productId"] = h.ProductId.Value,
            ["category"] = h.Category,
            ["status"] = h.Status.ToString(),
            ["openedOn"] = Date(h.OpenedOn),
            ["closedOn"] = Date(h.ClosedOn),
        }),
    };

    private static JsonObject ContactPoint(ContactPoint c) => new()
    {
        ["id"] = c.Id.Value,
        ["kind"] = c.Kind.ToString(),
        ["addedAt"] = Instant(c.AddedAt),
        ["isPrimary"] = c.IsPrimary,
        ["isVerified"] = c.IsVerified,
        ["isOptedOut"] = c.IsOptedOut,
        ["isInvalid"] = c.IsInvalid,
        ["email"] = (c as EmailContactPoint)?.Address.Value,
        ["phone"] = c is PhoneContactPoint p ? new JsonObject
        {
            ["value"] = p.Number.Value,
            ["e164"] = p.Number.E164,
            ["extension"] = p.Number.Extension,
            ["regionCode"] = p.Number.RegionCode,
        } : null,
        ["postalAddress"] = c is PostalContactPoint a ? new JsonObject
        {
            ["street"] = a.Address.Street,
            ["extraLine"] = a.Address.ExtraLine,
            ["postalCode"] = a.Address.PostalCode,
            ["locality"] = a.Address.Locality,
            ["region"] = a.Address.Region,
            ["countryCode"] = a.Address.CountryCode,
        } : null,
    };

    private static JsonObject Interaction(Interaction i) => new()
    {
        ["id"] = i.Id.Value,
        ["channel"] = i.Channel.ToString(),
        ["direction"] = i.Direction.ToString(),
        ["type"] = i.Type.Code,
        ["occurredAt"] = Instant(i.OccurredAt),
        ["subject"] = i.Subject,
        ["outcome"] = i.Outcome,
        ["reference"] = i.Reference is { } r ? new JsonObject { ["kind"] = r.Kind, ["id"] = r.Id } : null,
    };

    private static JsonObject Purchase(Purchase p) => new()
    {
        ["transactionId"] = p.TransactionId.Value,
        ["occurredAt"] = Instant(p.OccurredAt),
        ["channel"] = p.Channel.ToString(),
        ["total"] = Money(p.Total),
        ["isRefund"] = p.IsRefund,
        ["originalTransactionId"] = p.OriginalTransactionId?.Value,
        ["lines"] = Array(p.Lines, l => new JsonObject
        {
            ["sku"] = l.Sku.Value,
            ["category"] = l.Category,
            ["kind"] = l.Kind.ToString(),
            ["quantity"] = l.Quantity,
            ["unitPrice"] = Money(l.UnitPrice),
            ["amount"] = Money(l.Amount),
        }),
    };

    private static JsonObject LoyaltyAccount(LoyaltyAccount a) => new()
    {
        ["programmeId"] = a.ProgrammeId.Value,
        ["openedAt"] = Instant(a.OpenedAt),
        ["tier"] = a.Tier,
        ["deficit"] = a.Deficit,
        ["tierOverride"] = a.TierOverride is { } o ? new JsonObject
        {
            ["tier"] = o.Tier,
            ["until"] = Instant(o.Until),
            ["reason"] = o.Reason,
            ["actor"] = o.Actor,
        } : null,
        ["tierHistory"] = Array(a.TierHistory, t => new JsonObject
        {
            ["at"] = Instant(t.At),
            ["from"] = t.From,
            ["to"] = t.To,
            ["reason"] = t.Reason.ToString(),
            ["evidence"] = t.Evidence,
        }),
        ["entries"] = Array(a.Entries, LedgerEntry),
    };

    // One object shape for every entry kind: the members a kind does not have are null, so consumers read one shape.
    private static JsonObject LedgerEntry(LedgerEntry e)
    {
        var credit = e as CreditEntry;
        var debit = e as DebitEntry;
        return new JsonObject
        {
            ["sequence"] = e.Sequence,
            ["kind"] = e.Kind.ToString(),
            ["at"] = Instant(e.At),
            ["points"] = e.Points,
            ["idempotencyKey"] = e.IdempotencyKey,
            ["credited"] = credit?.Credited,
            ["earnedAt"] = credit is null ? null : Instant(credit.EarnedAt),
            ["availableAt"] = credit is null ? null : Instant(credit.AvailableAt),
            ["expiresAt"] = credit?.ExpiresAt is { } expires ? Instant(expires) : null,
            ["settledDeficit"] = credit?.SettledDeficit,
            ["allocations"] = debit is null ? null : Allocations(debit.Allocations),
            ["source"] = (e as EarnEntry)?.Source.ToString(),
            ["purchaseAmount"] = (e as EarnEntry)?.PurchaseAmount,
            ["contributions"] = e is EarnEntry earn ? Array(earn.Contributions, c => new JsonObject
            {
                ["ruleId"] = c.RuleId,
                ["ruleKind"] = c.RuleKind.ToString(),
                ["points"] = c.Points,
            }) : null,
            ["rewardId"] = (e as RedeemEntry)?.RewardId,
            ["orderTotal"] = (e as RedeemEntry)?.OrderTotal is { } total ? Money(total) : null,
            ["purchaseKey"] = (e as ReverseEntry)?.PurchaseKey,
            ["refundAmount"] = (e as ReverseEntry)?.RefundAmount,
            ["reason"] = (e as AdjustmentCreditEntry)?.Reason ?? (e as AdjustmentDebitEntry)?.Reason,
            ["actor"] = (e as AdjustmentCreditEntry)?.Actor ?? (e as AdjustmentDebitEntry)?.Actor,
            ["transferTo"] = (e as TransferOutEntry)?.To is { } to ? Account(to) : null,
            ["transferFrom"] = (e as TransferInEntry)?.From is { } from ? Account(from) : null,
            ["redemptionKey"] = (e as RedemptionCancelledEntry)?.RedemptionKey,
            ["restoredAllocations"] = e is RedemptionCancelledEntry cancelled ? Allocations(cancelled.RestoredAllocations) : null,
        };
    }

    private static JsonArray Allocations(IReadOnlyList<LotAllocation> allocations) =>
        Array(allocations, a => new JsonObject { ["lot"] = a.Lot, ["points"] = a.Points });

    private static JsonObject Account(LoyaltyAccountId id) => new() { ["programmeId"] = id.ProgrammeId.Value, ["customerId"] = id.CustomerId.Value };

    private static JsonObject Lifecycle(CustomerLifecycle l) => new()
    {
        ["model"] = l.Model.Name,
        ["currentStage"] = l.CurrentStage.Id,
        ["highestStage"] = l.HighestStage.Id,
        ["engagementStatus"] = l.EngagementStatus.ToString(),
        ["evaluatedOn"] = Date(l.EvaluatedOn),
        ["history"] = Array(l.History, t => new JsonObject
        {
            ["from"] = t.From,
            ["to"] = t.To,
            ["at"] = Instant(t.At),
            ["kind"] = t.Kind.ToString(),
            ["reason"] = t.Reason,
            ["actor"] = t.Actor,
            ["ruleId"] = t.RuleId,
        }),
        ["touchpoints"] = Array(l.Touchpoints, t => new JsonObject
        {
            ["name"] = t.Name,
            ["openedAt"] = Instant(t.OpenedAt),
            ["ruleId"] = t.RuleId,
        }),
    };

    private static JsonObject Profile(CustomerProfile p, ProfileFieldRegistry registry)
    {
        // Registered fields by name: capabilities add fields (partial CustomerProfile) without changing the schema.
        var fields = new JsonObject();
        foreach (var field in registry.Fields)
        {
            fields[field.Name] = Scalar(field.GetValue(p));
        }
        return new JsonObject
        {
            ["fields"] = fields,
            ["attributes"] = Array(p.Attributes, a => new JsonObject
            {
                ["name"] = a.Name,
                ["text"] = a.Text,
                ["number"] = a.Number,
                ["flag"] = a.Flag,
                ["date"] = Date(a.Date),
            }),
            ["holdings"] = Array(p.Holdings, h => new JsonObject
            {
                ["productId"] = h.ProductId,
                ["category"] = h.Category,
                ["isActive"] = h.IsActive,
                ["openedOn"] = Date(h.OpenedOn),
                ["closedOn"] = Date(h.ClosedOn),
            }),
            ["purchaseStats"] = Array(p.PurchaseStats, st => new JsonObject
            {
                ["dimension"] = st.Dimension.ToString(),
                ["key"] = st.Key,
                ["count"] = st.Count,
                ["total"] = st.Total,
                ["firstDate"] = Date(st.FirstDate),
                ["lastDate"] = Date(st.LastDate),
            }),
            ["purchaseDays"] = Array(p.PurchaseDays, d => new JsonObject
            {
                ["dimension"] = d.Dimension.ToString(),
                ["key"] = d.Key,
                ["date"] = Date(d.Date),
            }),
        };
    }

    private static JsonNode? Scalar(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        int i => i,
        long l => l,
        decimal d => d,
        double d => d,
        LocalDate date => Date(date),
        Instant instant => Instant(instant),
        Enum e => e.ToString(),
        IEnumerable<string> set => Array(set, t => (JsonNode)JsonValue.Create(t)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static JsonObject Money(Money m) => new() { ["amount"] = m.Amount, ["currency"] = m.Currency.Code };

    private static string Instant(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static string? Date(LocalDate? date) => date is { } d ? LocalDatePattern.Iso.Format(d) : null;

    private static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> write)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(write(item));
        }
        return array;
    }
}
