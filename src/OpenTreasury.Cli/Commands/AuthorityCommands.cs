using System.CommandLine;
using OpenTreasury.Authority;
using OpenTreasury.Server.Authority;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury authority serve --data DIR [--urls URL]</c>: the authority's TSA over HTTP (<c>POST /tsa</c>,
/// RFC 3161) and <c>GET /health</c>, from <c>DIR/authority/</c>, for nodes running alone. Prints
/// <c>authority &lt;base URL&gt;</c> once it listens and runs until Ctrl+C or SIGTERM.
/// </summary>
internal static class AuthorityCommands
{
    /// <summary>Why the authority could not start; stable codes in its one error line.</summary>
    private enum AuthorityError
    {
        None = 0,
        NoAuthority = 1,    // DIR/authority holds no CA
        KeyPassphrase = 2,  // the authority's keys cannot be decrypted (no or wrong passphrase)
        CannotOpen = 3,     // the authority's files cannot be read
        CannotListen = 4,   // the address is taken, not allowed, or not a URL
    }

    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var urls = new Option<string>("--urls") { Description = "Where it listens (default http://127.0.0.1:0, any free port)", DefaultValueFactory = _ => "http://127.0.0.1:0" };
        var serve = new Command(
            "serve",
            "Serve the authority's timestamp service (POST /tsa, RFC 3161) and GET /health from DIR/authority; the passphrase is the demo's for a demo network, else "
            + KeyPassphrase.EnvironmentVariable + " or a prompt")
        {
            data, urls,
        };
        serve.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(data)!.FullName;
            var url = result.GetValue(urls)!;
            var authorityDirectory = Path.Combine(folder, TreasuryNetwork.AuthorityFolder);
            if (!NetworkAuthority.Exists(authorityDirectory))
            {
                return Fail(AuthorityError.NoAuthority, $"目录 {authorityDirectory} 中没有认证机构（CA）；请先运行 treasury network init 或 treasury demo");
            }

            NetworkAuthority authority;
            try
            {
                var passphrase = TreasuryNetwork.IsDemo(folder) ? TreasuryNetwork.DemoPassphrase : KeyPassphrase.Resolve(null, "认证机构私钥口令 authority key passphrase: ");
                authority = NetworkAuthority.Load(authorityDirectory, passphrase, TimeProvider.System, new SecureRandom());
            }
            catch (KeyFileException ex)
            {
                return Fail(AuthorityError.KeyPassphrase, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
            {
                return Fail(AuthorityError.CannotOpen, $"无法读取认证机构 {authorityDirectory}：{ex.Message}");
            }

            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = AuthorityHost.Build(authority, url);
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or FormatException)
            {
                return Fail(AuthorityError.CannotListen, $"无法监听 {url}：{ex.Message}");
            }

            await using (app.ConfigureAwait(false))
            {
                Console.WriteLine($"authority {app.Urls.First()}");
                // Until Ctrl+C or SIGTERM, then stop gracefully below.
                await Common.WaitForStopAsync(cancellationToken).ConfigureAwait(false);

                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return 0;
            }
        });
        return new Command("authority", "The network authority (CA, TSA, seal maker) as a service") { serve };
    }

    private static int Fail(AuthorityError error, string message) =>
        Report.BadInput($"{error}-{(int)error}", message, error.ToString());
}
