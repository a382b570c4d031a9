using System.CommandLine;
using System.Globalization;
using System.Text;
using OpenTreasury.Cli.Commands;

Console.OutputEncoding = Encoding.UTF8;
// The people who use this are Chinese treasury and bank staff: the parser's own messages in Simplified Chinese too.
CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-Hans");
Report.Json = args.Contains("--json");
var root = new RootCommand("OpenTreasury 国库集中支付电子化管理: a four-party treasury payment network with signed electronic vouchers.")
{
    DemoCommand.Create(),
    NetworkCommands.Create(),
    VoucherCommands.Create(),
    AuditCommands.Create(),
    MessageCommands.Create(),
    CaCommands.Create(),
    PeopleCommands.User(),
    PeopleCommands.Token(),
    SealCommands.Create(),
    PayCommand.Create(),
    ReconcileCommand.Create(),
    ServeCommand.Create(),
    AgentCommand.Create(),
    NodeCommands.Create(),
    AuthorityCommands.Create(),
    SimulateCommand.Create(),
    SandboxCommands.Create(),
    PaperCommands.Create(),
    BenchCommand.Create(),
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && !args.Contains("--help") && !args.Contains("-h"))
{
    // A wrong command line is bad input (exit 2), reported as one line like every other failure.
    return Report.BadInput("USAGE", $"命令行有误：{string.Join("；", parsed.Errors.Select(e => Usage.Chinese(e.Message)))}（加 --help 查看用法）",
        string.Join("; ", parsed.Errors.Select(e => e.Message)));
}

try
{
    // Ctrl+C and SIGTERM cancel the command's token; a server then has this long to stop its hosts and worker.
    // Exceptions are not System.CommandLine's to print: Edge turns each into one line with its code.
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = Common.StopTimeout, EnableDefaultExceptionHandler = false })
        .ConfigureAwait(false);
}
#pragma warning disable CA1031 // The edge of the program: every exception becomes one line and an exit code here.
catch (Exception ex)
#pragma warning restore CA1031
{
    return Edge.Handle(ex, args);
}
