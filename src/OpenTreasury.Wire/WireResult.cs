using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire;

/// <summary>Stable codes of what can be wrong with a message on the wire.</summary>
public enum WireErrorCode
{
    /// <summary>Not well-formed XML, truncated, or not the shape the format requires.</summary>
    Malformed = 1,

    /// <summary>The declared encoding is not GBK (or GB18030), or the bytes are not valid in it.</summary>
    WrongEncoding = 2,

    /// <summary>A DOCTYPE (and so any entity declaration) is present; we never process DTDs.</summary>
    DtdProhibited = 3,

    /// <summary>The message, a field value, a note or a stamp is longer than its limit.</summary>
    TooLarge = 4,

    /// <summary>More bodies, details, fields or stamps than the limits allow.</summary>
    TooMany = 5,

    /// <summary>An element the format does not have at that place.</summary>
    UnexpectedElement = 6,

    /// <summary>A missing, unknown or invalid attribute.</summary>
    InvalidAttribute = 7,

    /// <summary>Text that should be strict base64 is not.</summary>
    InvalidBase64 = 8,

    /// <summary>VoucherCount differs from the number of VoucherBody elements.</summary>
    CountMismatch = 9,

    /// <summary>The inner voucher's key differs from its VoucherBody's attributes.</summary>
    BodyMismatch = 10,

    /// <summary>Two stamps at the same position on one voucher.</summary>
    DuplicateStamp = 11,

    /// <summary>A stamp position name that is not of the form <c>cz_qm</c>, <c>yh_hd_qm</c>, ….</summary>
    InvalidStampPosition = 12,

    /// <summary>The voucher's content breaks a rule of <see cref="VoucherRules"/>; see <see cref="WireError.Problem"/>.</summary>
    Content = 13,

    /// <summary>The same voucher (key, version and flag) twice in one envelope.</summary>
    DuplicateBody = 14,
}

/// <summary>
/// One thing wrong with a message: which voucher (its key <c>VtCode/AdmDivCode/StYear/VoucherNo</c>, or
/// <c>body N</c> when the key itself is unreadable), which field or attribute, which detail line (1-based).
/// </summary>
public sealed record WireError(
    WireErrorCode Code, string? Voucher, string? Field, int? DetailLine, string Message, VoucherProblemCode? Problem = null)
{
    public override string ToString()
    {
        var code = Problem is { } problem ? $"{Code}/{problem}" : Code.ToString();
        var voucher = Voucher is null ? string.Empty : $" in voucher {Voucher}";
        var line = DetailLine is { } l ? $" detail {l}" : string.Empty;
        var field = Field is null ? string.Empty : $" field {Field}";
        return $"{code}{voucher}{line}{field}: {Message}";
    }
}

/// <summary>Either a value read from the wire or the errors that stopped it; reading never throws.</summary>
public sealed class WireResult<T>
{
    private readonly T? _value;

    internal WireResult(T? value, IReadOnlyList<WireError> errors)
    {
        _value = value;
        Errors = errors;
    }

    public bool IsSuccess => Errors.Count == 0;

    /// <summary>The value; throws when reading failed, listing the errors.</summary>
    public T Value => IsSuccess
        ? _value!
        : throw new InvalidOperationException("The wire input was rejected: " + string.Join("; ", Errors));

    public IReadOnlyList<WireError> Errors { get; }
}

/// <summary>Builds <see cref="WireResult{T}"/>s.</summary>
public static class WireResult
{
    public static WireResult<T> Success<T>(T value) => new(value, []);

    public static WireResult<T> Failure<T>(IEnumerable<WireError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        WireError[] list = [.. errors];
        if (list.Length == 0)
        {
            throw new ArgumentException("A failure needs at least one error.", nameof(errors));
        }

        return new WireResult<T>(default, list);
    }

    public static WireResult<T> Failure<T>(WireError error) => Failure<T>([error]);
}
