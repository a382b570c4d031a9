using System.CommandLine;
using OpenTreasury.Agent;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury agent --tokens DIR/people/&lt;party&gt; --origin URL</c>: the support control (支撑控件) on a person's own
/// machine, for the desks in their browser: it signs logins and makes personal stamps with the USBKeys in the
/// folder, answering only the given desk origins, on loopback only, and prints what it signs.
/// </summary>
internal static class AgentCommand
{
    private enum AgentError
    {
        None = 0,
        NoTokens = 1,     // the folder is missing or holds no USBKey
        BadOptions = 2,   // --urls is not a loopback http URL, or an --origin is not a URL
        CannotListen = 3, // the port is taken
    }

    public static Command Create()
    {
        var tokens = new Option<DirectoryInfo>("--tokens") { Description = "The folder of the person's USBKeys (soft tokens), e.g. DIR/people/finance", Required = true };
        var urls = new Option<string>("--urls") { Description = "Where it listens, loopback only", DefaultValueFactory = _ => SupportControl.DefaultUrl };
        var origins = new Option<string[]>("--origin") { Description = "A desk it serves, e.g. http://127.0.0.1:5180 (repeat for more)", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("agent", "The support control (支撑控件): signs desk logins and makes personal stamps with the USBKeys on this machine, for the given desk origins only")
        {
            tokens, urls, origins,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(tokens)!;
            var slots = new SoftTokenFolder(folder.FullName, new SecureRandom());
            if (slots.People.Count == 0)
            {
                return Fail(AgentError.NoTokens, $"目录 {folder.FullName} 中没有 USBKey（*.usbkey）");
            }

            var allowed = new AgentOrigins();
            foreach (var origin in result.GetValue(origins) ?? [])
            {
                if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    return Fail(AgentError.BadOptions, $"--origin {origin} 不是 http(s) 地址");
                }

                allowed.Add(origin);
            }

            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = SupportControl.Build(slots, result.GetValue(urls)!, allowed, TimeProvider.System, Console.Out);
            }
            catch (ArgumentException ex)
            {
                return Fail(AgentError.BadOptions, $"--urls 无效：{ex.Message}");
            }

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                return Fail(AgentError.CannotListen, $"无法监听 {result.GetValue(urls)}：{ex.Message}");
            }

            Console.WriteLine($"支撑控件 agent {app.Urls.First()} — USBKey: {string.Join(", ", slots.People)}; 服务柜面 origins: {string.Join(", ", allowed.All)}");
            await Common.WaitForStopAsync(cancellationToken).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static int Fail(AgentError error, string message) =>
        Report.Fail(new($"{error}-{(int)error}", error == AgentError.CannotListen ? Exit.Environment : Exit.BadInput, message, error.ToString()));
}
