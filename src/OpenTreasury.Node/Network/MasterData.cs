using System.Globalization;
using System.Text.Json;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Network;

/// <summary>
/// A budget unit (预算单位) with its zero-balance account at its agent bank and its functional classes, in the
/// division <paramref name="AdmDivCode"/> (none: the network's home division, <see cref="MasterData.AdmDivCode"/>).
/// </summary>
public sealed record BudgetUnit(string AgencyCode, string Name, string BankCode, string AccountNo, IReadOnlyList<FunctionalClass> Classes, string LegalPerson, string? AdmDivCode = null)
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

/// <summary>
/// An administrative division (行政区划) the network serves: its own Finance bureau (财政局, 国库股), treasury
/// (国库, TreCode) and treasury single account (国库单一账户). Its data, numbering, statements and
/// reconciliation are its own, per (AdmDivCode, StYear).
/// </summary>
public sealed record Division(
    string AdmDivCode,
    string AdmDivName,
    string FinanceName,
    string FinOrgCode,
    string TreCode,
    string TreasuryAccountNo,
    string TreasuryAccountName,
    string? ShiftEntry = null,
    string? ShiftApproval = null)
{
    /// <summary>
    /// The six fields every voucher header of the division opens with: Id (the voucher number), AdmDivCode,
    /// StYear, VtCode, VouDate and VoucherNo. Callers add the voucher type's own fields after them.
    /// </summary>
    public List<VoucherField> VoucherHeader(int stYear, string vtCode, string voucherNo, string vouDate) =>
    [
        new("Id", voucherNo),
        new("AdmDivCode", AdmDivCode),
        new("StYear", stYear.ToString(CultureInfo.InvariantCulture)),
        new("VtCode", vtCode),
        new("VouDate", vouDate),
        new("VoucherNo", voucherNo),
    ];
}

/// <summary>
/// A person of a party (a plain record until the trust layer binds them to a USBKey): their post (Role), for a unit's people their unit, and for a person who works for one
/// division of the several the network serves (a county's 国库股) that division; none: the whole node.
/// </summary>
public sealed record PartyUser(string Party, string Id, string Name, string Role, string? AgencyCode = null, string? AdmDivCode = null);

/// <summary>A payee (收款人) the demo pays.</summary>
public sealed record Payee(string AccountNo, string Name, string BankName, string BankNo);

/// <summary>
/// The master data of a network: its divisions (the home division in the top-level fields, a prefecture's
/// counties in <see cref="OtherDivisions"/>), PBOC branch, agent banks, budget units and people. One Finance
/// node serves every division, one PBOC node and one node per bank serve all of them. Illustrative names and
/// numbers, not real accounts.
/// </summary>
public sealed record MasterData
{
    /// <summary>The home division's code: the division the network is named after, and of every unit that names none.</summary>
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

    /// <summary>The divisions beside the home one the network serves (a prefecture's counties); none for one division.</summary>
    public IReadOnlyList<Division> OtherDivisions { get; init; } = [];

    /// <summary>
    /// The stamp template versions (凭证模板) divisions configure beyond the defaults (version 1), per (AdmDivCode,
    /// VtCode); every node of the network reads the same list, so a receiver knows the version a sender's stamps name.
    /// Versions are only ever added: a voucher keeps the version it was made under.
    /// </summary>
    public IReadOnlyList<ConfiguredTemplate> TemplateVersions { get; init; } = [];

    /// <summary>The stamp templates in force: the defaults and <see cref="TemplateVersions"/>.</summary>
    public StampTemplates Templates() => new(TemplateVersions);

    /// <summary>Every division the network serves, the home division first.</summary>
    public IReadOnlyList<Division> Divisions =>
        [new Division(AdmDivCode, AdmDivName, FinanceName, FinOrgCode, TreCode, TreasuryAccountNo, TreasuryAccountName), .. OtherDivisions];

    /// <summary>The division <paramref name="admDivCode"/>; throws <see cref="KeyNotFoundException"/> for one the network does not serve.</summary>
    public Division Division(string admDivCode) =>
        Divisions.FirstOrDefault(d => d.AdmDivCode == admDivCode)
            ?? throw new KeyNotFoundException(NotServed(admDivCode));

    /// <summary>
    /// The division <paramref name="admDivCode"/> names (the home division when null), or false when the network does
    /// not serve it: what a desk asks before a use case of one division, refusing with <see cref="NotServed"/>.
    /// </summary>
    public bool TryDivision(string? admDivCode, out Division division)
    {
        var code = admDivCode ?? AdmDivCode;
        division = Divisions.FirstOrDefault(d => d.AdmDivCode == code)!;
        return division is not null;
    }

    /// <summary>The one line a division the network does not serve is refused with.</summary>
    public static string NotServed(string? admDivCode) => $"行政区划 {admDivCode} 不在本网络的主数据中";

