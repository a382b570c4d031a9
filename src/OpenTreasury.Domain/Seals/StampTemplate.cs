using System.Collections.Frozen;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Domain.Seals;

/// <summary>The kinds of electronic seal (电子印章); the value is the SES_ESPropertyInfo.type we write.</summary>
public enum SealType
{
    FinanceSeal = 1,   // 财务专用章 (public)
    BusinessSeal = 2,  // 业务专用章 (public)
    TransferSeal = 3,  // 转讫章 (public)
    LegalPerson = 4,   // 法人章 (public: the unit's legal representative, held by a post)
    Personal = 5,      // 个人私章 (on the person's USBKey)
}

/// <summary>Who stamps a position: the person who entered the voucher, the one who approved it, or the institution's seal server.</summary>
public enum StampRole
{
    Maker = 1,       // 录入 / 经办
    Checker = 2,     // 审核 / 复核
    Institution = 3, // 公章, stamped by the seal server on the checker's authority
}

/// <summary>One stamp position of a template (签章位置), e.g. <c>dw_cwzyz</c> 单位财务专用章.</summary>
public sealed record TemplatePosition(string Name, PartyKind Party, bool OnReply, SealType SealType, StampRole Role, string ChineseName)
{
    public bool IsPersonal => SealType == SealType.Personal;
}

/// <summary>
/// The stamp positions of a voucher type (凭证模板), per (AdmDivCode, VtCode) [std]: a voucher is
/// stamped only when every position of its side (voucher or 回单) is. Entry and approval each carry
/// a personal seal of a different person; the institution's public seal goes on after approval.
/// </summary>
public sealed record StampTemplate(VtCode VtCode, IReadOnlyList<TemplatePosition> Positions)
{
    public IEnumerable<TemplatePosition> For(bool reply) => Positions.Where(p => p.OnReply == reply);
}

/// <summary>The templates in force. A province configures its own per (AdmDivCode, VtCode); ours are the defaults.</summary>
public static class StampTemplates
{
    private static readonly FrozenDictionary<string, StampTemplate> s_defaults =
        VoucherCatalogue.All.ToFrozenDictionary(t => t.VtCode.Value, Default, StringComparer.Ordinal);

    /// <summary>The template of a voucher type in a division (today every division uses the defaults).</summary>
    public static StampTemplate For(AdmDivCode admDivCode, VtCode vtCode) =>
        s_defaults.TryGetValue(vtCode.Value, out var template)
            ? template
            : throw new KeyNotFoundException($"no stamp template for {vtCode} in {admDivCode}");

    private static StampTemplate Default(VoucherType type)
    {
        var positions = new List<TemplatePosition>();
        // Budget units' vouchers (8…) are stamped with the unit's seals on Finance's platform.
        var unit = type.VtCode.Value.StartsWith('8');
        positions.AddRange(unit ? UnitPositions() : PartyPositions(type.Sender, onReply: false));
        if (type.HasReply)
        {
            positions.AddRange(PartyPositions(type.Receivers[0], onReply: true));
        }

        return new StampTemplate(type.VtCode, positions);
    }

    private static IEnumerable<TemplatePosition> UnitPositions() =>
    [
        new("dw_jbrsz", PartyKind.Finance, false, SealType.Personal, StampRole.Maker, "经办人私章"),
        new("dw_fzrsz", PartyKind.Finance, false, SealType.Personal, StampRole.Checker, "财务负责人私章"),
        new("dw_cwzyz", PartyKind.Finance, false, SealType.FinanceSeal, StampRole.Institution, "单位财务专用章"),
        new("dw_frz", PartyKind.Finance, false, SealType.LegalPerson, StampRole.Institution, "法人章"),
    ];

    private static IEnumerable<TemplatePosition> PartyPositions(PartyKind party, bool onReply)
    {
        var (prefix, name) = party switch
        {
            PartyKind.Finance => ("cz", "财政"),
            PartyKind.Pboc => ("rh", "人民银行"),
            _ => ("yh", "代理银行"),
        };
        var hd = onReply ? "hd_" : string.Empty;
        var (maker, checker) = party == PartyKind.Pboc ? ("jzysz", "fhysz") : ("lrysz", "shysz");
        var (makerName, checkerName) = party switch
        {
            PartyKind.Pboc => ("记账员私章", "复核员私章"),
            PartyKind.Bank => ("经办员私章", "复核员私章"),
            _ => ("录入员私章", "审核员私章"),
        };
        var publicSeal = onReply && party != PartyKind.Finance
            ? new TemplatePosition($"{prefix}_{hd}zqz", party, onReply, SealType.TransferSeal, StampRole.Institution, $"{name}转讫章")
            : new TemplatePosition($"{prefix}_{hd}ywzyz", party, onReply, SealType.BusinessSeal, StampRole.Institution, $"{name}业务专用章");
        return
        [
            new($"{prefix}_{hd}{maker}", party, onReply, SealType.Personal, StampRole.Maker, makerName),
            new($"{prefix}_{hd}{checker}", party, onReply, SealType.Personal, StampRole.Checker, checkerName),
            publicSeal,
        ];
    }
}
