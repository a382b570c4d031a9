using System.CommandLine;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Node.People;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury voucher restore</c>: restores (恢复) an own voucher voided by mistake and not reissued, to the state
/// and per-receiver status it was voided from; by two people on their USBKeys (the clerk asks, the checker approves).
/// </summary>
internal static class VoucherRestoreCommand
{
    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var vt = new Option<string>("--vt") { Description = "VtCode, e.g. 8202", Required = true };
        var no = new Option<string>("--no") { Description = "Voucher number (凭证号)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why it is restored (audited)", DefaultValueFactory = _ => "误作废，恢复" };
        var clerk = new Option<string>("--clerk") { Description = "Who asks for the restore", Required = true };
        var clerkPin = new Option<string>("--clerk-pin") { Description = "The clerk's USBKey PIN", Required = true };
        // Not required by the parser: a restore without a checker is one person alone, refused as such (exit 1), not a usage error.
        var checker = new Option<string?>("--checker", "--approver") { Description = "Who approves it (another person, a post that may void)" };
        var checkerPin = new Option<string?>("--checker-pin", "--approver-pin") { Description = "The checker's USBKey PIN" };
        var command = new Command("restore", "Restore a voided own voucher that was not reissued (恢复), by two people: back to the status it was voided from")
        {
            data, party, vt, no, reason, clerk, clerkPin, checker, checkerPin,
        };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var vtCode = result.GetValue(vt)!;
                var voucherNo = result.GetValue(no)!;
                var original = VtCode.TryParse(vtCode, out _) && VoucherNo.TryParse(voucherNo, out _)
                    ? node.Library.Versions(vtCode, voucherNo).FirstOrDefault(v => v.Origin == "own" && !v.IsReply)
                    : null;
                if (original is null)
                {
                    return Report.BadInput("NO-VOUCHER", $"{node.Party} 没有开具 {vtCode} {voucherNo}", $"{node.Party} issued no {vtCode} {voucherNo}");
                }

                if (Common.TryLoginTwo(node, original, "restore-refused", "a restore", (result.GetValue(clerk)!, result.GetValue(clerkPin)!), (result.GetValue(checker), result.GetValue(checkerPin)),
                    out var clerkSigner, out var checkerSigner) is { } refused)
                {
                    return refused;
                }

                using (clerkSigner)
                using (checkerSigner)
                {
                    // The clerk may see the voucher; the checker's post may void it (a restore undoes a void), each within their unit.
                    var asks = Authorization.Check(clerkSigner!.Actor, NodeAction.ReadVouchers, node.Party, original.Scope);
                    var approves = Authorization.Check(checkerSigner!.Actor, NodeAction.Void, node.Party, original.Scope);
                    if (asks != AuthorizationRejection.None || approves != AuthorizationRejection.None)
                    {
                        var (who, why) = asks != AuthorizationRejection.None ? (clerkSigner!, asks) : (checkerSigner!, approves);
                        return Report.Refused(why, $"{who.UserId} ({who.Post}) may not restore {vtCode} {voucherNo}", $"{who.UserId}（{who.Post}）");
                    }

                    var restored = node.Library.Run(session => node.Library.Restore(session, original.Id, clerkSigner!, checkerSigner!, result.GetValue(reason)!));
                    if (!restored.Ok)
                    {
                        return Report.Refused(restored.Rejection, restored.Message, $"{vtCode} {voucherNo}");
                    }

                    var after = node.Library.Find(original.Id)!;
                    Console.WriteLine($"已恢复 restored {vtCode} {voucherNo}: {after.State} {string.Join(" ", node.Library.Deliveries(original.Id).Select(d => $"{d.Receiver}:{(int)d.Status} {d.Status}"))}");
                    return Exit.Ok;
                }
            }
        });
        return command;
    }
}
