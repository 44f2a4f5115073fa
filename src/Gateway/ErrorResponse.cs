namespace CloudSentinel.Gateway;

/// <summary>The body of a refusal: what went wrong and, when one field is to blame, which.</summary>
public sealed record ErrorResponse(string Message, string? Field = null);
