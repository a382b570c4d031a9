using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

using OpenTreasury.Domain;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;

namespace OpenTreasury.Transport.Http;

/// <summary>The receiving side of the HTTP transport: a node's inbox and its certificate, as two endpoints.</summary>
public static class NodeInboxEndpoints
{
    /// <summary>
    /// Maps <c>POST /node/inbox</c>: opens the envelope (refusals are 400, or 413 when too large, with RFC 7807 problem
    /// details carrying the stable <see cref="EnvelopeRejection"/> code), hands the message to
    /// <paramref name="receiver"/> and answers its <see cref="DeliveryAnswer"/> sealed to the sender; a receiver that
    /// cannot store now answers 503, so the sender retries. And <c>GET /node/certificate</c>: this node's institution
    /// certificate (PEM), which senders check against the network's CA chain before they seal to it.
    /// </summary>
    public static IEndpointConventionBuilder MapNodeInbox(this IEndpointRouteBuilder endpoints, IMessageReceiver receiver, NodeEnvelopes envelopes)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(envelopes);
        if (receiver.Party != envelopes.Credential.Party)
        {
            throw new ArgumentException($"The inbox of {receiver.Party} cannot open envelopes with {envelopes.Credential.Party}'s credential.", nameof(envelopes));
        }

        var certificatePem = Pem.WriteCertificate(envelopes.Credential.Certificate);
        var group = endpoints.MapGroup(string.Empty);
        group.MapPost("/" + NodeHttp.InboxPath, (Func<HttpContext, Task<IResult>>)(context => ReceiveAsync(context, receiver, envelopes)));
        group.MapGet("/" + NodeHttp.CertificatePath, () => Results.Text(certificatePem, NodeHttp.CertificateMediaType));
        return group;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, IMessageReceiver receiver, NodeEnvelopes envelopes)
    {
        var bytes = await ReadEnvelopeAsync(context).ConfigureAwait(false);
        if (bytes is null)
        {
            return Refusal(receiver, EnvelopeRejection.TooLarge, $"the request body is above {Limits.NodeEnvelopeBytesMax} bytes");
        }

        var opening = envelopes.Open(bytes);
        if (!opening.IsOpen)
        {
            return Refusal(receiver, opening.Rejection, opening.Reason);
        }

        var header = opening.Envelope!.Header;
        if (header.Kind is not ((ushort)MessageKind.Voucher or (ushort)MessageKind.Status or (ushort)MessageKind.Recovery))
        {
            return Refusal(receiver, EnvelopeRejection.Malformed, $"kind {header.Kind} is not a message an inbox takes");
        }

        var message = new TransportMessage(header.MessageId, header.From, header.To, (MessageKind)header.Kind, opening.Envelope.Payload) { Sequence = header.Sequence };
        DeliveryAnswer answer;
        try
        {
            answer = receiver.Receive(message);
        }
        catch (TransportException e)
        {
            // The store is busy: nothing was recorded, the sender keeps the message and tries again.
            return Results.Problem(
                title: "节点暂时无法接收消息", detail: $"{receiver.Party} 暂时无法保存消息，请稍后重试：{e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var sealedAnswer = envelopes.Seal(opening.Envelope.SenderCertificate, header.MessageId, NodeHttp.AnswerKind, NodeHttp.EncodeAnswer(answer));
        return Results.Bytes(sealedAnswer, NodeHttp.EnvelopeMediaType);
    }

    /// <summary>The request body, or null when it is larger than one envelope may be (read no further than that).</summary>
    private static async Task<byte[]?> ReadEnvelopeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Limits.NodeEnvelopeBytesMax;
        }

        if (context.Request.ContentLength > Limits.NodeEnvelopeBytesMax)
        {
            return null;
        }

        try
        {
            return await HttpBodies.ReadBoundedAsync(context.Request.Body, Limits.NodeEnvelopeBytesMax, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static IResult Refusal(IMessageReceiver receiver, EnvelopeRejection rejection, string reason)
    {
        var title = NodeHttp.ChineseTitle(rejection);
        return Results.Problem(
            title: title,
            detail: $"{receiver.Party} 拒收该信封：{title}（代码 {rejection} = {(int)rejection}）。",
            statusCode: rejection == EnvelopeRejection.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
            type: $"urn:opentreasury:envelope-rejection:{rejection}",
            extensions: new Dictionary<string, object?>
            {
                [NodeHttp.CodeField] = rejection.ToString(),
                [NodeHttp.CodeNumberField] = (int)rejection,
                ["reason"] = reason,
            });
    }
}
