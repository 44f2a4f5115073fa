namespace CloudSentinel.Gateway.Console;

/// <summary>Section "Console": the read-only cost console served at /, and its login.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Serve the console and its login at all (the JSON APIs it reads are always there).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a one-time login link works; it works once.</summary>
    public TimeSpan LoginLinkLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a console session lasts after login (not extended by use).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Sessions and unused login links one gateway keeps; beyond it, logins are refused until some expire.</summary>
    public int MaxSessions { get; set; } = 10_000;

    public ConsoleOptions Validate()
    {
        if (LoginLinkLifetime < TimeSpan.FromSeconds(10) || LoginLinkLifetime > TimeSpan.FromHours(1)) throw new ArgumentException("Console:LoginLinkLifetime must be between 10 seconds and 1 hour");
        if (SessionLifetime < TimeSpan.FromMinutes(1) || SessionLifetime > TimeSpan.FromDays(7)) throw new ArgumentException("Console:SessionLifetime must be between 1 minute and 7 days");
        if (MaxSessions < 1) throw new ArgumentException("Console:MaxSessions must be at least 1");
        return this;
    }
}
