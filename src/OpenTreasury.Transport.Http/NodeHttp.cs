using System.Text.Json;

using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Trust.Envelopes;

namespace OpenTreasury.Transport.Http;

/// <summary>What both ends of the HTTP transport agree on: paths, media types, envelope kinds, the answer's bytes and the refusals' words.</summary>
public static class NodeHttp
{
    public const string InboxPath = "node/inbox";
    public const string CertificatePath = "node/certificate";
    public const string EnvelopeMediaType = "application/octet-stream";
    public const string CertificateMediaType = "application/x-pem-file";

    /// <summary>The envelope kind of a receiver's answer; message kinds are <see cref="MessageKind"/>'s numbers (1, 2, 3).</summary>
    public const ushort AnswerKind = 0x8000;

    /// <summary>
    /// Bytes of a sealed answer or a problem document the sender reads back (the answer carries the receiver's certificate;
    /// the answer to a recovery request carries the messages it returns, up to a whole envelope's worth).
    /// </summary>
    public const int AnswerBytesMax = Domain.Limits.NodeEnvelopeBytesMax;

    /// <summary>Characters of the reason carried in an answer; longer reasons are cut, so an answer always fits <see cref="AnswerBytesMax"/>.</summary>
    public const int AnswerReasonLengthMax = 4_000;

    /// <summary>The problem-details extension with the stable code's name, and the one with its number.</summary>
    public const string CodeField = "code";
    public const string CodeNumberField = "codeNumber";

    /// <summary>The answer as it is sealed: <c>{"status":1,"reason":null}</c>.</summary>
    public static byte[] EncodeAnswer(DeliveryAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var reason = answer.Reason is { Length: > AnswerReasonLengthMax } tooLong ? tooLong[..AnswerReasonLengthMax] : answer.Reason;
        return JsonSerializer.SerializeToUtf8Bytes(new AnswerDocument((int)answer.Status, reason, answer.Data));
    }

    /// <summary>Reads an answer; false unless it is exactly received (1) or receive failed (2) with a bounded reason.</summary>
    public static bool TryDecodeAnswer(byte[] bytes, out DeliveryAnswer answer)
    {
        answer = null!;
        try
        {
            var document = JsonSerializer.Deserialize<AnswerDocument>(bytes);
            if (document is null || document.Status is not ((int)VoucherStatus.Received or (int)VoucherStatus.ReceiveFailed) || document.Reason?.Length > AnswerReasonLengthMax)
            {
                return false;
            }

            answer = document.Status == (int)VoucherStatus.Received && document.Reason is null && document.Data is null
                ? DeliveryAnswer.Accepted
                : new DeliveryAnswer((VoucherStatus)document.Status, document.Reason) { Data = document.Data };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The title of a refusal, for people (the detail adds the code and the reason).</summary>
    public static string ChineseTitle(EnvelopeRejection rejection) => rejection switch
    {
        EnvelopeRejection.Malformed => "信封格式错误",
        EnvelopeRejection.BadSignature => "信封签名验证失败",
        EnvelopeRejection.UntrustedSender => "发送方证书不受信任",
        EnvelopeRejection.SenderMismatch => "发送方与其证书不符",
        EnvelopeRejection.NotForThisNode => "信封不是发给本节点的",
        EnvelopeRejection.CannotDecrypt => "信封无法解密",
        EnvelopeRejection.TooLarge => "信封超过大小限制",
        EnvelopeRejection.Stale => "信封封装时间超出允许范围",
        EnvelopeRejection.UnsupportedVersion => "不支持的信封格式版本",
        EnvelopeRejection.WrongEnvironment => "测试环境与生产环境的消息互不接收",
        _ => "信封被拒收",
    };

    private sealed record AnswerDocument(
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] int Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("reason")] string? Reason,
        [property: System.Text.Json.Serialization.JsonPropertyName("data")] byte[]? Data);
}
