namespace CloudSentinel.Cli;

/// <summary>What scripts can rely on.</summary>
public static class ExitCodes
{
    /// <summary>Everything loaded.</summary>
    public const int Ok = 0;

    /// <summary>Loaded, but some rows or records were left out; the summary lists them.</summary>
    public const int PartlyRejected = 1;

    /// <summary>Bad arguments or an unreadable local file; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The gateway refused the request (bad file, unknown source, bad dates); nothing was loaded.</summary>
    public const int Refused = 3;

    /// <summary>The gateway could not be reached or failed, or a backfill day failed (the days before it are loaded).</summary>
    public const int Failed = 4;

    /// <summary>The source's credentials were refused; it is stopped until they are fixed.</summary>
    public const int CredentialsRefused = 5;
}
