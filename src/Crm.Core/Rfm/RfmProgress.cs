namespace Crm.Core.Rfm;

/// <summary>Where an RFM computation is, in a <see cref="RfmProgress"/> report.</summary>
public enum RfmStage
{
    /// <summary>Input rows are being read and aggregated per customer; reported every 65,536 rows.</summary>
    Reading = 0,

    /// <summary>The computation finished: every customer is scored. Reported once, last.</summary>
    Completed = 1,
}

/// <summary>
/// Progress of an RFM computation, reported through <see cref="RfmOptions.Progress"/>: while a purchase stream (or a
/// database's per-customer groups) is read, and once at the end. Columnar input is aggregated in one pass too fast to be
/// worth interrupting, so it reports <see cref="RfmStage.Completed"/> only.
/// </summary>
/// <param name="Stage">Reading, or completed.</param>
/// <param name="Rows">Input rows read so far: purchases, columnar rows, or per-customer groups from the database.</param>
/// <param name="Customers">Customers scored; 0 until <see cref="RfmStage.Completed"/>.</param>
public readonly record struct RfmProgress(RfmStage Stage, long Rows, int Customers)
{
    /// <summary>How many rows pass between two <see cref="RfmStage.Reading"/> reports.</summary>
    public const int ReportInterval = 65_536;
}
