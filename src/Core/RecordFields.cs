namespace CloudSentinel.Core;

/// <summary>What every record kind's sent fields share: its position, and the fields sent with the wrong type.</summary>
public abstract class RecordFields
{
    public long Index { get; init; }

    // Most records have no invalid field; the set is made on the first one.
    private HashSet<string>? _invalidFields;

    /// <summary>Whether any field was sent with the wrong JSON type (its error is already reported).</summary>
    public bool HasInvalidFields => _invalidFields is { Count: > 0 };

    /// <summary>Whether <paramref name="field"/> was sent with the wrong JSON type: its error is already reported.</summary>
    public bool IsInvalid(string field) => _invalidFields?.Contains(field) == true;

    public void MarkInvalid(string field) => (_invalidFields ??= new HashSet<string>(StringComparer.Ordinal)).Add(field);
}
