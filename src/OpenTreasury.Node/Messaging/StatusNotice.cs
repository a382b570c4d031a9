using System.Text.Json;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Signatures;

namespace OpenTreasury.Node.Messaging;

/// <summary>
/// A receiver's signed word about a voucher it holds: signed for (3), sign-for failed (4) or
/// returned (5), with the reason. It travels as its exact JSON bytes plus the sender's signature
/// over them, so what is verified is what was signed.
/// </summary>
public sealed record StatusNotice(
    string From, string To, string VtCode, string AdmDivCode, int StYear, string VoucherNo, int Version, int Status, string? Reason)
{
    public string MessageId => $"{From}>{To}:status:{VtCode}/{AdmDivCode}/{StYear}/{VoucherNo}/v{Version}:{Status}";

    public static StatusNotice For(PartyId from, PartyId to, VoucherKey key, int version, ReceiverState status, string? reason) =>
        new(from.ToString(), to.ToString(), key.VtCode.Value, key.AdmDivCode.Value, key.StYear.Value, key.VoucherNo.Value, version, (int)status, reason);

    public byte[] Seal(ISignatureServer signing, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(signing);
        var notice = JsonSerializer.SerializeToUtf8Bytes(this);
        var signature = signing.Sign(notice, $"status:{MessageId}", now);
        // The timestamp fixes when the notice was signed, so a key revoked later cannot sign backdated notices.
        var timestamp = signing.Trust.TimestampAuthority.Stamp(VoucherSignature.TryParse(signature, out var parsed) ? parsed.SignatureValue : signature);
        return JsonSerializer.SerializeToUtf8Bytes(new SealedNotice(notice, signature, timestamp));
    }

    /// <summary>Opens and verifies a sealed notice; null with the reason when it is not genuine.</summary>
    public static StatusNotice? Open(byte[] payload, PartyId expectedFrom, ISignatureServer signing, out string reason)
    {
        ArgumentNullException.ThrowIfNull(signing);
        try
        {
            var sealedNotice = JsonSerializer.Deserialize<SealedNotice>(payload);
            if (sealedNotice?.Notice is null || sealedNotice.Signature is null)
            {
                reason = "the status notice is empty";
                return null;
            }

            var notice = JsonSerializer.Deserialize<StatusNotice>(sealedNotice.Notice);
            if (notice is null || notice.From != expectedFrom.ToString())
            {
                reason = "the status notice does not come from the party that sent it";
                return null;
            }

            if (notice.Status is not ((int)ReceiverState.SignedFor or (int)ReceiverState.SignForFailed or (int)ReceiverState.Returned)
                || notice.Reason?.Length > Domain.Limits.ReasonLengthMax)
            {
                reason = $"the status notice carries status {notice.Status} or a reason longer than {Domain.Limits.ReasonLengthMax} characters";
                return null;
            }

            var check = signing.Verify(sealedNotice.Notice, sealedNotice.Signature, $"status:{notice.MessageId}", expectedFrom);
            if (check.Failure != SignatureFailure.None || !VoucherSignature.TryParse(sealedNotice.Signature, out var signature))
            {
                reason = $"the status notice's signature fails: {check.Message}";
                return null;
            }

            var timestamp = sealedNotice.Timestamp is null
                ? new TimestampCheck(TimestampFailure.Malformed, "the status notice has no timestamp", null)
                : signing.Trust.TimestampVerifier.Verify(sealedNotice.Timestamp, signature.SignatureValue);
            if (!timestamp.IsValid)
            {
                reason = $"the status notice's timestamp fails: {timestamp.Failure}: {timestamp.Message}";
                return null;
            }

            var signer = new Org.BouncyCastle.X509.X509Certificate(signature.CertificateDer);
            var atTimestamp = signing.Trust.Validator.Validate(signer, timestamp.Time!.Value, CertificateUse.Institution);
            if (!atTimestamp.IsValid)
            {
                reason = $"the status notice's signer certificate is not valid at its timestamp {timestamp.Time:u}: {atTimestamp.Failure}: {atTimestamp.Message}";
                return null;
            }

            reason = string.Empty;
            return notice;
        }
        catch (JsonException ex)
        {
            reason = $"the status notice is malformed: {ex.Message}";
            return null;
        }
    }

    /// <summary>When a sealed notice was signed (its signature's signing time), read without checking it; null when it does not read.</summary>
    public static DateTimeOffset? SignedAt(byte[] payload)
    {
        try
        {
            return JsonSerializer.Deserialize<SealedNotice>(payload) is { Signature: { } signature } && VoucherSignature.TryParse(signature, out var parsed) ? parsed.SigningTime : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record SealedNotice(byte[] Notice, byte[] Signature, byte[]? Timestamp);
}
