using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Storage;
using OpenTreasury.Node.Tests.Storage;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Node.Tests;

/// <summary>
/// A real four-party network (芒市 master data) in a fresh temp folder, on a fake clock. Making a network
/// is slow (a USBKey with PBKDF2 per person, seals with pictures), so one template is made per test run and
/// each test opens its own copy of the folder: tests share no state; the copy is deleted on dispose.
/// </summary>
internal sealed class TestNetwork : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8));

    public static readonly DateOnly BusinessDate = new(2026, 3, 2);

    public static readonly PartyId Bank102Party = PartyId.Parse("bank-102");

    public static readonly PartyId Bank103Party = PartyId.Parse("bank-103");

    // The first unit banks at 102; its clerk enters, its finance head approves.
    public const string Agency = "101001";

    /// <summary>The treasury single account's opening balance unless a test opens it itself.</summary>
    public static readonly Amount TreasuryOpening = Amount.FromYuan(10_000_000);

    /// <summary>The budget indicator of every unit × class unless a test registers its own.</summary>
    public static readonly Amount IndicatorEach = Amount.FromYuan(1_000_000);
    public const string FuncCode = "2010301";
    public const string UnitClerk = "dw101001_jbr";
    public const string UnitHead = "dw101001_fzr";
    public const string BankClerk = "yh102_jb";
    public const string BankChecker = "yh102_fh";
    public const string FinanceClerk = "cz_lr";
    public const string FinanceChecker = "cz_sh";

    /// <param name="openTreasury">
    /// Opens PBOC's treasury single account with <see cref="TreasuryOpening"/>, as clearing and allocation draw
    /// on it; false for a test that opens it with its own balance.
    /// </param>
    /// <param name="indicators">Registers a budget indicator of <see cref="IndicatorEach"/> for every unit × class, so quota can be issued; false for a test of indicators.</param>
    /// <param name="environment">A production network (the default), or a test network (测试环境) with its own CA.</param>
    /// <param name="divisions">How many divisions of 德宏州 the nodes serve (<see cref="SampleMasterData.Dehong"/>); 1 is 芒市 alone.</param>
    public TestNetwork(bool openTreasury = true, bool indicators = true, NetworkEnvironment environment = NetworkEnvironment.Production, int divisions = 1)
    {
        Directory = Path.Combine(Path.GetTempPath(), "ot-node-" + Path.GetRandomFileName());
        NetworkTemplate.CopyTo(Directory, environment, divisions);
        Network = TreasuryNetwork.Open(Directory, Clock, TreasuryNetwork.DemoPins);
        if (openTreasury)
        {
            foreach (var division in Master.Divisions)
            {
                Pboc.PbocDesk!.OpenTreasuryAccount(TreasuryOpening, division.AdmDivCode).ThrowIfRefused();
            }
        }

        if (indicators)
        {
            Finance.FinanceDesk!.RegisterIndicators("测试预算指标", [.. Master.Units.SelectMany(u => u.Classes.Select(c => new IndicatorLine(u.AgencyCode, c.ExpFuncCode, IndicatorEach)))]).ThrowIfRefused();
        }
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public string Directory { get; }

    public TreasuryNetwork Network { get; }

    public MasterData Master => Network.Master;

    public TreasuryNode Finance => Network.Finance;

    public TreasuryNode Pboc => Network.Pboc;

    public TreasuryNode Bank102 => Network.Bank("102");

    public TreasuryNode Bank103 => Network.Bank("103");

    public Task<int> SettleAsync() => Network.SettleAsync();

    /// <summary>Delivers, lets every desk work, and delivers again until nothing moves.</summary>
    public Task SettleAndProcessAsync() => Network.SettleAndProcessAsync(BusinessDate);

    /// <summary>Issues one month of quota for the given lines and lets the banks and PBOC book it.</summary>
    public async Task IssueQuotaAsync(params QuotaPlanLine[] lines)
    {
        Finance.FinanceDesk!.IssueQuota(3, BusinessDate, lines);
        await SettleAndProcessAsync();
    }

    public PaymentOrder Order(string voucherNo, Amount amount, string agency = Agency, string func = FuncCode) =>
        new(voucherNo, agency, func, amount, Master.Payees[0], "办公用品采购");

    /// <summary>An 8202 of unit 101001 at bank 102, built field by field as the unit's platform does.</summary>
    public Voucher Payment(string voucherNo, string payAmt, string? detailAmt = null)
    {
        var unit = Master.Unit(Agency);
        var bank = Master.Bank(unit.BankCode);
        var functional = unit.Classes.Single(c => c.ExpFuncCode == FuncCode);
        VoucherField[] header =
        [
            new("Id", voucherNo), new("AdmDivCode", Master.AdmDivCode), new("StYear", "2026"), new("VtCode", "8202"),
            new("VouDate", "20260302"), new("VoucherNo", voucherNo), new("FundTypeCode", "1"), new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "12"), new("PayTypeName", "授权支付"), new("SetModeCode", "2"), new("SetModeName", "转账"),
            new("SupDepCode", unit.SupDepCode), new("AgencyCode", unit.AgencyCode), new("AgencyName", unit.Name),
            new("ExpFuncCode", functional.ExpFuncCode), new("ExpFuncName", functional.ExpFuncName),
            new("ExpEcoCode", functional.ExpEcoCode), new("ExpEcoName", functional.ExpEcoName),
            new("PayeeAcctNo", Master.Payees[0].AccountNo), new("PayeeAcctName", Master.Payees[0].Name),
            new("PayeeAcctBankName", Master.Payees[0].BankName), new("PayeeAcctBankNo", Master.Payees[0].BankNo),
            new("PayAcctNo", unit.AccountNo), new("PayAcctName", $"{unit.Name}零余额账户"), new("PayAcctBankName", bank.Name),
            new("PayBankCode", bank.BankCode), new("PayBankName", bank.Name), new("PayBankNo", bank.BankNo),
            new("PaySummaryName", "办公用品采购"), new("PayAmt", payAmt),
        ];
        VoucherDetail[] details =
        [
            new([
                new("Id", "1"), new("VoucherBillId", voucherNo), new("AgencyCode", unit.AgencyCode), new("AgencyName", unit.Name),
                new("ExpFuncCode", functional.ExpFuncCode), new("ExpFuncName", functional.ExpFuncName),
                new("ExpEcoCode", functional.ExpEcoCode), new("ExpEcoName", functional.ExpEcoName), new("PayAmt", detailAmt ?? payAmt),
            ]),
        ];
        return new Voucher(header, details);
    }

    /// <summary>A person of Finance's platform (a unit's clerk or head, or Finance's own staff), logged in with their USBKey.</summary>
    public Signer FinanceSigner(string userId) => Finance.Signers.SignerFor(userId);

    /// <summary>Writes, stamps, approves, stamps and sends an 8202 from Finance to bank 102 in one transaction.</summary>
    public long SendPayment(string voucherNo, string payAmt = "1234.50")
    {
        var library = Finance.Library;
        return library.Run(s => library.Issue(s, Payment(voucherNo, payAmt), [Bank102Party], FinanceSigner(UnitClerk), FinanceSigner(UnitHead))).ThrowIfRefused().VoucherId;
    }

    public static long Count(TreasuryNode node, string sql, object? parameters = null)
    {
        using var connection = node.Library.Database.Connect();
        return connection.ExecuteScalar<long>(sql, parameters);
    }

    /// <summary>Drops a guarding trigger behind the library's back, as someone with the file or the database's owner could.</summary>
    public static void DropTrigger(System.Data.Common.DbConnection connection, string trigger, string table) =>
        connection.Execute(connection is SqliteConnection ? $"DROP TRIGGER {trigger}" : $"DROP TRIGGER {trigger} ON {table}");

    public static DeliveryState DeliveryOf(TreasuryNode node, long voucherId) => node.Library.Deliveries(voucherId).Single();

    public void Dispose()
    {
        Network.Dispose();
        NodeDatabase.ReleaseAll();
        NetworkTemplate.DropCopy(Directory);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// The one network made per test run, on the fake clock at <see cref="TestNetwork.Start"/>; tests copy its folder. With
/// <see cref="PostgresServer.StoreVariable"/>=postgres its nodes' stores are schemas of a PostgreSQL template database, and
/// each copy is a database made from that template (<c>CREATE DATABASE … TEMPLATE</c>), named in the copy's store.json files.
/// </summary>
internal static class NetworkTemplate
{
    private const string DatabaseFile = "test-database.txt";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(NetworkEnvironment, int), Lazy<string>> s_templates = new();

    public static string Folder => Template(NetworkEnvironment.Production, 1);

    private static string Template(NetworkEnvironment environment, int divisions) =>
        s_templates.GetOrAdd((environment, divisions), key => new Lazy<string>(() => Make(key.Item1, key.Item2), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Copies the whole template tree (databases, keys, tokens, CA, TSA, manifest) into a new folder.</summary>
    public static void CopyTo(string destination, NetworkEnvironment environment = NetworkEnvironment.Production, int divisions = 1)
    {
        var source = Template(environment, divisions);
        foreach (var directory in System.IO.Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            System.IO.Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }

        if (PostgresServer.Selected)
        {
            var template = File.ReadAllText(Path.Combine(source, DatabaseFile));
            var copy = PostgresServer.NewName("ot_test");
            PostgresServer.Shared.CreateDatabase(copy, template);
            File.WriteAllText(Path.Combine(destination, DatabaseFile), copy);
            foreach (var node in System.IO.Directory.EnumerateDirectories(destination))
            {
                PostgresStore.Read(node)?.InDatabase(copy).Write(node);
            }
        }
    }

    /// <summary>Drops the PostgreSQL database of a copy, if it has one.</summary>
    public static void DropCopy(string destination)
    {
        var file = Path.Combine(destination, DatabaseFile);
        if (File.Exists(file))
        {
            PostgresServer.Shared.DropDatabase(File.ReadAllText(file));
        }
    }

    private static string Make(NetworkEnvironment environment, int divisions)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-template-" + Path.GetRandomFileName());
        string? postgres = null;
        if (PostgresServer.Selected)
        {
            var database = PostgresServer.NewName("ot_template");
            postgres = PostgresServer.Shared.CreateDatabase(database);
            System.IO.Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, DatabaseFile), database);
        }

        TreasuryNetwork.Create(folder, SampleMasterData.Dehong(2026, divisions), new FakeTimeProvider(TestNetwork.Start), demo: true, TreasuryNetwork.DemoPassphrase, postgres: postgres, environment: environment);
        NodeDatabase.ReleaseAll(); // Closes every connection, so the WAL is checkpointed into the files we copy (and the template database may be copied).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (File.Exists(Path.Combine(folder, DatabaseFile)))
                {
                    PostgresServer.Shared.DropDatabase(File.ReadAllText(Path.Combine(folder, DatabaseFile)));
                }

                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (NpgsqlException)
            {
                // The private server is already gone (and its databases with it).
            }
            catch (IOException)
            {
                // Left in the temp folder; nothing depends on it.
            }
        };
        return folder;
    }
}
