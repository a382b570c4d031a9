using System.CommandLine;
using System.Globalization;
using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Checks;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// The emergency plan's paper fallback (应急预案, 应急纸质): <c>treasury paper take</c> (the sender: a stuck 8202 is withdrawn
/// from the electronic path by two people and printed marked 应急纸质), <c>treasury paper register</c> (the bank's counter:
/// the printed voucher is paid once against the quota, whatever the unit's mode) and <c>treasury paper reconcile</c>
/// (once the link is back: every paper voucher against what its bank paid).
/// </summary>
internal static class PaperCommands
{
    public static Command Create() => new("paper", "The emergency plan (应急预案): take a stuck 8202 to paper (应急纸质), register it at the bank's counter, reconcile the paper vouchers")
    {
        Take(),
        Register(),
        Reconcile(),
    };

    private static Command Take()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        party.DefaultValueFactory = _ => "finance";
        party.Required = false;
        var no = new Option<string>("--no") { Description = "The 8202's number (凭证号)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why it goes to paper (audited), e.g. 与代理银行链路中断", Required = true };
        var clerk = new Option<string>("--clerk") { Description = "Who asks (their user id)", Required = true };
        var clerkPin = new Option<string>("--clerk-pin") { Description = "The clerk's USBKey PIN", Required = true };
        // Not required by the parser: one person alone is refused as such (exit 1), not a usage error.
        var checker = new Option<string?>("--checker") { Description = "Who approves (another person, a checking post: 国库股审核, 复核员, 复核); they print it" };
        var checkerPin = new Option<string?>("--checker-pin") { Description = "The checker's USBKey PIN" };
        var output = new Option<FileInfo>("--out") { Description = "The PDF to write (every page marked 应急纸质)", Required = true };
        var division = Common.DivisionOption();
        var command = new Command("take", "Take an 8202 its bank has not received to paper: its undelivered message is withdrawn (never sent), the voucher marked, and printed 应急纸质 by the checker")
        {
            data, party, no, division, reason, clerk, clerkPin, checker, checkerPin, output,
        };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var voucherNo = result.GetValue(no)!;
                var own = VoucherNo.TryParse(voucherNo, out _)
                    ? Common.OfOneDivision([.. node.Library.Versions(VoucherLibrary.PaperVtCode, voucherNo).Where(v => v.Origin == "own" && !v.IsReply)], result.GetValue(division), VoucherLibrary.PaperVtCode, voucherNo)
                    : [];
                if (own is null)
                {
                    return Exit.BadInput;
                }

                var voucher = own.Count > 0 ? own[0] : null;
                if (voucher is null)
                {
                    return Report.BadInput("NO-VOUCHER", $"{node.Party} 没有开具 8202 {voucherNo}", $"{node.Party} issued no 8202 {voucherNo}");
                }

                var path = result.GetValue(output)!.FullName;
                Common.RequireNew(path);
                if (Common.TryLoginTwo(node, voucher, "emergency-paper-refused", "the paper fallback", (result.GetValue(clerk)!, result.GetValue(clerkPin)!), (result.GetValue(checker), result.GetValue(checkerPin)),
                    out var clerkSigner, out var checkerSigner) is { } refused)
                {
                    return refused;
                }

