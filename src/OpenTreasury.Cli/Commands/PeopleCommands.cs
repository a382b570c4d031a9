using System.CommandLine;
using OpenTreasury.Business;
using OpenTreasury.Node.People;
using OpenTreasury.Simulation;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury user …</c> and <c>treasury token …</c>: people, their USBKeys and PINs.</summary>
internal static class PeopleCommands
{
    public static Command User() => new("user", "The people of a party: each has a personal certificate on a USBKey")
    {
        Add(), List(), Lock(), Unlock(),
    };

    public static Command Token()
    {
        var (data, party, id) = UserOptions();
        var oldPin = new Option<string>("--old-pin") { Description = "The current PIN", Required = true };
        var newPin = new Option<string>("--new-pin") { Description = "The new PIN (6–16 characters)", Required = true };
        var change = new Command("change-pin", "Change a USBKey's user PIN (a wrong old PIN counts as a wrong try)") { data, party, id, oldPin, newPin };
        change.SetAction(result => Run(result, data, party, (network, node) =>
            node.Users.ChangePin(result.GetValue(id)!, result.GetValue(oldPin)!, result.GetValue(newPin)!)));
        return new Command("token", "USBKeys (soft tokens shaped like GM/T 0016 SKF)") { change };
    }

    private static Command Add()
    {
        var (data, party, id) = UserOptions();
        var name = new Option<string>("--name") { Description = "The person's name, e.g. 张丽", Required = true };
        var post = new Option<string>("--post") { Description = "The post (岗位), e.g. 国库股录入, 复核, 单位财务负责人", Required = true };
        var agency = new Option<string?>("--agency") { Description = "The budget unit the person works for (Finance platform users)" };
        var division = new Option<string?>("--division") { Description = "The one administrative division (区划, AdmDivCode) the person works for, e.g. 533102; none: every division the node serves" };
        var pin = new Option<string>("--pin") { Description = "The USBKey's user PIN (6–16 characters)", Required = true };
        var soPin = new Option<string>("--so-pin") { Description = "The new USBKey's administrator (SO) PIN, to unblock it later", Required = true };
        var (admin, adminPin) = AdminOptions();
        var command = new Command("add", "Add a person (by an administrator of the party): a key pair on a new USBKey, a personal certificate from the network CA, and a personal seal")
        {
            data, party, id, name, post, agency, division, pin, soPin, admin, adminPin,
        };
        // The name is checked before anything is made: a user is added with their seal or not at all.
        command.SetAction(result => PersonalSealRefusal(result.GetValue(name)!) ?? Run(result, data, party, admin, adminPin, "添加用户", (network, node) =>
        {
            var userId = result.GetValue(id)!;
            var added = network.AddUser(node, userId, result.GetValue(name)!, result.GetValue(post)!,
                result.GetValue(agency), result.GetValue(division), result.GetValue(pin)!, result.GetValue(soPin)!);
            if (added.Ok)
            {
                var seal = network.MakePersonalSeal(node, userId);
                Console.WriteLine($"personal seal {seal.Name} ({seal.EsId}) made and filed");
            }

            return added;
        }));
        return command;
    }

    /// <summary>Why <paramref name="name"/> cannot be cut as a personal seal (名章), or null when it can.</summary>
    private static int? PersonalSealRefusal(string name)
    {
        try
        {
            _ = Printing.SealPictures.SquarePersonalSeal(name);
            return null;
        }
        catch (ArgumentException ex)
        {
            var missing = Printing.SealFont.Missing(name);
            var chinese = missing.Count > 0
                ? $"姓名“{name}”中有印章字库没有的字：{string.Join("、", missing.Select(r => $"{r}（U+{r.Value:X4}）"))}，无法刻制个人名章"
                : $"姓名“{name}”无法刻成个人名章：{ex.Message}";
            return Report.Fail(new(Business.Texts.RejectionTexts.Code(UserRejection.InvalidInput), Exit.Refused, chinese, ex.Message));
        }
    }

