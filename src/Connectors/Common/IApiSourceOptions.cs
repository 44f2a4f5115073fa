namespace CloudSentinel.Connectors;

/// <summary>What every API source's options carry that <see cref="ApiConnector{TOptions}"/> needs: the name, the call budget and the retries.</summary>
public interface IApiSourceOptions
{
    /// <summary>The value every record of the source carries in <c>Source</c>.</summary>
    string Source { get; }

    /// <summary>Most API calls of one poll, retries included.</summary>
    int RequestBudget { get; }

    RetryOptions Retry { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is wrong.</summary>
    void Validate();
}
