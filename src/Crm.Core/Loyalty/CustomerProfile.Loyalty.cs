using Crm.Core.Loyalty;

namespace Crm.Core.Segmentation;

/// <summary>The loyalty capability's fields on the segmentation read model; filled by <see cref="LoyaltyAccount.ProjectTo"/>.</summary>
public partial class CustomerProfile
{
    /// <summary>The loyalty programme the member's account is in.</summary>
    [ProfileField("loyalty.programme", Description = "Loyalty programme id.")]
    public string? LoyaltyProgramme { get; set; }

    /// <summary>The member's effective loyalty tier (e.g. <c>GOLD</c>).</summary>
    [ProfileField("loyalty.tier", Description = "Effective loyalty tier, e.g. GOLD.")]
    public string? LoyaltyTier { get; set; }

    /// <summary>The tier's position in the programme's ladder (0 = lowest), for "at least this tier" rules.</summary>
    [ProfileField("loyalty.tierRank", Description = "Position of the tier in the ladder (0 = lowest).")]
    public int? LoyaltyTierRank { get; set; }

    /// <summary>Spendable points.</summary>
    [ProfileField("loyalty.points", Description = "Available (spendable) loyalty points.")]
    public long? LoyaltyPoints { get; set; }

    /// <summary>Points earned but still pending.</summary>
    [ProfileField("loyalty.pendingPoints", Description = "Loyalty points earned but not yet spendable.")]
    public long? LoyaltyPendingPoints { get; set; }

    /// <summary>Points ever earned from purchases and events.</summary>
    [ProfileField("loyalty.lifetimePoints", Description = "Loyalty points ever earned (before returns).")]
    public long? LoyaltyLifetimePoints { get; set; }
}