                using (clerkSigner)
                using (checkerSigner)
                {
                    // The library checks both people's posts (TakeToPaper); the checker, who may manage messages, prints it.
                    var checkerActor = checkerSigner!.Actor;
                    var receivers = node.Library.Deliveries(voucher.Id).Select(d => d.Receiver).ToList();
                    if (receivers.Count != 1)
                    {
                        return Report.BadInput("PAPER-1", $"8202 {voucherNo} 的接收方不是唯一的代理银行", $"8202 {voucherNo} has {receivers.Count} receivers");
                    }

                    var taken = node.Library.Run(session => node.Library.TakeToPaper(session, voucher.Id, PartyId.Parse(receivers[0]), clerkSigner!, checkerSigner!, result.GetValue(reason)!));
                    if (!taken.Ok)
                    {
                        var why = taken.Rejection == LibraryRejection.IllegalTransition ? "（只有银行尚未收到、未作废的凭证才可转应急纸质）" : string.Empty;
                        return Report.Refused(taken.Rejection, taken.Message, $"8202 {voucherNo}{why}");
                    }

                    var print = node.Library.Print(voucher.Id, checkerActor);
                    if (print.Printed is not { } printed)
                    {
                        return Report.Refused(print.Rejection, print.Message, $"{checkerSigner.UserId}（{checkerSigner.Post}）");
                    }

                    Common.WriteNew(path, printed.Pdf);
                    Console.WriteLine($"已转应急纸质 8202 {voucherNo}（{receivers[0]}）：电子报文已撤回，不再发送；纸质凭证 {path}（{printed.Pages} 页，{printed.Seals} 个印章，{checkerSigner.Name} 打印）");
                    Console.WriteLine($"taken to paper: 8202 {voucherNo} for {receivers[0]}, its message withdrawn; printed to {path}");
                    return Exit.Ok;
                }
            }
        });
        return command;
    }

    private static Command Register()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        party.Description = "The bank whose counter takes the paper: bank-102, bank-103 …";
        var no = new Option<string>("--no") { Description = "The number printed on the paper 8202 (凭证号)", Required = true };
        var agency = new Option<string>("--agency") { Description = "The unit (预算单位代码)", Required = true };
        var func = new Option<string>("--func") { Description = "The functional class (支出功能分类), e.g. 2010301", Required = true };
        var amount = new Option<string>("--amount") { Description = "The amount in yuan as printed, e.g. 1234.50", Required = true };
        var payeeAccount = new Option<string>("--payee-acct") { Description = "The payee's account (收款人账号)", Required = true };
        var payeeName = new Option<string>("--payee-name") { Description = "The payee (收款人)", Required = true };
        var date = new Option<string?>("--date") { Description = "The pay date, YYYY-MM-DD (today when omitted)" };
        var clerkPin = new Option<string>("--clerk-pin") { Description = "The counter clerk's (经办, yhNNN_jb) USBKey PIN", Required = true };
        var reviewerPin = new Option<string>("--reviewer-pin") { Description = "The reviewer's (复核, yhNNN_fh) USBKey PIN", Required = true };
        var command = new Command("register", "The bank's counter pays a paper 8202 printed 应急纸质 (by its clerk and reviewer): once, within the quota, whatever the unit's mode; "
            + "an electronic 8202 with that number is then returned")
        {
            data, party, no, agency, func, amount, payeeAccount, payeeName, date, clerkPin, reviewerPin,
        };
        command.SetAction(result =>
        {
            if (!Amount.TryParseWire(result.GetValue(amount)!, out var money))
            {
                return Report.BadInput("BAD-AMOUNT", $"“{result.GetValue(amount)}”不是两位小数的金额", $"'{result.GetValue(amount)}' is not an amount with two decimals");
            }

            var day = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);
            if (result.GetValue(date) is { } text && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            {
                return Report.BadInput("BAD-DATE", $"“{text}”不是 YYYY-MM-DD 格式的日期", $"'{text}' is not a date in the form YYYY-MM-DD");
            }

            // The counter's two people act with the PINs given here, each checked first so a wrong one is reported as such.
            var pins = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node, (_, user) => pins.GetValueOrDefault(user)))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                if (node.BankDesk is not { } desk)
                {
                    return Report.BadInput("PAPER-2", $"{node.Party} 不是代理银行，纸质凭证在银行柜面登记", $"{node.Party} is not an agent bank");
                }

                var (clerk, reviewer) = desk.CounterPeople;
                foreach (var (user, pin) in new[] { (clerk, result.GetValue(clerkPin)!), (reviewer, result.GetValue(reviewerPin)!) })
                {
                    if (!Common.TryLogin(node, user, pin, out var signer))
                    {
                        return Exit.Refused;
                    }

                    signer!.Dispose();
                    pins[user] = pin;
                }

                var registered = desk.RegisterEmergencyPaperPayment(
                    new PaperPayment(result.GetValue(no)!, result.GetValue(agency)!, result.GetValue(func)!, money, result.GetValue(payeeAccount)!, result.GetValue(payeeName)!), day);
                if (!registered.Ok)
                {
                    return Report.Refused(registered.Rejection, registered.Message, registered.Message);
                }

                Console.WriteLine($"{registered.Message}（应急纸质，{node.Party}）");
                return Exit.Ok;
            }
        });
        return command;
    }

    private static Command Reconcile()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        party.DefaultValueFactory = _ => "finance";
        party.Required = false;
        var json = Common.JsonOption();
        var command = new Command("reconcile", "Reconcile the vouchers a party took to paper against what each bank paid for their numbers: on paper, electronically, not yet, "
            + "another amount, or twice; exit 1 on a mismatch")
        {
            data, party, json,
        };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var lines = EmergencyPaperReconciliation.Reconcile(node, [.. network.Banks]);
                var mismatches = lines.Count(l => l.Mismatch);
                if (result.GetValue(json))
                {
                    Common.WriteJson(new
                    {
                        balanced = mismatches == 0,
                        vouchers = lines.Select(l => new
                        {
                            vtCode = l.VtCode,
                            voucherNo = l.VoucherNo,
                            agencyCode = l.AgencyCode,
                            receiver = l.Receiver,
                            amount = l.AmountFen is { } fen ? new Amount(fen).ToWire() : null,
                            outcome = l.Outcome.ToString(),
                            paidOnPaper = new Amount(l.PaperFen).ToWire(),
                            paidElectronically = new Amount(l.ElectronicFen).ToWire(),
                        }),
                    });
                }
                else
                {
                    Console.WriteLine($"应急纸质凭证对账 {node.Party}：共 {lines.Count} 张");
                    foreach (var l in lines)
                    {
                        Console.WriteLine($"  {l.VtCode} {l.VoucherNo,-16} {l.Receiver,-9} {(l.AmountFen is { } fen ? new Amount(fen).ToWire() : "-"),14}  {l.Outcome.ChineseName()} ({l.Outcome})"
                            + $"  纸质 {new Amount(l.PaperFen).ToWire()}  电子 {new Amount(l.ElectronicFen).ToWire()}");
                    }

                    Console.WriteLine(mismatches == 0 ? "平衡 balanced: every paper voucher was paid once, or is not yet paid" : $"不平衡 {mismatches} 张不符 mismatched");
                }

                return mismatches == 0 ? Exit.Ok : Exit.Refused;
            }
        });
        return command;
    }
}
