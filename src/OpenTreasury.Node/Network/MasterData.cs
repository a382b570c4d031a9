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

    public required IReadOnlyList<AgentBank> Banks { get; init; }

    public required IReadOnlyList<BudgetUnit> Units { get; init; }

    public required IReadOnlyList<PartyUser> Users { get; init; }

    public required IReadOnlyList<Payee> Payees { get; init; }

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
        JsonSerializer.Deserialize<MasterData>(json, JsonOptions) ?? throw new InvalidDataException("network.json is empty");

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>芒市 (533103) in 德宏州: Finance, PBOC 德宏州中心支行, agent banks 102 and 103, six budget units.</summary>
    public static MasterData Mangshi(int stYear)
    {
        static FunctionalClass Class(string code, string name, string eco, string ecoName) => new(code, name, eco, ecoName);
        var units = new List<BudgetUnit>
        {
            new("101001", "芒市人民政府办公室", "102", "2504110109024900101",
                [Class("2010301", "行政运行(政府办公厅)", "30201", "办公费"), Class("2010350", "事业运行(政府办公厅)", "30211", "差旅费")], "杨建国"),
            new("102001", "芒市教育体育局", "102", "2504110109024900202",
                [Class("2050201", "学前教育", "30201", "办公费"), Class("2050202", "小学教育", "30226", "劳务费")], "李文华"),
            new("103001", "芒市卫生健康局", "103", "2304510104000300303",
                [Class("2100101", "行政运行(卫生健康管理事务)", "30201", "办公费"), Class("2100401", "疾病预防控制机构", "30218", "专用材料费")], "刀美兰"),
            new("104001", "芒市农业农村局", "103", "2304510104000300404",
                [Class("2130101", "行政运行(农业农村)", "30201", "办公费"), Class("2130122", "农业生产发展", "31003", "专用设备购置")], "赵志强"),
            new("105001", "芒市财政局", "102", "2504110109024900505",
                [Class("2010601", "行政运行(财政事务)", "30201", "办公费"), Class("2010607", "信息化建设", "30213", "维修(护)费")], "段金平"),
            new("106001", "芒市公安局", "103", "2304510104000300606",
                [Class("2040201", "行政运行(公安)", "30201", "办公费"), Class("2040220", "执法办案", "30239", "其他交通费用")], "孟洪涛"),
        };
        var users = new List<PartyUser>
        {
            new("finance", "cz_lr", "张丽", "国库股录入"),
            new("finance", "cz_sh", "李强", "国库股审核"),
            new("pboc", "rh_jz", "王芳", "记账员"),
            new("pboc", "rh_fh", "赵军", "复核员"),
            new("bank-102", "yh102_jb", "刘洋", "经办"),
            new("bank-102", "yh102_fh", "陈静", "复核"),
            new("bank-103", "yh103_jb", "杨帆", "经办"),
            new("bank-103", "yh103_fh", "黄敏", "复核"),
        };
        string[] clerks = ["孙", "周", "吴", "郑", "冯", "何"];
        for (var i = 0; i < units.Count; i++)
        {
            users.Add(new("finance", $"dw{units[i].AgencyCode}_jbr", $"{clerks[i]}晓明", "单位经办人", units[i].AgencyCode));
            users.Add(new("finance", $"dw{units[i].AgencyCode}_fzr", $"{clerks[i]}建华", "单位财务负责人", units[i].AgencyCode));
        }

        return new MasterData
        {
            AdmDivCode = "533103",
            AdmDivName = "云南省德宏傣族景颇族自治州芒市",
            StYear = stYear,
            FinanceName = "芒市财政局",
            FinOrgCode = "533103000",
            PbocName = "中国人民银行德宏州中心支行",
            TreCode = "2533103000",
            TreasuryAccountNo = "270000533103001",
            Banks =
            [
                new("102", "中国工商银行芒市支行", "102751100019", "2504110119000088888"),
                new("103", "中国农业银行芒市支行", "103751110013", "2304510104000088888"),
            ],
            Units = units,
            Users = users,
            Payees =
            [
                new("53001638736050012345", "云南德宏恒信办公用品有限公司", "中国建设银行芒市支行", "105751000016"),
                new("2504110109000012346", "芒市鑫源文具商行", "中国工商银行芒市支行", "102751100019"),
                new("2304510104000012347", "德宏州明德印务有限责任公司", "中国农业银行芒市支行", "103751110013"),
                new("78110154740001234", "云南瑞丽江医疗器械有限公司", "富滇银行德宏分行", "313751000011"),
                new("53050163600000012349", "芒市长运汽车客运有限公司", "中国建设银行芒市支行", "105751000016"),
                new("2504110109000012350", "德宏佳和网络科技有限公司", "中国工商银行芒市支行", "102751100019"),
            ],
        };
    }
}
