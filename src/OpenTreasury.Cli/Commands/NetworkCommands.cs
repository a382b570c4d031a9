using System.CommandLine;
using OpenTreasury.Node.Network;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury network init</c>: a network laid out as its parties hold it, each key with its owner.</summary>
internal static class NetworkCommands
{
    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        data.Description = "The folder to create the network in (must not hold one yet)";
        var master = new Option<FileInfo?>("--master-data") { Description = "The master data (division, Finance, PBOC, banks, units, people) as JSON; the 芒市 sample when omitted" };
        var init = new Command("init", "Create a network: authority/ (CA, TSA, seal maker), public/ (what nodes trust), one folder per node with its own key only, people/<party>/ with each person's USBKey; every key encrypted")
        {
            data, master,
        };
        var stores = new StoreOptions();
        stores.AddTo(init);
        init.SetAction(result =>
        {
            var folder = result.GetValue(data)!.FullName;
            if (!stores.TryRead(result, out var postgres, out var storeFailure))
            {
                return storeFailure;
            }

            if (TreasuryNetwork.Exists(folder))
            {
                return Report.BadInput("NETWORK-1", $"{folder} 已有一个网络", $"{folder} already holds a network");
            }

            if (Common.ReadMasterData(result.GetValue(master), "NETWORK-2") is not { } masterData)
            {
                return Exit.BadInput;
            }

            var passphrase = KeyPassphrase.Resolve(null, "新网络的私钥口令 passphrase for the new network's keys: ");
            TreasuryNetwork.Create(folder, masterData, TimeProvider.System, demo: false, passphrase, postgres: postgres);
            Console.WriteLine($"网络已创建 network created in {folder} for {masterData.AdmDivName} ({masterData.AdmDivCode})");
            Console.WriteLine($"  authority/   CA, TSA and seal maker keys (encrypted) — keep them off the nodes");
            Console.WriteLine($"  public/      CA certificates, CRLs, TSA and seal-maker certificates — copy to every node");
            foreach (var party in masterData.Parties)
            {
                var store = postgres is null ? "library.db" : $"store.json (PostgreSQL {Node.Storage.PostgresStore.Read(Path.Combine(folder, party.ToString()))})";
                Console.WriteLine($"  {party,-12} {masterData.OrganisationName(party)}: {store} and its own key (keys/, encrypted)");
            }

            Console.WriteLine($"  people/      each person's USBKey, initial PIN {masterData.DemoPin} — change it with `treasury token change-pin`");
            return 0;
        });
        return new Command("network", "A whole network's folders and keys") { init };
    }
}
