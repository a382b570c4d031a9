using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Library;

/// <summary>What a check of a stored voucher found: nothing when it is intact, else each difference named.</summary>
public sealed record IntegrityVerdict(long VoucherId, string Subject, IReadOnlyList<string> Problems)
{
    public bool Intact => Problems.Count == 0;

    public override string ToString() => Intact ? $"{Subject}: intact" : $"{Subject}: {string.Join("; ", Problems)}";
}

/// <summary>A stored voucher failed its integrity check where it was about to be shown, printed or exported.</summary>
public sealed class TamperedVoucherException : Exception
{
    public TamperedVoucherException()
    {
    }

    public TamperedVoucherException(string message)
        : base(message)
    {
    }

    public TamperedVoucherException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TamperedVoucherException(IntegrityVerdict verdict)
        : base(verdict?.ToString())
    {
        Verdict = verdict;
    }

    public IntegrityVerdict? Verdict { get; }
}

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Checks a stored voucher against itself before anyone reads it: its bytes against their SM3 digest,
    /// the columns the library keeps beside them (key, amount, the voucher index) against the bytes, and every stamp as a
    /// GB/T 38540 signature over the exact bytes at its position. A change made to the file behind the
    /// library's back shows here as a named difference, never as an altered voucher with its seals.
    /// </summary>
    public IntegrityVerdict CheckIntegrity(StoredVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var subject = $"{voucher.Sender}:{voucher.AdmDivCode}/{voucher.StYear}/{voucher.VtCode}/{voucher.VoucherNo}/v{voucher.Version}";
        var problems = new List<string>();
        var dataHash = DataHash.Of(voucher.InnerXml); // once for the digest and every stamp
        if (dataHash.ToHex() != voucher.Digest)
        {
            problems.Add("the stored bytes do not match their SM3 digest");
        }

        var read = VoucherXml.Read(voucher.InnerXml);
        if (!read.IsSuccess)
        {
            problems.Add($"the stored bytes are not a voucher: {string.Join("; ", read.Errors)}");
            return new IntegrityVerdict(voucher.Id, subject, problems);
        }

        var content = read.Value;
        if (content.Key != voucher.Key)
        {
            problems.Add($"the bytes are voucher {content.Key}, the library's columns say {voucher.Key}");
        }

        var type = voucher.Type;
        long? amount = type.HeaderAmountField is { } field && content[field] is { Length: > 0 } text && Amount.TryParseWire(text, out var parsed, out _) ? parsed.Fen : null;
        if (amount != voucher.AmountFen)
        {
            problems.Add($"the bytes say {type.HeaderAmountField} {Show(amount)}, the library's column {Show(voucher.AmountFen)}");
        }

        using (var connection = database.Connect())
        {
            problems.AddRange(VoucherIndex.Differences(connection, voucher.Id, content)); // what Finance's books read instead of the bytes
        }

        foreach (var stamp in Stamps(voucher.Id))
        {
            var check = signing.VerifyStamp(dataHash, stamp.Der, SignatureServer.PropertyInfo(voucher.Key, (int)voucher.Version, stamp.Position, (int)voucher.TemplateVersion), _ => null);
            if (!check.IsValid)
            {
                problems.Add($"stamp {stamp.Position}: {check.Failure} ({(int)check.Failure}): {check.Message}");
            }
        }

        return new IntegrityVerdict(voucher.Id, subject, problems);
    }

    /// <summary>The voucher, checked: throws <see cref="TamperedVoucherException"/> when it is not intact.</summary>
    public StoredVoucher RequireIntact(StoredVoucher voucher)
    {
        var verdict = CheckIntegrity(voucher);
        return verdict.Intact ? voucher : throw new TamperedVoucherException(verdict);
    }

    private static string Show(long? fen) => fen is { } value ? new Amount(value).ToWire() : "none";
}
