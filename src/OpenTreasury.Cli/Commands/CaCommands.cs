using System.CommandLine;
using OpenTreasury.Node.Network;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury ca export</c>: the network's CA chain, CRLs and node certificates as PEM for OpenSSL.</summary>
internal static class CaCommands
{
    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the PEM files to", Required = true };
        var export = new Command("export", "Write root.pem, issuing.pem, chain.pem, crl.pem, root-crl.pem, tsa.pem and <party>.pem for every node") { data, output };
        export.SetAction(result =>
        {
            var folder = result.GetValue(data)!;
            if (!TreasuryNetwork.Exists(folder.FullName))
            {
                return Report.NoNetwork(folder.FullName);
            }

            using var network = TreasuryNetwork.Open(folder.FullName, TimeProvider.System);
            var target = result.GetValue(output)!;
            target.Create();
            network.Trust.Export(target.FullName);
            foreach (var node in network.Nodes.Values)
            {
                File.WriteAllText(Path.Combine(target.FullName, $"{node.Party}.pem"), Pem.WriteCertificate(node.Library.Signing.Certificate));
            }

            Console.WriteLine($"wrote the CA chain, CRLs, the TSA and {network.Nodes.Count} node certificates to {target.FullName}");
            Console.WriteLine("verify with OpenSSL 3 (SM2 needs the default user ID; see docs/trust.md):");
            Console.WriteLine($"  openssl verify -vfyopt distid:1234567812345678 -CAfile {Path.Combine(target.FullName, "root.pem")} {Path.Combine(target.FullName, "issuing.pem")}");
            Console.WriteLine($"  openssl verify -vfyopt distid:1234567812345678 -partial_chain -CAfile {Path.Combine(target.FullName, "issuing.pem")} {Path.Combine(target.FullName, "finance.pem")}");
            return 0;
        });
        return new Command("ca", "The network's certificate authority (root and issuing CA, SM2/SM3)") { export };
    }
}