    private static Command List()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var json = Common.JsonOption();
        var command = new Command("list", "List a party's people") { data, party, json };
        command.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return 2;
            }

            using (network)
            {
                var users = node.Users.List();
                if (result.GetValue(json))
                {
                    Common.WriteJson(users.Select(u => new { u.Id, u.Name, post = u.Role, u.AgencyCode, division = u.AdmDivCode, certificateSerial = u.CertSerial, locked = u.Locked != 0 }));
                    return 0;
                }

                foreach (var user in users)
                {
                    Console.WriteLine($"{user.Id,-16} {user.Name,-6} {user.Role,-10} {user.AgencyCode ?? "-",-8} {user.AdmDivCode ?? "-",-6} cert {user.CertSerial}{(user.Locked != 0 ? "  LOCKED" : string.Empty)}");
                }

                Console.WriteLine($"{users.Count} user(s)");
                return 0;
            }
        });
        return command;
    }

    private static Command Lock()
    {
        var (data, party, id) = UserOptions();
        var reason = new Option<string>("--reason") { Description = "Why", DefaultValueFactory = _ => "locked by an administrator" };
        var (admin, adminPin) = AdminOptions();
        var command = new Command("lock", "Lock a person (by an administrator): no login and no stamp until unlocked") { data, party, id, reason, admin, adminPin };
        command.SetAction(result => Run(result, data, party, admin, adminPin, "锁定用户", (network, node) => node.Users.Lock(result.GetValue(id)!, result.GetValue(reason)!)));
        return command;
    }

    private static Command Unlock()
    {
        var (data, party, id) = UserOptions();
        var soPin = new Option<string>("--so-pin") { Description = "The USBKey's administrator (SO) PIN", Required = true };
        var newPin = new Option<string>("--new-pin") { Description = "The new user PIN", Required = true };
        var (admin, adminPin) = AdminOptions();
        var command = new Command("unlock", "Unlock a person and their USBKey (by an administrator; also after 5 wrong PINs): the SO PIN sets a new user PIN")
        {
            data, party, id, soPin, newPin, admin, adminPin,
        };
        command.SetAction(result => Run(result, data, party, admin, adminPin, "解锁用户", (network, node) =>
            node.Users.Unlock(result.GetValue(id)!, result.GetValue(soPin)!, result.GetValue(newPin)!)));
        return command;
    }

    private static (Option<DirectoryInfo> Data, Option<string> Party, Option<string> Id) UserOptions() =>
        (Common.DataOption(required: true), Common.PartyOption(), new Option<string>("--id") { Description = "The user id, e.g. cz_lr", Required = true });

    /// <summary>The administrator who logs in on their own USBKey for an administrative command.</summary>
    internal static (Option<string?> Admin, Option<string?> AdminPin) AdminOptions() =>
        (new Option<string?>("--admin") { Description = "The administrator (系统管理员) doing this, logging in on their USBKey" },
         new Option<string?>("--admin-pin") { Description = "The administrator's USBKey PIN" });

    private static int Run(ParseResult result, Option<DirectoryInfo> data, Option<string> party, Func<TreasuryNetwork, TreasuryNode, UserResult> action) =>
        Run(result, data, party, null, null, null, action);

    private static int Run(ParseResult result, Option<DirectoryInfo> data, Option<string> party, Option<string?>? admin, Option<string?>? adminPin, string? actionName, Func<TreasuryNetwork, TreasuryNode, UserResult> action)
    {
        if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
        {
            return 2;
        }

        using (network)
        {
            if (admin is not null && adminPin is not null)
            {
                var check = Administrators.Login(node.Users, result.GetValue(admin), result.GetValue(adminPin), actionName!);
                if (!check.Ok)
                {
                    return Report.Refused(check.Rejection, check.Message);
                }
            }

            var outcome = action(network, node);
            if (outcome.Ok)
            {
                Console.WriteLine(outcome.Message);
                return 0;
            }

            return Report.Refused(outcome.TokenError == Trust.Tokens.TokenError.None ? outcome.Rejection : outcome.TokenError, outcome.Message, outcome.Subject);
        }
    }
}
