using System.ComponentModel.DataAnnotations;

namespace CloudSentinel.Gateway.Export;

/// <summary>Section "FocusExport": when an exported hour counts as complete in the export's metadata.</summary>
public sealed class FocusExportOptions
{
    public const string Section = "FocusExport";

    /// <summary>
    /// Hours after an hour ends before its buckets count as final. Cloud billing data arrives up to a day or
    /// two late and is restated, so the default is 48; the metadata marks younger hours incomplete.
    /// </summary>
    [Range(0, 24 * 366)]
    public int CompleteAfterHours { get; set; } = 48;
}
