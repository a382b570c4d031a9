using System.CommandLine;
using OpenTreasury.Business;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Printing.Vouchers;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury voucher list|show|export|verify</c>: look into a party's voucher library.</summary>
internal static class VoucherCommands
{
    public static Command Create() => new("voucher", "Read, export and verify the vouchers of a party's library (电子凭证库)")
    {
        List(), Show(), Export(), Verify(), Sign(), Chain(), Reissue(), Print(),
        VoucherQueryCommand.Create(), VoucherRestoreCommand.Create(),
    };

    private static Command List()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var vt = new Option<string?>("--vt") { Description = "Only this VtCode, e.g. 8202" };
        var json = Common.JsonOption();
        var command = new Command("list", "List the vouchers in a party's library with their status") { data, party, vt, json };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out _, out var node))
            {
                return 2;
            }

            var rows = node.Library.List(result.GetValue(vt), limit: 100_000).Select(v => Row(node.Library, v)).ToList();
            if (result.GetValue(json))
            {
                Common.WriteJson(rows);
                return 0;
            }

            // A node of several divisions names each voucher's: their numbers repeat from one division to the next.
            var several = node.Master.Divisions.Count > 1;
            Console.WriteLine($"{(several ? $"{"AdmDiv",-7}" : string.Empty)}{"VtCode",-6} {"VoucherNo",-22} {"Ver",3} {"Kind",-4} {"Origin",-8} {"State",-10} {"Amount",16}  Status per party");
            foreach (var r in rows)
            {
                Console.WriteLine($"{(several ? $"{r.AdmDivCode,-7}" : string.Empty)}{r.VtCode,-6} {r.VoucherNo,-22} {r.Version,3} {(r.Reply ? "回单" : "凭证"),-4} {r.Origin,-8} {r.State,-10} {r.Amount ?? "-",16}  {string.Join(" ", r.Deliveries.Select(d => $"{d.Receiver}:{d.Status}"))}");
            }

            Console.WriteLine($"{rows.Count} voucher(s)");
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var (data, party, vt, no, version, division) = KeyOptions();
        var json = Common.JsonOption();
        var command = new Command("show", "Show one voucher: fields, details, amount in capitals (大写), stamps and status") { data, party, vt, no, version, division, json };
        command.SetAction(result =>
        {
            if (!TryFind(result, data, party, vt, no, version, division, out var node, out var voucher))
            {
                return 2;
            }

            var content = voucher.Content;
            var type = voucher.Type;
            var stamps = node.Library.Stamps(voucher.Id);
            var view = new
            {
                voucher = Row(node.Library, voucher),
                name = type.Name,
                amountInCapitals = voucher.AmountFen is { } fen ? new Domain.Money.Amount(fen).ToChineseCapitals() : null,
                header = content.Header.ToDictionary(f => f.Name, f => f.Value),
                details = content.Details.Select(d => d.Fields.ToDictionary(f => f.Name, f => f.Value)).ToList(),
                stamps = stamps.Select(s => new { s.Position, s.Signer, s.SignedAt, bytes = s.Der.Length }).ToList(),
                digestSm3 = voucher.Digest,
                reason = voucher.Reason,
                unsignedAttach = voucher.Attach.Length == 0 ? null : voucher.Attach,
            };
            if (result.GetValue(json))
            {
                Common.WriteJson(view);
                return 0;
            }

            Console.WriteLine($"{type.Name} {voucher.VtCode} No.{voucher.VoucherNo} v{voucher.Version}{(voucher.IsReply ? " 回单" : string.Empty)} — {voucher.Origin}, {voucher.State}");
            if (view.amountInCapitals is not null)
            {
                Console.WriteLine($"金额 {new Domain.Money.Amount(voucher.AmountFen!.Value).ToWire()}  大写 人民币{view.amountInCapitals}");
            }

            foreach (var field in content.Header)
            {
                Console.WriteLine($"  {field.Name,-20} {field.Value}");
            }

            for (var i = 0; i < content.Details.Count; i++)
            {
                Console.WriteLine($"  明细 {i + 1}: {string.Join("; ", content.Details[i].Fields.Select(f => $"{f.Name}={f.Value}"))}");
            }

            foreach (var stamp in stamps)
            {
                Console.WriteLine($"  签章 {stamp.Position} by {stamp.Signer} at {stamp.SignedAt} ({stamp.Der.Length} bytes)");
            }

            foreach (var delivery in node.Library.Deliveries(voucher.Id))
            {
                Console.WriteLine($"  状态 {delivery.Receiver}: {(int)delivery.Status} {delivery.Status}{(delivery.Reason is null ? string.Empty : " — " + delivery.Reason)}");
            }

            if (voucher.Attach.Length > 0)
            {
                Console.WriteLine($"  附言（未签名，签章不覆盖）unsigned attach: {voucher.Attach}");
            }

            Console.WriteLine($"  SM3 {voucher.Digest}");
            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var (data, party, vt, no, version, division) = KeyOptions();
        var output = new Option<FileInfo>("--out") { Description = "File to write the MOF envelope (GBK XML) to", Required = true };
        var command = new Command("export", "Write a voucher as the MOF envelope with its stamps, byte for byte as sent") { data, party, vt, no, version, division, output };
        command.SetAction(result =>
        {
            if (!TryFind(result, data, party, vt, no, version, division, out var node, out var voucher))
            {
                return 2;
            }

            var path = result.GetValue(output)!.FullName;
            Common.WriteNew(path, node.Library.Export(voucher.Id));
            Console.WriteLine($"wrote {voucher.VtCode} {voucher.VoucherNo} v{voucher.Version} to {path}");
            return 0;
        });
        return command;
    }

    private static Command Verify()
    {
        var file = new Argument<FileInfo>("file") { Description = "An exported MOF envelope" };
        var data = Common.DataOption(required: true);
        data.Description = "The network whose CA is the trust anchor";
        var command = new Command("verify", "Verify an exported voucher offline: content and every signature against the network's CA") { file, data };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            var folder = result.GetValue(data)!;
            if (!path.Exists)
            {
                return Report.Missing(path.FullName);
            }

            if (!TreasuryNetwork.Exists(folder.FullName))
            {
                return Report.NoNetwork(folder.FullName);
            }

            using var network = TreasuryNetwork.Open(folder.FullName, TimeProvider.System);
            var registry = new SealRegistry(network.Finance.Library.Database);
            var verdict = EnvelopeVerifier.Verify(File.ReadAllBytes(path.FullName), network.Trust.SealVerifier, registry.Find, network.Master.Templates());
            foreach (var stamp in verdict.Stamps)
            {
                Console.WriteLine($"{stamp.Voucher} {stamp.Position} {stamp.PositionName}: {stamp.SealName}, signer {stamp.Signer}, signed {stamp.SigningTime}: "
                    + (stamp.Valid ? "valid" : $"INVALID {stamp.Failure} ({(int)stamp.Failure}): {stamp.Reason}"));
            }

            foreach (var problem in verdict.Problems)
            {
                Console.WriteLine($"problem: {problem}");
            }

            if (MofFormat.Read(File.ReadAllBytes(path.FullName)) is { IsSuccess: true } read)
            {
                foreach (var body in read.Value.Bodies.Where(b => b.Attach.Length > 0))
                {
                    Console.WriteLine($"{body.Key}/v{body.Version} 附言（未签名，签章不覆盖）unsigned attach: {body.Attach}");
                }
            }

            Console.WriteLine(verdict.Valid ? $"verified: content and all {verdict.Stamps.Count} stamps are valid" : "NOT verified");
            return verdict.Valid ? 0 : 1;
        });
        return command;
    }

    private static Command Sign()
    {
        var file = new Argument<FileInfo>("file") { Description = "A MOF envelope, e.g. one written by `voucher export`" };
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        party.Description = "The party whose node key signs (finance, pboc, bank-102 …)";
        var output = new Option<FileInfo>("--out") { Description = "Where to write the re-signed envelope", Required = true };
        var command = new Command("sign", "Re-stamp every position of a MOF file with one party's business seal and key (a test aid: shows what `voucher verify` says of a voucher stamped by the wrong party)")
        {
            file, data, party, output,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                return Report.Missing(path.FullName);
            }

            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out _, out var node))
            {
                return 2;
            }

            var read = MofFormat.Read(File.ReadAllBytes(path.FullName));
            if (!read.IsSuccess)
            {
                return Report.BadInput("BAD-FILE", $"文件不是有效的 MOF 凭证报文：{string.Join("；", read.Errors)}", string.Join("; ", read.Errors));
            }

            var now = TimeProvider.System.GetUtcNow();
            var own = new SealRegistry(node.Library.Database).List()
                .FirstOrDefault(seal => seal.OwnerParty == node.Party.ToString() && seal.Type == Domain.Seals.SealType.BusinessSeal && seal.RevokedAt is null);
            if (own is null || !ElectronicSeal.TryParse(own.Der, out var eseal, out _))
            {
                return Report.BadInput("NO-SEAL", $"{node.Party} 没有可用的业务专用章", $"{node.Party} has no business seal to stamp with");
            }

            var bodies = read.Value.Bodies.Select(b => b with
            {
                Stamps = [.. b.Stamps.Select(s => s with { Der = node.Library.Signing.StampAsInstitution(eseal!, b.InnerVoucher, SignatureServer.PropertyInfo(b.Key, b.Version, s.Position, SignatureServer.TemplateVersionOf(b.Stamps) ?? Domain.Seals.StampTemplate.DefaultVersion), now).Der })],
            });
            Common.WriteNew(result.GetValue(output)!.FullName, MofFormat.Write(new MofEnvelope([.. bodies])));
            Console.WriteLine($"re-signed {read.Value.Bodies.Count} voucher(s) as {node.Party} into {result.GetValue(output)!.FullName}");
            return 0;
        });
        return command;
    }

    private static Command Chain()
    {
        var (data, party, vt, no, _, division) = KeyOptions();
        var json = Common.JsonOption();
        var command = new Command("chain", "The chain of a voucher: original → returned → voided → reissued, asked with any of its numbers") { data, party, vt, no, division, json };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return 2;
            }

            using (network)
            {
                var own = node.Library.Versions(result.GetValue(vt)!, result.GetValue(no)!).Where(v => v.Origin == "own").ToList();
                if (Common.OfOneDivision(own, result.GetValue(division), result.GetValue(vt)!, result.GetValue(no)!) is not { } ofOne)
                {
                    return Exit.BadInput;
                }

                var chain = node.Library.Chain(result.GetValue(vt)!, result.GetValue(no)!, ofOne.Count > 0 ? ofOne[0].AdmDivCode : result.GetValue(division));
                if (chain.Count == 0)
                {
                    return Report.BadInput("NO-VOUCHER", $"{node.Party} 没有开具 {result.GetValue(vt)} {result.GetValue(no)}", $"{node.Party} issued no {result.GetValue(vt)} {result.GetValue(no)}");
                }

                if (result.GetValue(json))
                {
                    Common.WriteJson(chain.Select(c => new { c.VoucherNo, c.State, c.Reason, deliveries = c.Deliveries.Select(d => new { d.Receiver, code = (int)d.Status, status = d.Status.ToString(), d.Reason }) }));
                    return 0;
                }

                foreach (var entry in chain)
                {
                    Console.WriteLine($"{entry.VoucherNo,-24} {entry.State,-8} {string.Join(" ", entry.Deliveries.Select(d => $"{d.Receiver}:{(int)d.Status} {d.Status}"))}{(entry.Reason is null ? string.Empty : " — " + entry.Reason)}");
                }

                return 0;
            }
        });
        return command;
    }

    private static Command Reissue()
    {
        var (data, party, vt, no, _, division) = KeyOptions();
        var newNo = new Option<string>("--new-no") { Description = "The new voucher number", Required = true };
        var amount = new Option<string?>("--amount") { Description = "A corrected amount for a one-line voucher (e.g. within the quota left)" };
        var reason = new Option<string>("--reason") { Description = "Why it is voided and reissued", Required = true };
        var clerk = new Option<string>("--clerk") { Description = "Who enters the new voucher", Required = true };
        var clerkPin = new Option<string>("--clerk-pin") { Description = "The clerk's USBKey PIN", Required = true };
        var approver = new Option<string>("--approver") { Description = "Who approves it (another person)", Required = true };
        var approverPin = new Option<string>("--approver-pin") { Description = "The approver's USBKey PIN", Required = true };
        var command = new Command("reissue", "Void a voucher its receiver returned and issue it again under a new number, linked to the original (作废重开)")
        {
            data, party, vt, no, division, newNo, amount, reason, clerk, clerkPin, approver, approverPin,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return 2;
            }

            using (network)
            {
                if (Common.OfOneDivision([.. node.Library.Versions(result.GetValue(vt)!, result.GetValue(no)!).Where(v => v.Origin == "own" && !v.IsReply)], result.GetValue(division), result.GetValue(vt)!, result.GetValue(no)!) is not { } own)
                {
                    return Exit.BadInput;
                }

                var original = own.Count > 0 ? own[0] : null;
                if (original is null || !VoucherNo.TryParse(result.GetValue(newNo), out _))
                {
                    return Report.BadInput("NO-VOUCHER", $"{node.Party} 没有开具 {result.GetValue(vt)} {result.GetValue(no)}，或“{result.GetValue(newNo)}”不是有效的凭证号",
                        $"{node.Party} issued no {result.GetValue(vt)} {result.GetValue(no)}, or '{result.GetValue(newNo)}' is not a voucher number");
                }

                Domain.Money.Amount? corrected = null;
                if (result.GetValue(amount) is { } text)
                {
                    if (!Domain.Money.Amount.TryParseWire(text, out var parsed, out var error))
                    {
                        return Report.BadInput("BAD-AMOUNT", $"金额“{text}”无效：应为两位小数的正数", error);
                    }

                    corrected = parsed;
                }

                var maker = node.Users.Login(result.GetValue(clerk)!, result.GetValue(clerkPin)!, out var makerSigner);
                var checker = node.Users.Login(result.GetValue(approver)!, result.GetValue(approverPin)!, out var checkerSigner);
                if (!maker.Ok || !checker.Ok)
                {
                    var refused = maker.Ok ? checker : maker;
                    return Report.Refused(refused.TokenError == Trust.Tokens.TokenError.None ? refused.Rejection : refused.TokenError, refused.Message);
                }

                using (makerSigner)
                using (checkerSigner)
                {
                    var type = original.Type;
                    var reissued = node.Library.Run(session => node.Library.Reissue(session, original.Id, result.GetValue(newNo)!, voucher =>
                    {
                        if (corrected is not { } fixedAmount || type.HeaderAmountField is not { } header || type.DetailAmountField is not { } detail || voucher.Details.Count != 1)
                        {
                            return voucher;
                        }

                        return voucher.With(header, fixedAmount.ToWire()).WithDetails([voucher.Details[0].With(detail, fixedAmount.ToWire())]);
                    }, makerSigner!, checkerSigner!, result.GetValue(reason)!));
                    if (!reissued.Ok)
                    {
                        return Report.Refused(reissued.Rejection, reissued.Message);
                    }

                    await network.SettleAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var entry in node.Library.Chain(result.GetValue(vt)!, result.GetValue(newNo)!))
                    {
                        Console.WriteLine($"{entry.VoucherNo,-24} {entry.State,-8} {string.Join(" ", entry.Deliveries.Select(d => $"{d.Receiver}:{(int)d.Status} {d.Status}"))}");
                    }

                    return 0;
                }
            }
        });
        return command;
    }

    private static Command Print()
    {
        var (data, party, vt, no, version, division) = KeyOptions();
        var output = new Option<FileInfo>("--out") { Description = "The PDF to write", Required = true };
        var user = new Option<string>("--user") { Description = "Who prints (their user id, e.g. cz_sh); a reprint (重打) needs a checking post: 国库股审核, 复核员, 复核", Required = true };
        var pin = new Option<string>("--pin") { Description = "Their USBKey PIN", Required = true };
        var archive = new Option<bool>("--archive") { Description = "The black-and-white archive print (黑白打印存档联): text and seals in black and grey" };
        var command = new Command("print", "Print a voucher to PDF (可控打印) as a person logged in on their USBKey: its 联 with Chinese labels, 大写金额, every detail line over as many pages as needed, "
            + "every seal at real size; the first print needs the print right, a reprint a checking post and is marked 第 N 次打印（重打）; a voided voucher prints marked 作废")
        {
            data, party, vt, no, version, division, output, user, pin, archive,
        };
        command.SetAction(result =>
        {
            if (!TryFind(result, data, party, vt, no, version, division, out var node, out var voucher))
            {
                return Exit.BadInput;
            }

            var path = result.GetValue(output)!.FullName;
            Common.RequireNew(path);
            if (!Common.TryLogin(node, result.GetValue(user)!, result.GetValue(pin)!, out var signer))
            {
                return Exit.Refused;
            }

            using (signer)
            {
                var actor = signer!.Actor;
                var print = node.Library.Print(voucher.Id, actor, result.GetValue(archive));
                if (print.Printed is not { } printed)
                {
                    return Report.Refused(print.Rejection, print.Message, $"{signer.UserId}（{signer.Post}）");
                }

                Common.WriteNew(path, printed.Pdf);
                Console.WriteLine($"已打印 {voucher.VtCode} {voucher.VoucherNo} v{voucher.Version}：{VoucherPdf.PrintMark(printed.PrintNo)}，{signer.Name}（{signer.Post}），"
                    + $"{voucher.Content.Details.Count} 行明细共 {printed.Pages} 页，{printed.Seals} 个印章{(voucher.State == "voided" ? "，已作废" : string.Empty)}{(result.GetValue(archive) ? "，存档联" : string.Empty)}");
                Console.WriteLine($"printed {voucher.VtCode} {voucher.VoucherNo} v{voucher.Version} ({printed.Seals} seals) on {printed.Pages} page(s) to {path}{(printed.PrintNo > 1 ? $", reprint no. {printed.PrintNo}" : string.Empty)}");
                return Exit.Ok;
            }
        });
        return command;
    }

    private static (Option<DirectoryInfo> Data, Option<string> Party, Option<string> Vt, Option<string> No, Option<int?> Version, Option<string?> Division) KeyOptions() =>
        (Common.DataOption(required: true), Common.PartyOption(),
         new Option<string>("--vt") { Description = "VtCode, e.g. 8202", Required = true },
         new Option<string>("--no") { Description = "Voucher number (凭证号)", Required = true },
         new Option<int?>("--version") { Description = "Version (1 the voucher, 2 its 回单); the party's own newest when omitted" },
         Common.DivisionOption());

    private static bool TryFind(
        ParseResult result, Option<DirectoryInfo> data, Option<string> party, Option<string> vt, Option<string> no, Option<int?> version, Option<string?> division,
        out TreasuryNode node, out StoredVoucher voucher)
    {
        voucher = null!;
        if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out _, out node))
        {
            return false;
        }

        var vtCode = result.GetValue(vt)!;
        var voucherNo = result.GetValue(no)!;
        if (!VtCode.TryParse(vtCode, out _) || !VoucherNo.TryParse(voucherNo, out _))
        {
            Report.BadInput("BAD-KEY", $"“{vtCode}”/“{voucherNo}”不是有效的凭证类型/凭证号", $"'{vtCode}' / '{voucherNo}' is not a VtCode / voucher number");
            return false;
        }

        if (Common.OfOneDivision(node.Library.Versions(vtCode, voucherNo), result.GetValue(division), vtCode, voucherNo) is not { } versions)
        {
            return false;
        }

        var wanted = result.GetValue(version);
        var found = wanted is { } v
            ? versions.FirstOrDefault(x => x.Version == v)
            : versions.Where(x => x.Origin == "own").OrderByDescending(x => x.Version).FirstOrDefault() ?? versions.OrderByDescending(x => x.Version).FirstOrDefault();
        if (found is null)
        {
            Report.BadInput("NO-VOUCHER", $"{node.Party} 的凭证库中没有 {vtCode} {voucherNo}{(wanted is null ? string.Empty : $" 第 {wanted} 版")}",
                $"{node.Party} holds no {vtCode} {voucherNo}{(wanted is null ? string.Empty : $" version {wanted}")}");
            return false;
        }

        // Shown, printed or exported only when its bytes, columns and stamps agree (else Edge reports TAMPERED, exit 4).
        voucher = node.Library.RequireIntact(found);
        return true;
    }

    private static VoucherRow Row(VoucherLibrary library, StoredVoucher v) => new(
        v.VtCode, v.VoucherNo, v.Version, v.IsReply, v.Origin, v.Sender, v.State,
        v.AmountFen is { } fen ? new Domain.Money.Amount(fen).ToWire() : null, v.VouDate,
        [.. library.Deliveries(v.Id).Select(d => new DeliveryRow(d.Receiver, (int)d.Status, d.Status.ToString(), d.Reason))], v.AdmDivCode);

    private sealed record VoucherRow(string VtCode, string VoucherNo, long Version, bool Reply, string Origin, string Sender, string State, string? Amount, string VouDate, IReadOnlyList<DeliveryRow> Deliveries, string AdmDivCode);

    private sealed record DeliveryRow(string Receiver, int Code, string Status, string? Reason);
}
