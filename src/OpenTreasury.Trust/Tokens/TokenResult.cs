namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// Why a token refused. The values are GM/T 0016 <c>SAR_*</c> codes, so a hardware token's answer passes
/// through unchanged and logs read the same for both kinds of token.
/// </summary>
public enum TokenError
{
    None = 0,                   // SAR_OK
    FileCorrupt = 0x0A000002,   // SAR_FAIL: the token's storage is damaged or was altered.
    InvalidParameter = 0x0A000006, // SAR_INVALIDPARAMERR
    KeyNotFound = 0x0A00001B,   // SAR_KEYNOTFOUNTERR (sic, as the headers spell it)
    PinIncorrect = 0x0A000024,  // SAR_PIN_INCORRECT
    PinLocked = 0x0A000025,     // SAR_PIN_LOCKED
    PinInvalid = 0x0A000026,    // SAR_PIN_INVALID: too short or too long.
    UserNotLoggedIn = 0x0A00002D, // SAR_USER_NOT_LOGGED_IN
}

/// <summary>
/// The answer of a token operation that has nothing to return. <see cref="RemainingRetries"/> is set by
/// PIN operations (tries left on the PIN that was checked) and is null elsewhere.
/// </summary>
public readonly record struct TokenResult(TokenError Error, string Message, int? RemainingRetries = null)
{
    public bool Succeeded => Error == TokenError.None;

    public static TokenResult Ok() => new(TokenError.None, "ok");

    /// <summary>A PIN was accepted; <paramref name="remainingRetries"/> is its counter after the check.</summary>
    public static TokenResult PinOk(int remainingRetries) => new(TokenError.None, "ok", remainingRetries);

    public static TokenResult Fail(TokenError error, string message, int? remainingRetries = null)
    {
        if (error == TokenError.None)
        {
            throw new ArgumentException("A failure needs an error code.", nameof(error));
        }

        return new(error, message, remainingRetries);
    }

    public static TokenResult<T> Ok<T>(T value) => new(TokenError.None, "ok", value);

    /// <summary>This failure, as the answer of an operation that would have returned a <typeparamref name="T"/>.</summary>
    public TokenResult<T> As<T>() =>
        Succeeded
            ? throw new InvalidOperationException("Only a failure carries over to another result type.")
            : new(Error, Message, default, RemainingRetries);
}

/// <summary>The answer of a token operation that returns a value on success (<see cref="Value"/> is default otherwise).</summary>
public readonly record struct TokenResult<T>(TokenError Error, string Message, T? Value, int? RemainingRetries = null)
{
    public bool Succeeded => Error == TokenError.None;

    /// <summary>This failure, as the answer of an operation that would have returned a <typeparamref name="TOther"/>.</summary>
    public TokenResult<TOther> As<TOther>() =>
        Succeeded
            ? throw new InvalidOperationException("Only a failure carries over to another result type.")
            : new(Error, Message, default, RemainingRetries);

    /// <summary>The value, or an exception carrying the code and message: for callers that cannot go on without it.</summary>
    public T ValueOrThrow() => Succeeded && Value is not null ? Value : throw new TokenException(Error, Message);
}

/// <summary>A token refusal turned into an exception by a caller that chose <see cref="TokenResult{T}.ValueOrThrow"/>.</summary>
public sealed class TokenException(TokenError error, string message) : Exception(message)
{
    public TokenError Error { get; } = error;
}
