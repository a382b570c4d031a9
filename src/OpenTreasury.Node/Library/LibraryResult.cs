namespace OpenTreasury.Node.Library;

/// <summary>Why the library refused an operation; stable codes shown by CLI, API and audit alike.</summary>
public enum LibraryRejection
{
    None = 0,
    InvalidVoucher = 1,            // content breaks the catalogue's rules
    WrongSender = 2,               // this party may not send this VtCode
    WrongReceiver = 3,             // that party may not receive this VtCode
    DuplicateVoucherNo = 4,        // the number is taken (a returned voucher is reissued under a new one)
    NotFound = 5,
    IllegalTransition = 6,         // not legal in the voucher's current state
    SameMakerAndChecker = 7,       // entry and approval by the same person (不相容岗位)
    NotStamped = 8,                // a required stamp position is empty
    ReasonRequired = 9,
    NoReplyForType = 10,           // this VtCode has no 回单
    UnknownUser = 11,
    NoSuchPosition = 12,          // the template has no such position for this party
    AlreadyStamped = 13,
    NotAuthorizedToStamp = 14,    // not the maker / approver, or not of the voucher's unit
    NoUsableSeal = 15,            // no valid, unrevoked seal of the kind (granted to the post)
    TokenRefused = 16,            // the USBKey refused (wrong PIN, locked, …)
    UserLocked = 17,              // locked by an administrator
    ProcessingFailed = 18,        // the desk's work on a received voucher threw; it was refused with the reason
    Tampered = 19,                // the stored bytes do not match their digest or their stamps: shown, printed and exported nowhere
    Reissued = 20,                // voided and reissued under a new number: the reissue stands, the original is not restored
    PresentedStampInvalid = 21,   // a stamp made on the person's own machine is not of their seal, this voucher, this position or now
    PostMayNot = 22,              // a person's post (or unit) may not take part in this operation (the authorization table says no)
}

/// <summary>The outcome of a library operation: the voucher it concerns, or why it was refused.</summary>
public sealed record LibraryResult(LibraryRejection Rejection, string Message, long VoucherId = 0)
{
    public bool Ok => Rejection == LibraryRejection.None;

    public static LibraryResult Done(long voucherId, string message = "") => new(LibraryRejection.None, message, voucherId);

    public static LibraryResult Refused(LibraryRejection rejection, string message, long voucherId = 0) => new(rejection, message, voucherId);

    public LibraryResult ThrowIfRefused() =>
        Ok ? this : throw new LibraryRefusedException(this);
}

/// <summary>Thrown where a refusal means the caller has a bug (the demo's own plan, for instance).</summary>
public sealed class LibraryRefusedException : Exception
{
    public LibraryRefusedException()
    {
    }

    public LibraryRefusedException(string message)
        : base(message)
    {
    }

    public LibraryRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LibraryRefusedException(LibraryResult result)
        : base($"{result?.Rejection}: {result?.Message}")
    {
        Result = result;
    }

    public LibraryResult? Result { get; }
}
