namespace Crm.Core.Lifecycle;

/// <summary>Thrown when a stage id is not part of the customer's <see cref="LifecycleModel"/>.</summary>
public sealed class UnknownLifecycleStageException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model that was asked.</param>
    /// <param name="stageId">The unknown stage id.</param>
    public UnknownLifecycleStageException(string modelName, string stageId)
        : base($"Lifecycle model '{modelName}' has no stage '{stageId}'. Use one of the ids in LifecycleModel.Stages.")
    {
        ModelName = modelName;
        StageId = stageId;
    }

    /// <summary>The model that was asked.</summary>
    public string ModelName { get; }

    /// <summary>The unknown stage id.</summary>
    public string StageId { get; }
}

/// <summary>
/// Thrown when a stage change goes the wrong way: <see cref="CustomerLifecycle.Advance"/> to the current or a
/// lower stage, or <see cref="CustomerLifecycle.Regress"/> to the current or a higher stage.
/// </summary>
public sealed class IllegalLifecycleTransitionException : CrmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="from">The current stage id.</param>
    /// <param name="to">The requested stage id.</param>
    /// <param name="advice">What to do instead.</param>
    public IllegalLifecycleTransitionException(string from, string to, string advice)
        : base($"Cannot move from lifecycle stage '{from}' to '{to}': {advice}")
    {
        From = from;
        To = to;
    }

    /// <summary>The current stage id.</summary>
    public string From { get; }

    /// <summary>The requested stage id.</summary>
    public string To { get; }
}
