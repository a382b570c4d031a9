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
        var summary = new Option<string>("--summary") { Description = "What the payment is for (用途), e.g. 2026年3月工资", DefaultValueFactory = _ => "办公用品采购" };
        var lines = new Option<FileInfo?>("--lines")
        {
            Description = "The voucher's detail lines (明细), e.g. a payroll (代发工资): a UTF-8 CSV of economic class, its name, amount, remark per line " +
                "(30101,基本工资,5230.00,职工0001 张三), at most 10,000; they must add up to --amount",
        };
        var voucherNo = new Option<string?>("--no") { Description = "Voucher number, the request's idempotency key: the same payment again returns the first result, another under it is refused (the next of Finance's 8202 sequence when omitted)" };
        var clerk = new Option<string>("--clerk") { Description = "User who enters the voucher (经办人), e.g. dw101001_jbr", Required = true };
        var clerkPin = new Option<string>("--clerk-pin") { Description = "The clerk's USBKey PIN", Required = true };
        var approver = new Option<string>("--approver") { Description = "User who approves it (财务负责人), another person, e.g. dw101001_fzr", Required = true };
        var approverPin = new Option<string>("--approver-pin") { Description = "The approver's USBKey PIN", Required = true };
        var command = new Command("pay", "A budget unit pays from its quota: an 8202 entered, approved and stamped by two people on their USBKeys, and delivered to its bank")
        {
            data, agency, functional, amount, payee, payeeAccount, payeeBank, summary, lines, voucherNo, clerk, clerkPin, approver, approverPin,
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
                    return Report.BadInput("NO-UNIT", $"网络中没有预算单位 {unitCode} 的功能分类 {result.GetValue(functional)}",
                        $"no unit {unitCode} with functional class {result.GetValue(functional)} in this network");
                }

                if (!Amount.TryParseWire(result.GetValue(amount), out var money, out var amountError) || money <= Amount.Zero)
                {
                    amountError ??= "the amount must be above zero";
                    return Report.BadInput("BAD-AMOUNT", $"金额“{result.GetValue(amount)}”无效：应为以元为单位、两位小数的正数，如 1234.50", amountError);
                }

                List<PaymentLine> details = [];
                if (result.GetValue(lines) is { } file && !TryReadLines(file, details, out var linesError))
                {
                    return Report.BadInput("BAD-LINES", linesError, $"the detail lines in {file.FullName} do not read");
                }

                if (details.Count > 0 && Amount.Sum(details.Select(d => d.Amount)) is var linesTotal && linesTotal != money)
                {
                    return Report.BadInput("LINES-TOTAL", $"明细金额合计 {linesTotal.ToWire()} 与支付金额 {money.ToWire()} 不符",
                        $"the lines add up to {linesTotal.ToWire()}, not --amount {money.ToWire()}");
                }

                var number = result.GetValue(voucherNo);
                if (number is not null && !VoucherNo.TryParse(number, out _))
                {
                    return Report.BadInput("BAD-VOUCHER-NO", $"“{number}”不是有效的凭证号", $"'{number}' is not a voucher number");
                }

                if (!Common.TryLogin(finance, result.GetValue(clerk)!, result.GetValue(clerkPin)!, out var clerkSigner)
                    || !Common.TryLogin(finance, result.GetValue(approver)!, result.GetValue(approverPin)!, out var approverSigner))
                {
                    return Exit.Refused;
                }

                using (clerkSigner)
                using (approverSigner)
                {
                    var order = new PaymentOrder(number, unitCode, result.GetValue(functional)!, money,
                        new Payee(result.GetValue(payeeAccount)!, result.GetValue(payee)!, result.GetValue(payeeBank)!, "102751100019"), result.GetValue(summary)!)
                    {
                        Lines = details,
                    };
                    var date = DateOnly.FromDateTime(DateTime.UtcNow);
                    var submitted = finance.FinanceDesk!.SubmitPayment(order, date, clerkSigner!, approverSigner!);
                    if (!submitted.Ok)
                    {
                        return Report.Refused(submitted.Rejection, submitted.Message, number);
                    }

                    // Committed: what is printed from here on is read back from the library, not from the command line.
                    var stored = finance.Library.Find(submitted.VoucherId)!;
                    var paid = new Amount(stored.AmountFen!.Value);
                    Console.WriteLine($"已保存 stored 8202 {stored.VoucherNo} {paid.ToWire()}（人民币{paid.ToChineseCapitals()}）{unit.Name} → bank-{unit.BankCode}{(details.Count > 0 ? $"，明细 {details.Count} 笔" : string.Empty)}");
                    // This voucher only: other people's messages are their workers' (or their own commands') to carry.
                    await finance.Worker.DeliverDueAsync(Domain.Limits.DeliveryBatchMax, submitted.VoucherId, cancellationToken).ConfigureAwait(false);
                    var delivery = finance.Library.Deliveries(submitted.VoucherId).Single();
                    Console.WriteLine($"送达 bank-{unit.BankCode}: {(int)delivery.Status} {delivery.Status}{(delivery.Reason is null ? string.Empty : " — " + delivery.Reason)}");
                    Console.WriteLine("代理银行在处理其待办时于额度内支付或退回（`treasury demo --data DIR` 即会处理）");
                    return delivery.Status == Domain.Vouchers.VoucherStatus.Received ? Exit.Ok : Exit.Environment;
                }
            }
        });
        return command;
    }

    /// <summary>Reads the detail lines' CSV (<see cref="PaymentLines"/>); false and a Chinese line naming the first fault.</summary>
    private static bool TryReadLines(FileInfo file, List<PaymentLine> lines, out string error)
    {
        string[] rows;
        try
        {
            rows = File.ReadAllLines(file.FullName, System.Text.Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"无法读取明细文件 {file.FullName}：{(e is FileNotFoundException or DirectoryNotFoundException ? "文件不存在" : "没有读取权限或读取失败")}";
            return false;
        }

        return PaymentLines.TryRead(rows, lines, out error);
    }
}
