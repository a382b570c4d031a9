using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;

namespace OpenTreasury.Domain.Tests.Seals;

/// <summary>
/// Stamp templates per (AdmDivCode, VtCode) with versions: version 1 is the defaults everywhere, a division adds its own
/// later versions, a new voucher takes the newest and an old one finds the version it names.
/// </summary>
public sealed class StampTemplatesTests
{
    private static readonly AdmDivCode Ruili = AdmDivCode.Parse("533102");
    private static readonly AdmDivCode Mangshi = AdmDivCode.Parse("533103");
    private static readonly VtCode Payment = VtCode.Parse("8202");

    private static readonly TemplatePosition Maker = new("dw_jbrsz", PartyKind.Finance, false, SealType.Personal, StampRole.Maker, "经办人私章");
    private static readonly TemplatePosition Checker = new("dw_fzrsz", PartyKind.Finance, false, SealType.Personal, StampRole.Checker, "财务负责人私章");
    private static readonly TemplatePosition FinanceSeal = new("dw_cwzyz", PartyKind.Finance, false, SealType.FinanceSeal, StampRole.Institution, "单位财务专用章");

    [Fact]
    public void A_division_without_versions_of_its_own_makes_and_reads_the_defaults()
    {
        var defaults = StampTemplates.Defaults;

        Assert.Equal(StampTemplate.DefaultVersion, defaults.Current(Ruili, Payment).Version);
        Assert.Equal(["dw_jbrsz", "dw_fzrsz", "dw_cwzyz", "dw_frz"], defaults.Current(Ruili, Payment).Positions.Select(p => p.Name));
        Assert.Same(defaults.Current(Ruili, Payment), defaults.Find(Ruili, Payment, 1));
        Assert.Null(defaults.Find(Ruili, Payment, 2));
    }

    [Fact]
    public void The_newest_version_is_current_in_its_own_division_only_and_every_version_stays_findable()
    {
        var templates = new StampTemplates(
        [
            new ConfiguredTemplate("533102", "8202", 3, [Maker, Checker, FinanceSeal]),
            new ConfiguredTemplate("533102", "8202", 2, [Maker, Checker]),
        ]);

        Assert.Equal(3, templates.Current(Ruili, Payment).Version);
        Assert.Equal(["dw_jbrsz", "dw_fzrsz"], templates.Find(Ruili, Payment, 2)!.Positions.Select(p => p.Name));
        Assert.Equal(StampTemplate.DefaultVersion, templates.Find(Ruili, Payment, 1)!.Version);
        Assert.Equal(StampTemplate.DefaultVersion, templates.Current(Mangshi, Payment).Version);
        Assert.Null(templates.Find(Mangshi, Payment, 2));
        Assert.Null(templates.Find(Ruili, Payment, 4));
    }

    public static TheoryData<string, ConfiguredTemplate> Broken => new()
    {
        { "第 1 版是默认模板", new ConfiguredTemplate("533102", "8202", 1, [Maker, Checker]) },
        { "不在凭证目录中", new ConfiguredTemplate("533102", "8299", 2, [Maker, Checker]) },
        { "出现了两次", new ConfiguredTemplate("533102", "8202", 2, [Maker, Checker, Checker]) },
        { "两人的私章位置", new ConfiguredTemplate("533102", "8202", 2, [Maker, FinanceSeal]) },
        { "不属于回单的签章方", new ConfiguredTemplate("533102", "8202", 2, [Maker, Checker, new("yh_hd_zqz", PartyKind.Bank, true, SealType.TransferSeal, StampRole.Institution, "代理银行转讫章")]) },
        { "不属于凭证的签章方", new ConfiguredTemplate("533102", "8202", 2, [Maker, Checker, new("rh_ywzyz", PartyKind.Pboc, false, SealType.BusinessSeal, StampRole.Institution, "人民银行业务专用章")]) },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_template_that_breaks_a_rule_is_refused_naming_it(string why, ConfiguredTemplate template)
    {
        var refused = Assert.Throws<ArgumentException>(() => new StampTemplates([template]));

        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
        Assert.Contains($"{template.AdmDivCode}/{template.VtCode} 第 {template.Version} 版", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_configured_twice_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => new StampTemplates(
            [new ConfiguredTemplate("533102", "8202", 2, [Maker, Checker]), new ConfiguredTemplate("533102", "8202", 2, [Maker, Checker, FinanceSeal])]));

        Assert.Contains("同一版本配置了两次", refused.Message, StringComparison.Ordinal);
    }
}
