namespace CloudSentinel.Gateway;

/// <summary>The body of a refusal: what went wrong and, when one field is to blame, which.</summary>
public sealed record ErrorResponse(string Message, string? Field = null)
{
    /// <summary>400 blaming one query or body field; the message reads "field: reason".</summary>
    public static IResult Problem(string field, string reason) => BadRequest($"{field}: {reason}", field);

    /// <summary>400 with the whole message given, and the field to blame when there is one.</summary>
    public static IResult BadRequest(string message, string? field = null) =>
        Results.Json(new ErrorResponse(message, field), statusCode: StatusCodes.Status400BadRequest);
}
