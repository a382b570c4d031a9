using System.CommandLine;
using System.Globalization;
using System.Text;
using OpenTreasury.Node.Audit;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury audit verify|query|export</c>: checks, searches and exports a node's hash-chained audit log.</summary>
internal static class AuditCommands
{
    private static readonly string[] s_dateFormats = ["yyyy-MM-dd", "yyyyMMdd"];

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
        return new Command("audit", "The audit log of a party") { verify, Query(), Export() };
    }

    private static Command Query()
    {
        var options = new FilterOptions();
        var json = Common.JsonOption();
        var command = new Command("query", "Search a party's audit log by voucher, person, operation and days (信息审计)") { json };
        options.AddTo(command);
        command.SetAction(result =>
        {
            if (!options.TryRead(result, out var node, out var filter, out var exit))
            {
                return exit;
            }

            using var connection = node.Library.Database.Connect();
            var entries = AuditQuery.Find(connection, filter);
            if (result.GetValue(json))
            {
                Common.WriteJson(entries);
                return Exit.Ok;
            }

            foreach (var e in entries)
            {
                Console.WriteLine($"{e.Seq,6} {e.At} {e.Actor,-14} {e.Operation,-20} {e.Subject}  {e.Detail}");
            }

            Console.WriteLine($"共 {entries.Count} 条");
            return Exit.Ok;
        });
        return command;
    }

    private static Command Export()
    {
        var options = new FilterOptions();
        var output = new Option<FileInfo>("--out") { Description = "The CSV file to write (UTF-8 with BOM, so Excel reads the Chinese)", Required = true };
        var command = new Command("export", "Export a party's audit log, or the entries a filter finds, to CSV") { output };
        options.AddTo(command);
        command.SetAction(result =>
        {
            if (!options.TryRead(result, out var node, out var filter, out var exit))
            {
                return exit;
            }

            var path = result.GetValue(output)!.FullName;
            Common.RequireNew(path);
            using var connection = node.Library.Database.Connect();
            var entries = AuditQuery.Find(connection, filter);
            var csv = new StringBuilder("seq,at,actor,operation,subject,detail,hash\r\n");
            foreach (var e in entries)
            {
                csv.AppendJoin(',', new[] { e.Seq.ToString(CultureInfo.InvariantCulture), e.At, e.Actor, e.Operation, e.Subject, e.Detail, e.Hash }.Select(Field)).Append("\r\n");
            }

            Common.WriteNew(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())]);
            Console.WriteLine($"wrote {entries.Count} audit entries of {node.Party} to {path}");
            return Exit.Ok;
        });
        return command;
    }

    /// <summary>A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a leading = + - @ is defused for spreadsheets.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    /// <summary>The filter options query and export share.</summary>
    private sealed class FilterOptions
    {
        private readonly Option<DirectoryInfo> _data = Common.DataOption(required: true);
        private readonly Option<string> _party = Common.PartyOption();
        private readonly Option<string?> _voucher = new("--voucher") { Description = "Only entries about this voucher: VtCode/VoucherNo, e.g. 8202/ZF1-000001" };
        private readonly Option<string?> _user = new("--user") { Description = "Only entries by this person (or node)" };
        private readonly Option<string?> _action = new("--action") { Description = "Only this operation, e.g. void, restore, delivery-discarded" };
        private readonly Option<string?> _from = new("--from") { Description = "From this day (UTC), e.g. 2026-03-02" };
        private readonly Option<string?> _to = new("--to") { Description = "To this day (UTC), inclusive" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _data, _party, _voucher, _user, _action, _from, _to })
            {
                command.Options.Add(option);
            }
        }

        public bool TryRead(ParseResult result, out Business.TreasuryNode node, out AuditFilter filter, out int exit)
        {
            node = null!;
            filter = null!;
            string? vt = null, no = null;
            if (result.GetValue(_voucher) is { } voucher)
            {
                var slash = voucher.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || slash == voucher.Length - 1)
                {
                    exit = Report.BadInput("BAD-VOUCHER", $"“{voucher}”应为 凭证类型/凭证号，如 8202/ZF1-000001", $"'{voucher}' is not VtCode/VoucherNo");
                    return false;
                }

                (vt, no) = (voucher[..slash], voucher[(slash + 1)..]);
            }

            if (!TryDay(result.GetValue(_from), out var from) || !TryDay(result.GetValue(_to), out var to))
            {
                exit = Report.BadInput("BAD-DATE", $"日期“{result.GetValue(_from)}”/“{result.GetValue(_to)}”无效：应为 yyyy-MM-dd，如 2026-03-02", "a date is not yyyy-MM-dd");
                return false;
            }

            if (!Common.TryOpen(result.GetValue(_data)!, result.GetValue(_party)!, out _, out node))
            {
                exit = Exit.BadInput;
                return false;
            }

            filter = new AuditFilter(vt, no, result.GetValue(_user), result.GetValue(_action), from, to);
            exit = Exit.Ok;
            return true;
        }

        private static bool TryDay(string? text, out DateOnly? day)
        {
            day = null;
            if (text is null)
            {
                return true;
            }

            if (!DateOnly.TryParseExact(text, s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return false;
            }

            day = parsed;
            return true;
        }
    }
}
