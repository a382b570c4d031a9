using System.CommandLine;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Seals;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury seal make|revoke|list|show|inspect</c>: electronic seals (GB/T 38540).</summary>
internal static class SealCommands
{
    public static Command Create() => new("seal", "Electronic seals (电子印章, GB/T 38540 V4): made and filed by Finance, granted to posts, revocable")
    {
        Make(), Revoke(), List(), Show(), Inspect(),
    };

    private static Command Make()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        party.Description = "The owner of the seal: finance (also for its budget units), pboc, bank-NNN";
        var type = new Option<string>("--type") { Description = "finance (财务专用章), business (业务专用章), transfer (转讫章), legal (法人章) or personal (私章)", Required = true };
        var agency = new Option<string?>("--agency") { Description = "For a budget unit's seal: the unit's code" };
        var holder = new Option<string?>("--holder") { Description = "For a personal seal: the user who holds it (their USBKey certificate is bound into the seal)" };
        var text = new Option<string?>("--text") { Description = "For a legal-person seal: the legal representative's name" };
        var grant = new Option<string[]>("--grant") { Description = "Posts allowed to have the seal server stamp with this public seal (repeatable)", AllowMultipleArgumentsPerToken = true };
        var (admin, adminPin, checker, checkerPin) = TwoAdministrators();
        var command = new Command("make", "Make a seal with the seal-maker key (two Finance administrators, maker and checker), register it with its owner and file it with every node")
        {
            data, party, type, agency, holder, text, grant, admin, adminPin, checker, checkerPin,
        };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return 2;
            }

            using (network)
            {
                if (!TwoAdministratorsLoggedIn(network, result, admin, adminPin, checker, checkerPin, "制章"))
                {
                    return 1;
                }

                if (!TryType(result.GetValue(type)!, out var sealType))
                {
                    return Report.BadInput("SEAL-TYPE", $"未知的印章类型“{result.GetValue(type)}”", $"unknown seal type '{result.GetValue(type)}'");
                }

                if (sealType == SealType.Personal)
                {
                    var userId = result.GetValue(holder);
                    if (userId is null || node.Users.Find(userId) is null)
                    {
                        return Report.BadInput("SEAL-HOLDER", $"个人名章需要 --holder（{node.Party} 的用户）", $"a personal seal needs --holder, a user of {node.Party}");
                    }

                    var personal = network.MakePersonalSeal(node, userId);
                    Console.WriteLine($"made {personal.Name} ({personal.EsId}), valid {personal.ValidFrom[..10]} to {personal.ValidTo[..10]}, filed with {network.Nodes.Count} nodes");
                    return 0;
                }

                var unitCode = result.GetValue(agency);
                if (unitCode is not null && (node.Party != PartyId.Finance || network.Master.Units.All(u => u.AgencyCode != unitCode)))
                {
                    return Report.BadInput("NO-UNIT", $"{unitCode} 不是财政平台上的预算单位", $"{unitCode} is not a budget unit on Finance's platform");
                }

                var organisation = unitCode is null ? network.Master.OrganisationName(node.Party) : network.Master.Unit(unitCode).Name;
                var pictureText = sealType == SealType.LegalPerson
                    ? result.GetValue(text) ?? (unitCode is null ? "法人" : network.Master.Unit(unitCode).LegalPerson)
                    : SealAdministration.KindText(sealType);
                var seal = network.Seals.Make(
                    new SealOrder(node.Party, unitCode, sealType, organisation, pictureText, null, node.Library.Signing.Certificate, result.GetValue(grant) ?? []),
                    TimeProvider.System.GetUtcNow());
                Console.WriteLine($"made {seal.Name} ({seal.EsId}), valid {seal.ValidFrom[..10]} to {seal.ValidTo[..10]}, granted to {string.Join(", ", result.GetValue(grant) ?? [])}");
                return 0;
            }
        });
        return command;
    }

    private static (Option<string?> Admin, Option<string?> AdminPin, Option<string?> Checker, Option<string?> CheckerPin) TwoAdministrators()
    {
        var (admin, adminPin) = PeopleCommands.AdminOptions();
        admin.Description = "The Finance administrator (系统管理员) who makes the request, logging in on their USBKey";
        return (admin, adminPin,
            new Option<string?>("--checker") { Description = "A second, different Finance administrator who approves it (复核)" },
            new Option<string?>("--checker-pin") { Description = "The checker's USBKey PIN" });
    }

    /// <summary>Seal making and revocation: two different Finance administrators log in on their USBKeys.</summary>
    private static bool TwoAdministratorsLoggedIn(TreasuryNetwork network, ParseResult result, Option<string?> admin, Option<string?> adminPin, Option<string?> checker, Option<string?> checkerPin, string action)
    {
        var check = Administrators.LoginTwo(network.Finance.Users, result.GetValue(admin), result.GetValue(adminPin), result.GetValue(checker), result.GetValue(checkerPin), action);
        if (!check.Ok)
        {
            Report.Refused(check.Rejection, check.Message);
        }

        return check.Ok;
    }

    private static Command Revoke()
    {
        var data = Common.DataOption(required: true);
        var id = new Option<string>("--id") { Description = "The seal's esID", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (recorded at every node)", Required = true };
        var (admin, adminPin, checker, checkerPin) = TwoAdministrators();
        var command = new Command("revoke", "Revoke a seal at every node (two Finance administrators, maker and checker): stamps made before now stay valid, later ones are refused")
        {
            data, id, reason, admin, adminPin, checker, checkerPin,
        };
        command.SetAction(result =>
        {
            var folder = result.GetValue(data)!;
            if (!TreasuryNetwork.Exists(folder.FullName))
            {
                return Report.NoNetwork(folder.FullName);
            }

            using var network = TreasuryNetwork.Open(folder.FullName, TimeProvider.System);
            if (!TwoAdministratorsLoggedIn(network, result, admin, adminPin, checker, checkerPin, "撤销印章"))
            {
                return 1;
            }

            var count = network.Seals.Revoke(result.GetValue(id)!, result.GetValue(reason)!);
            if (count == 0)
            {
                return Report.Fail(new("NO-SEAL", Exit.Refused, $"没有未吊销的印章 {result.GetValue(id)}", $"no unrevoked seal {result.GetValue(id)} is known"));
            }

            Console.WriteLine($"revoked {result.GetValue(id)} at {count} node(s)");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var json = Common.JsonOption();
        var command = new Command("list", "List the seals a party's registry knows (its own, and those filed with it)") { data, party, json };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return 2;
            }

            using (network)
            {
                var registry = new SealRegistry(node.Library.Database);
                var seals = registry.List().Select(s => new
                {
                    esId = s.EsId,
                    name = s.Name,
                    type = s.Type.ToString(),
                    owner = s.OwnerParty,
                    agency = s.AgencyCode,
                    holder = s.HolderUser,
                    validFrom = s.ValidFrom,
                    validTo = s.ValidTo,
                    revokedAt = s.RevokedAt,
                    revokeReason = s.RevokeReason,
                    own = s.OwnerParty == node.Party.ToString(),
                    grants = registry.GrantsOf(s.EsId),
                }).ToList();
                if (result.GetValue(json))
                {
                    Common.WriteJson(seals);
                    return 0;
                }

                foreach (var s in seals)
                {
                    Console.WriteLine($"{s.esId,-28} {s.name,-24} {s.type,-12} {(s.own ? "own" : "filed"),-5} {s.validTo[..10]}{(s.revokedAt is null ? string.Empty : "  REVOKED " + s.revokedAt[..19])}{(s.grants.Count == 0 ? string.Empty : "  posts: " + string.Join(",", s.grants))}");
                }

                Console.WriteLine($"{seals.Count} seal(s)");
                return 0;
            }
        });
        return command;
    }

    private static Command Show()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var id = new Option<string>("--id") { Description = "The seal's esID", Required = true };
        var png = new Option<FileInfo?>("--png") { Description = "Write the seal's picture here" };
        var der = new Option<FileInfo?>("--der") { Description = "Write the DER SESeal (GB/T 38540 V4) here" };
        var command = new Command("show", "Show one seal; optionally write its picture (PNG) and its DER SESeal") { data, party, id, png, der };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return 2;
            }

            using (network)
            {
                var seal = new SealRegistry(node.Library.Database).Find(result.GetValue(id)!);
                if (seal is null || !ElectronicSeal.TryParse(seal.Der, out var parsed, out var error))
                {
                    return Report.BadInput("NO-SEAL", $"{node.Party} 没有印章 {result.GetValue(id)}", $"{node.Party} knows no seal {result.GetValue(id)}");
                }

                Print(SealInspector.Inspect(seal.Der, new SealInspectionContext(TimeProvider.System.GetUtcNow(), network.Trust.Validator)));
                Console.WriteLine($"registry: owner {seal.OwnerParty}{(seal.AgencyCode is null ? string.Empty : "/" + seal.AgencyCode)}{(seal.AdmDivCode is null ? string.Empty : ", division " + seal.AdmDivCode)}, {(seal.RevokedAt is null ? "not revoked" : $"revoked {seal.RevokedAt}: {seal.RevokeReason}")}");
                if (result.GetValue(png) is { } pngFile)
                {
                    Common.WriteNew(pngFile.FullName, parsed!.Info.Picture.Data);
                    Console.WriteLine($"wrote the picture ({parsed.Info.Picture.Type}, {parsed.Info.Picture.WidthMm}×{parsed.Info.Picture.HeightMm} mm) to {pngFile.FullName}");
                }

                if (result.GetValue(der) is { } derFile)
                {
                    Common.WriteNew(derFile.FullName, seal.Der);
                    Console.WriteLine($"wrote the SESeal ({seal.Der.Length} bytes DER) to {derFile.FullName}");
                }

                return 0;
            }
        });
        return command;
    }

    private static Command Inspect()
    {
        var file = new Argument<FileInfo>("file") { Description = "A DER SESeal or SES_Signature (V4 GB/T 38540 or V1 GM/T 0031), from anyone" };
        var data = new Option<DirectoryInfo?>("--data") { Description = "A network whose CA to use as the trust anchor (optional)" };
        var original = new Option<FileInfo?>("--original") { Description = "The signed original data, to check a signature's data hash (optional)" };
        var json = Common.JsonOption();
        var command = new Command("inspect", "Print every field of a seal or signed seal and the verdict of each signature it can check") { file, data, original, json };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                return Report.Missing(path.FullName);
            }

            TreasuryNetwork? network = null;
            if (result.GetValue(data) is { } folder)
            {
                if (!TreasuryNetwork.Exists(folder.FullName))
                {
                    return Report.NoNetwork(folder.FullName);
                }

                network = TreasuryNetwork.Open(folder.FullName, TimeProvider.System);
            }

            using (network)
            {
                var context = new SealInspectionContext(
                    TimeProvider.System.GetUtcNow(),
                    network?.Trust.Validator,
                    result.GetValue(original) is { } originalFile ? File.ReadAllBytes(originalFile.FullName) : null,
                    network?.Trust.TimestampVerifier);
                var inspection = SealInspector.Inspect(File.ReadAllBytes(path.FullName), context);
                if (result.GetValue(json))
                {
                    Common.WriteJson(new
                    {
                        kind = inspection.Kind,
                        format = inspection.Format?.ToString(),
                        fields = inspection.Fields.Select(f => new { name = f.Key, value = f.Value }),
                        verdicts = inspection.Verdicts.Select(v => new { what = v.What, verdict = v.Verdict }),
                        error = inspection.Error,
                    });
                }
                else
                {
                    Print(inspection);
                }

                return inspection.Error is null ? 0 : 1;
            }
        });
        return command;
    }

    private static void Print(SealInspection inspection)
    {
        Console.WriteLine($"{inspection.Kind}{(inspection.Format is { } f ? $" ({f})" : string.Empty)}");
        foreach (var (name, value) in inspection.Fields)
        {
            Console.WriteLine($"  {name,-34} {value}");
        }

        foreach (var verdict in inspection.Verdicts)
        {
            Console.WriteLine($"  check  {verdict.What}: {verdict.Verdict}");
        }

        if (inspection.Error is not null)
        {
            Console.WriteLine($"  error: {inspection.Error}");
        }
    }

    private static bool TryType(string text, out SealType type)
    {
        type = text switch
        {
            "finance" => SealType.FinanceSeal,
            "business" => SealType.BusinessSeal,
            "transfer" => SealType.TransferSeal,
            "legal" => SealType.LegalPerson,
            "personal" => SealType.Personal,
            _ => 0,
        };
        return type != 0;
    }
}
