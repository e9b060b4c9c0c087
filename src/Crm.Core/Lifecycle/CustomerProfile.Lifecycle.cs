using Crm.Core.Lifecycle;

namespace Crm.Core.Segmentation;

/// <summary>The lifecycle capability's fields on the segmentation read model; filled by <see cref="CustomerLifecycle.ProjectTo"/>.</summary>
public partial class CustomerProfile
{
    /// <summary>The name of the customer's lifecycle model (e.g. <c>b2c</c>), when they have a lifecycle.</summary>
    [ProfileField("lifecycle.model", Description = "Lifecycle model name, e.g. b2c or b2b.")]
    public string? LifecycleModel { get; set; }

    /// <summary>The current lifecycle stage id (e.g. <c>repeat-customer</c>).</summary>
    [ProfileField("lifecycle.stage", Description = "Current lifecycle stage id, e.g. repeat-customer.")]
    public string? LifecycleStage { get; set; }

    /// <summary>The current stage's position on the ladder (0 = lowest), for "at least this stage" rules.</summary>
    [ProfileField("lifecycle.stageRank", Description = "Position of the current stage on the ladder (0 = lowest).")]
    public int? LifecycleStageRank { get; set; }

    /// <summary>The highest lifecycle stage ever reached.</summary>
    [ProfileField("lifecycle.highestStage", Description = "Highest lifecycle stage reached.")]
    public string? HighestLifecycleStage { get; set; }

    /// <summary>The engagement status at the last evaluation.</summary>
    [ProfileField("lifecycle.engagement", Description = "Engagement status: None, Active, AtRisk, Lapsed, Churned, Reactivated.")]
    public EngagementStatus? EngagementStatus { get; set; }
}