    /// <summary>
    /// Why a person of unit <paramref name="agencyCode"/> (if any) cannot work for division <paramref name="admDivCode"/>
    /// (if any), or null when they can: the division is one the network serves, and a unit's person's is the unit's.
    /// </summary>
    public string? PersonDivisionRefusal(string? agencyCode, string? admDivCode)
    {
        if (admDivCode is null)
        {
            return null;
        }

        if (!Serves(admDivCode))
        {
            return NotServed(admDivCode);
        }

        return agencyCode is not null && Units.FirstOrDefault(u => u.AgencyCode == agencyCode) is { } unit && DivisionOf(unit).AdmDivCode != admDivCode
            ? $"预算单位 {agencyCode} 属于行政区划 {DivisionOf(unit).AdmDivCode}，不属于 {admDivCode}"
            : null;
    }

    /// <summary>
    /// Why <paramref name="division"/>'s shift (the pair who do the Finance node's work for it) cannot be, or null: both
    /// named, two different Finance people of that division, at 国库股录入 and 国库股审核.
    /// </summary>
    private string? ShiftRefusal(Division division)
    {
        if (division.ShiftEntry is not { } entry || division.ShiftApproval is not { } approval)
        {
            return "录入与审核须同时指定";
        }

        if (entry == approval)
        {
            return "录入与审核不得为同一人";
        }

        foreach (var (id, post) in new[] { (entry, "国库股录入"), (approval, "国库股审核") })
        {
            if (!Users.Any(u => u.Party == "finance" && u.Id == id && u.Role == post && u.AdmDivCode == division.AdmDivCode))
            {
                return $"{id} 不是本区划的{post}";
            }
        }

        return null;
    }

    /// <summary>Whether the network serves the division <paramref name="admDivCode"/>.</summary>
    public bool Serves(string admDivCode) => admDivCode == AdmDivCode || OtherDivisions.Any(d => d.AdmDivCode == admDivCode);

    /// <summary>The division a budget unit belongs to.</summary>
    public Division DivisionOf(BudgetUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return Division(unit.AdmDivCode ?? AdmDivCode);
    }

    /// <summary>The division of the unit <paramref name="agencyCode"/>.</summary>
    public Division DivisionOf(string agencyCode) => DivisionOf(Unit(agencyCode));

    /// <summary>The budget units of one division.</summary>
    public IEnumerable<BudgetUnit> UnitsOf(string admDivCode) => Units.Where(u => (u.AdmDivCode ?? AdmDivCode) == admDivCode);

    public required IReadOnlyList<AgentBank> Banks { get; init; }

    public required IReadOnlyList<BudgetUnit> Units { get; init; }

    public required IReadOnlyList<PartyUser> Users { get; init; }

    public required IReadOnlyList<Payee> Payees { get; init; }

    /// <summary>
    /// Accounts the banks' account check (账户核验) finds closed (已销户): what the sample's ClosedAccountList
    /// port answers. A bank that deploys puts its core system's check behind the same port instead.
    /// </summary>
    public IReadOnlyList<string> ClosedAccounts { get; init; } = [];

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
        (JsonSerializer.Deserialize<MasterData>(json, JsonOptions) ?? throw new InvalidDataException("主数据文件为空")).Validated();

    /// <summary>
    /// This master data when its divisions are distinct and every unit's division is one of them, and agency
    /// codes are unique across the network (a unit's code alone names it, and so its division); else throws
    /// <see cref="InvalidDataException"/> naming what is wrong.
    /// </summary>
    public MasterData Validated()
    {
        var codes = Divisions.Select(d => d.AdmDivCode).ToList();
        if (codes.FirstOrDefault(c => !Domain.Codes.AdmDivCode.TryParse(c, out _)) is { } bad)
        {
            throw new InvalidDataException($"行政区划代码 {bad} 不是六位数字");
        }

        if (codes.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidDataException($"行政区划 {twice.Key} 在主数据中出现了两次");
        }

        if (Units.FirstOrDefault(u => !Serves(u.AdmDivCode ?? AdmDivCode)) is { } stray)
        {
            throw new InvalidDataException($"预算单位 {stray.AgencyCode} 所属的行政区划 {stray.AdmDivCode} 不在主数据的行政区划中");
        }

        if (Units.GroupBy(u => u.AgencyCode, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            throw new InvalidDataException($"单位代码 {shared.Key} 在主数据中出现了两次（单位代码在全网唯一）");
        }

        if (TemplateVersions.FirstOrDefault(t => !Serves(t.AdmDivCode)) is { } foreign)
        {
            throw new InvalidDataException($"凭证模板 {foreign.AdmDivCode}/{foreign.VtCode} 第 {foreign.Version} 版：{NotServed(foreign.AdmDivCode)}");
        }

        try
        {
            _ = Templates();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }

        foreach (var division in OtherDivisions.Where(d => d.ShiftEntry is not null || d.ShiftApproval is not null))
        {
            if (ShiftRefusal(division) is { } why)
            {
                throw new InvalidDataException($"行政区划 {division.AdmDivCode} 的国库股岗位：{why}");
            }
        }

        if (Users.FirstOrDefault(p => PersonDivisionRefusal(p.AgencyCode, p.AdmDivCode) is not null) is { } person)
        {
            throw new InvalidDataException($"用户 {person.Id}：{PersonDivisionRefusal(person.AgencyCode, person.AdmDivCode)}");
        }

        return this;
    }

    /// <summary>How master data reads and writes: indented, Chinese as is, enums (a template's party, seal type, role) by name.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
