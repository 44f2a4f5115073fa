namespace CloudSentinel.Connectors;

/// <summary>A cloud billing API that can be polled for the costs of a window.</summary>
public interface ICostSource
{
    /// <summary>The value every record of this source carries in <c>Source</c>.</summary>
    string Source { get; }

    /// <summary>API calls made by this instance since it was created, retries included.</summary>
    long ApiCallsTotal { get; }

    /// <summary>
    /// Reads the whole window and returns one record per bucket key. It returns nothing partial:
    /// a poll that cannot read every page throws, so a re-read never replaces a full bucket with a part of it.
    /// </summary>
    /// <exception cref="ConnectorAuthException">Credentials were refused; stop this source until they are fixed.</exception>
    /// <exception cref="RequestBudgetExceededException">The window needs more calls than one poll may make.</exception>
    /// <exception cref="ConnectorException">The API kept failing or answered something unreadable.</exception>
    Task<PollResult> PollAsync(PollWindow window, CancellationToken cancellationToken = default);
}
