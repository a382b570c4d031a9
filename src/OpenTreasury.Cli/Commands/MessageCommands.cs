using System.CommandLine;
using OpenTreasury.Business;
using OpenTreasury.Domain;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.People;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury messages list|retry|discard</c>: the operator's tools on a node's outbox (差错处理) — what did
/// not get through and why, one parked message sent again now, or one discarded with a reason (never deleted).
/// Retry and discard are a logged-in person's whose post may (<see cref="NodeAction.ManageMessages"/>).
/// </summary>
internal static class MessageCommands
{
    public static Command Create() => new("messages", "The outbox of a party: parked and rejected messages, retry or discard one (差错处理)")
    {
        List(), Retry(), Discard(),
    };

    private static Command List()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var json = Common.JsonOption();
        var command = new Command("list", "List the messages that did not get through: parked after the attempts, discarded, or rejected by the receiver") { data, party, json };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var entries = OutboxOperator.List(node.Library);
                if (result.GetValue(json))
                {
                    Common.WriteJson(entries);
                    return Exit.Ok;
                }

                Console.WriteLine($"{"Id",6} {"State",-9} {"Receiver",-9} {"Voucher",-24} {"Attempts",8}  Reason");
                foreach (var e in entries)
                {
                    Console.WriteLine($"{e.Id,6} {e.State,-9} {e.Receiver,-9} {(e.VtCode is null ? "-" : $"{e.VtCode} {e.VoucherNo}"),-24} {e.Attempts,8}  {e.Reason ?? "-"}");
                }

                Console.WriteLine($"共 {entries.Count} 条");
                return Exit.Ok;
            }
        });
        return command;
    }

    private static Command Retry()
    {
        var (data, party, id, user, pin) = Options();
        var command = new Command("retry", "Put a parked message back for delivery now and try to deliver it once (重发)") { data, party, id, user, pin };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var messageId = result.GetValue(id);
                if (!TryOperator(node, result.GetValue(user)!, result.GetValue(pin)!, $"message {messageId}", out var actor))
                {
                    return Exit.Refused;
                }

                var retried = node.Library.Run(session => OutboxOperator.Retry(session, messageId, actor));
                if (!retried.Ok)
                {
                    return Report.Refused(retried.Rejection, retried.Message, messageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                // This message's voucher only: everyone else's messages are their workers' to carry.
                await node.Worker.DeliverDueAsync(Limits.DeliveryBatchMax, retried.VoucherId, cancellationToken).ConfigureAwait(false);
                var after = OutboxOperator.Find(node.Library, messageId)!;
                if (after.State != "delivered")
                {
                    return Report.Fail(new Failure("NOT-DELIVERED", Exit.Environment, $"消息 {messageId} 已放回队列，但这次仍未送达 {after.Receiver}：{after.Reason}",
                        $"message {messageId} is queued again but was not delivered to {after.Receiver} this time: {after.Reason}"));
                }

                Console.WriteLine($"已送达 delivered message {messageId} ({after.MessageId}) to {after.Receiver}");
                return Exit.Ok;
            }
        });
        return command;
    }

    private static Command Discard()
    {
        var (data, party, id, user, pin) = Options();
        var reason = new Option<string>("--reason") { Description = "Why it is discarded (kept with the message and in the audit log)", Required = true };
        var command = new Command("discard", "Discard a parked message with a reason: it stays in the outbox, marked, and is never delivered again") { data, party, id, reason, user, pin };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var messageId = result.GetValue(id);
                if (!TryOperator(node, result.GetValue(user)!, result.GetValue(pin)!, $"message {messageId}", out var actor))
                {
                    return Exit.Refused;
                }

                var discarded = node.Library.Run(session => OutboxOperator.Discard(session, messageId, actor, result.GetValue(reason)!));
                if (!discarded.Ok)
                {
                    return Report.Refused(discarded.Rejection, discarded.Message, messageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                Console.WriteLine($"已作废 discarded message {messageId}: {result.GetValue(reason)}");
                return Exit.Ok;
            }
        });
        return command;
    }

    /// <summary>Logs the person in and asks the authorization table; a refusal is audited like the server's (refused-ManageMessages).</summary>
    private static bool TryOperator(TreasuryNode node, string userId, string pin, string subject, out string actor)
    {
        actor = userId;
        if (!Common.TryLogin(node, userId, pin, out var signer))
        {
            return false;
        }

        using (signer)
        {
            if (Authorization.Allows(node.Party.Kind, signer!.Post, NodeAction.ManageMessages))
            {
                return true;
            }

            node.Library.Run(session =>
            {
                session.Audit(userId, "refused-" + NodeAction.ManageMessages, subject, $"{AuthorizationRejection.PostMayNot} ({(int)AuthorizationRejection.PostMayNot})");
                return LibraryResult.Done(0);
            });
            Report.Refused(AuthorizationRejection.PostMayNot, $"{userId} ({signer.Post}) may not manage messages at {node.Party}", $"{userId}（{signer.Post}）");
            return false;
        }
    }

    private static (Option<System.IO.DirectoryInfo> Data, Option<string> Party, Option<long> Id, Option<string> User, Option<string> Pin) Options() =>
        (Common.DataOption(required: true), Common.PartyOption(),
         new Option<long>("--id") { Description = "The message's id, as `messages list` shows it", Required = true },
         new Option<string>("--user") { Description = "Who does it (a checking post: 国库股审核, 复核员, 复核)", Required = true },
         new Option<string>("--pin") { Description = "Their USBKey PIN", Required = true });
}
