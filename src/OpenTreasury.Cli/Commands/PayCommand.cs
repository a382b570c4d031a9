using System.CommandLine;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury pay</c>: a budget unit's authorized payment (8202) on Finance's platform, entered and
/// stamped by the clerk, approved and stamped by the finance head, each with their USBKey and PIN;
/// then delivered and handled by the bank. One person alone is refused.
/// </summary>
internal static class PayCommand
{
    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var agency = new Option<string>("--agency") { Description = "The paying budget unit, e.g. 101001", Required = true };
        var functional = new Option<string>("--class") { Description = "Functional class (支出功能分类), e.g. 2010301", Required = true };
        var amount = new Option<string>("--amount") { Description = "Amount in yuan with two decimals, e.g. 1234.50", Required = true };
        var payee = new Option<string>("--payee") { Description = "Payee name (收款人)", DefaultValueFactory = _ => "芒市鑫源文具商行" };
        var payeeAccount = new Option<string>("--payee-account") { Description = "Payee account number", DefaultValueFactory = _ => "2504110109000012346" };
        var payeeBank = new Option<string>("--payee-bank") { Description = "Payee's bank", DefaultValueFactory = _ => "中国工商银行芒市支行" };
        var voucherNo = new Option<string?>("--no") { Description = "Voucher number (a new one is made when omitted)" };
        var clerk = new Option<string>("--clerk") { Description = "User who enters the voucher (经办人), e.g. dw101001_jbr", Required = true };
        var clerkPin = new Option<string>("--clerk-pin") { Description = "The clerk's USBKey PIN", Required = true };
        var approver = new Option<string>("--approver") { Description = "User who approves it (财务负责人), another person, e.g. dw101001_fzr", Required = true };
        var approverPin = new Option<string>("--approver-pin") { Description = "The approver's USBKey PIN", Required = true };
        var command = new Command("pay", "A budget unit pays from its quota: an 8202 entered, approved and stamped by two people on their USBKeys, and delivered to its bank")
        {
            data, agency, functional, amount, payee, payeeAccount, payeeBank, voucherNo, clerk, clerkPin, approver, approverPin,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, "finance", out var network, out var finance))
            {
                return 2;
            }

            using (network)
            {
                var unitCode = result.GetValue(agency)!;
                var unit = network.Master.Units.FirstOrDefault(u => u.AgencyCode == unitCode);
                if (unit is null || unit.Classes.All(c => c.ExpFuncCode != result.GetValue(functional)))
                {
                    Console.Error.WriteLine($"error: no unit {unitCode} with functional class {result.GetValue(functional)} in this network");
                    return 2;
                }

                if (!Amount.TryParseWire(result.GetValue(amount), out var money, out var amountError))
                {
                    Console.Error.WriteLine($"error: {amountError}");
                    return 2;
                }

                var number = result.GetValue(voucherNo) ?? $"ZF{DateTime.UtcNow:yyyyMMddHHmmssfff}";
                if (!VoucherNo.TryParse(number, out _))
                {
                    Console.Error.WriteLine($"error: '{number}' is not a voucher number");
                    return 2;
                }

                if (!TryLogin(finance, result.GetValue(clerk)!, result.GetValue(clerkPin)!, out var clerkSigner)
                    || !TryLogin(finance, result.GetValue(approver)!, result.GetValue(approverPin)!, out var approverSigner))
                {
                    return 1;
                }

                using (clerkSigner)
                using (approverSigner)
                {
                    var order = new PaymentOrder(number, unitCode, result.GetValue(functional)!, money,
                        new Payee(result.GetValue(payeeAccount)!, result.GetValue(payee)!, result.GetValue(payeeBank)!, "102751100019"), "办公用品采购");
                    var date = DateOnly.FromDateTime(DateTime.UtcNow);
                    var submitted = finance.FinanceDesk!.SubmitPayment(order, date, clerkSigner!, approverSigner!);
                    if (!submitted.Ok)
                    {
                        Console.Error.WriteLine($"refused: {submitted.Rejection} ({(int)submitted.Rejection}): {submitted.Message}");
                        return 1;
                    }

                    await network.SettleAsync(cancellationToken).ConfigureAwait(false);
                    var delivery = finance.Library.Deliveries(submitted.VoucherId).Single();
                    Console.WriteLine($"8202 {number} {money.ToWire()} (人民币{money.ToChineseCapitals()}) from {unit.Name} to bank-{unit.BankCode}: {(int)delivery.Status} {delivery.Status}{(delivery.Reason is null ? string.Empty : " — " + delivery.Reason)}");
                    Console.WriteLine("the bank's desk pays it within quota or returns it when its people work their queue (`treasury demo --data DIR` does)");
                    return delivery.Status == Domain.Vouchers.VoucherStatus.Received ? 0 : 1;
                }
            }
        });
        return command;
    }

    private static bool TryLogin(TreasuryNode finance, string userId, string pin, out Signer? signer)
    {
        var login = finance.Users.Login(userId, pin, out signer);
        if (!login.Ok)
        {
            Console.Error.WriteLine($"refused: {login.Rejection} ({(int)login.Rejection}){(login.RemainingRetries is { } left ? $", {left} tries left" : string.Empty)}: {login.Message}");
        }

        return login.Ok;
    }
}
