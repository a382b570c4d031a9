using System.CommandLine;
using OpenTreasury.Node.Audit;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury audit verify</c>: checks a node's hash-chained audit log.</summary>
internal static class AuditCommands
{
    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var verify = new Command("verify", "Recompute a party's audit chain (审计日志) and report the first broken entry") { data, party };
        verify.SetAction(result =>
        {
            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out _, out var node))
            {
                return 2;
            }

            using var connection = node.Library.Database.Connect();
            var verdict = AuditLog.Verify(connection);
            Console.WriteLine($"{node.Party}: {verdict.Message}");
            return verdict.Intact ? 0 : 1;
        });
        return new Command("audit", "The audit log of a party") { verify };
    }
}
