using System.Globalization;
using System.Text.Json;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Network;

/// <summary>A budget unit (预算单位) with its zero-balance account at its agent bank and its functional classes.</summary>
public sealed record BudgetUnit(string AgencyCode, string Name, string BankCode, string AccountNo, IReadOnlyList<FunctionalClass> Classes, string LegalPerson)
{
    /// <summary>The first-level unit (一级预算单位) is the first three digits of the code.</summary>
    public string SupDepCode => AgencyCode[..3];

    /// <summary>
    /// The unit and classification fields a payment or allocation voucher names, in wire order: AgencyCode,
    /// AgencyName, ExpFuncCode, ExpFuncName, ExpEcoCode, ExpEcoName.
    /// </summary>
    public VoucherField[] ClassFields(FunctionalClass functional) =>
    [
        new("AgencyCode", AgencyCode),
        new("AgencyName", Name),
        new("ExpFuncCode", functional.ExpFuncCode),
        new("ExpFuncName", functional.ExpFuncName),
        new("ExpEcoCode", functional.ExpEcoCode),
        new("ExpEcoName", functional.ExpEcoName),
    ];
}

/// <summary>A functional classification of expenditure (支出功能分类) with its economic class used for payments.</summary>
public sealed record FunctionalClass(string ExpFuncCode, string ExpFuncName, string ExpEcoCode, string ExpEcoName);

/// <summary>An agent bank (代理银行) branch.</summary>
public sealed record AgentBank(string BankCode, string Name, string BankNo, string ClearingAccountNo);

/// <summary>A user of a party (plain records until the trust layer binds them to USBKeys).</summary>
public sealed record PartyUser(string Party, string Id, string Name, string Role, string? AgencyCode = null);

/// <summary>A payee (收款人) the demo pays.</summary>
public sealed record Payee(string AccountNo, string Name, string BankName, string BankNo);

/// <summary>
/// The master data of a network: the division, its Finance bureau, PBOC branch, agent banks, budget
/// units and people. Illustrative names and numbers, not real accounts.
/// </summary>
public sealed record MasterData
{
    public required string AdmDivCode { get; init; }

    public required string AdmDivName { get; init; }

    public required int StYear { get; init; }

    public required string FinanceName { get; init; }

    public required string FinOrgCode { get; init; }

    public required string PbocName { get; init; }

    public required string TreCode { get; init; }

    public required string TreasuryAccountNo { get; init; }

    /// <summary>The name of the treasury single account (国库单一账户) as vouchers print it.</summary>
    public required string TreasuryAccountName { get; init; }

    public required IReadOnlyList<AgentBank> Banks { get; init; }

    public required IReadOnlyList<BudgetUnit> Units { get; init; }

    public required IReadOnlyList<PartyUser> Users { get; init; }

    public required IReadOnlyList<Payee> Payees { get; init; }

    /// <summary>
    /// Accounts the banks' account check (账户核验) finds closed (已销户): what the sample's ClosedAccountList
    /// port answers. A bank that deploys puts its core system's check behind the same port instead.
    /// </summary>
    public IReadOnlyList<string> ClosedAccounts { get; init; } = [];

    /// <summary>
    /// The six fields every voucher header this division issues opens with: Id (the voucher number),
    /// AdmDivCode, StYear, VtCode, VouDate and VoucherNo. Callers add the voucher type's own fields after them.
    /// </summary>
    public List<VoucherField> VoucherHeader(string vtCode, string voucherNo, string vouDate) =>
    [
        new("Id", voucherNo),
        new("AdmDivCode", AdmDivCode),
        new("StYear", StYear.ToString(CultureInfo.InvariantCulture)),
        new("VtCode", vtCode),
        new("VouDate", vouDate),
        new("VoucherNo", voucherNo),
    ];

    /// <summary>The PIN the demo gives every USBKey (demo only: real people choose their own).</summary>
    public const string DemoPinOfEveryToken = "88888888";

    /// <summary>The PIN of every demo USBKey (demo only: real people choose their own).</summary>
    public string DemoPin { get; init; } = DemoPinOfEveryToken;

    /// <summary>The administrator (SO) PIN of every demo USBKey (demo only).</summary>
    public string DemoAdminPin { get; init; } = "admin-8888";

    public IEnumerable<PartyId> Parties =>
        new[] { PartyId.Finance, PartyId.Pboc }.Concat(Banks.Select(b => PartyId.ForBank(BankCode.Parse(b.BankCode))));

    public AgentBank Bank(string code) => Banks.Single(b => b.BankCode == code);

    public BudgetUnit Unit(string agencyCode) => Units.Single(u => u.AgencyCode == agencyCode);

    public string OrganisationName(PartyId party) => party.Kind switch
    {
        PartyKind.Finance => FinanceName,
        PartyKind.Pboc => PbocName,
        _ => Bank(party.Bank!.Value.Value).Name,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static MasterData FromJson(string json) =>
        JsonSerializer.Deserialize<MasterData>(json, JsonOptions) ?? throw new InvalidDataException("the master data file is empty");

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
