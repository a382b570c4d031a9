using System.CommandLine;
using System.Text;
using OpenTreasury.Cli.Commands;

Console.OutputEncoding = Encoding.UTF8;
var root = new RootCommand("OpenTreasury 国库集中支付电子化管理: a four-party treasury payment network with signed electronic vouchers.")
{
    DemoCommand.Create(),
    NetworkCommands.Create(),
    VoucherCommands.Create(),
    AuditCommands.Create(),
    CaCommands.Create(),
    PeopleCommands.User(),
    PeopleCommands.Token(),
    SealCommands.Create(),
    PayCommand.Create(),
    ReconcileCommand.Create(),
    ServeCommand.Create(),
    AuthorityCommands.Create(),
    SimulateCommand.Create(),
};
// Ctrl+C and SIGTERM cancel the command's token; a server then has this long to stop its hosts and worker.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = Common.StopTimeout }).ConfigureAwait(false);
