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
/// The stamp positions of a voucher type (凭证模板), per (AdmDivCode, VtCode) [std] and <paramref name="Version"/>: a
/// voucher is stamped only when every position of its side (voucher or 回单) is. Entry and approval each carry a
/// personal seal of a different person; the institution's public seal goes on after approval. Version 1 is the
/// default of every division; a division may configure later versions of its own.
/// </summary>
public sealed record StampTemplate(VtCode VtCode, IReadOnlyList<TemplatePosition> Positions, int Version = StampTemplate.DefaultVersion)
{
    /// <summary>The version of the defaults, which every division has.</summary>
    public const int DefaultVersion = 1;

    public IEnumerable<TemplatePosition> For(bool reply) => Positions.Where(p => p.OnReply == reply);
}

/// <summary>
/// A template a division configures (master data): version <paramref name="Version"/> (2 or later) of
/// <paramref name="VtCode"/> in <paramref name="AdmDivCode"/>, with its own positions. A voucher is made under its
/// division's newest version and keeps it for life (its stamps sign it); versions are only ever added.
/// </summary>
public sealed record ConfiguredTemplate(string AdmDivCode, string VtCode, int Version, IReadOnlyList<TemplatePosition> Positions);

/// <summary>
/// The templates in force at a node: the defaults (version 1 of every VtCode in every division) and the versions its
/// master data configures per (AdmDivCode, VtCode). <see cref="Current"/> is the version a new voucher is made under;
/// <see cref="Find"/> the version a stored or received voucher names.
/// </summary>
public sealed class StampTemplates
{
    private static readonly FrozenDictionary<string, StampTemplate> s_defaults =
        VoucherCatalogue.All.ToFrozenDictionary(t => t.VtCode.Value, Default, StringComparer.Ordinal);

    private readonly FrozenDictionary<(string AdmDivCode, string VtCode), StampTemplate[]> _configured;

    /// <summary>
    /// The defaults and <paramref name="configured"/>; throws <see cref="ArgumentException"/> (a Chinese message naming
    /// the template) for a VtCode not in the catalogue, a version below 2 or given twice, a position named twice or of a
    /// party that does not stamp that side, or a side without its maker's and its checker's personal seals.
    /// </summary>
    public StampTemplates(IEnumerable<ConfiguredTemplate> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var templates = new Dictionary<(string, string), List<StampTemplate>>();
        foreach (var c in configured)
        {
            var name = $"凭证模板 {c.AdmDivCode}/{c.VtCode} 第 {c.Version} 版";
            if (!VtCode.TryParse(c.VtCode, out var vt) || !VoucherCatalogue.TryGet(vt, out var type))
            {
                throw new ArgumentException($"{name}：凭证类型 {c.VtCode} 不在凭证目录中");
            }

            if (c.Version <= StampTemplate.DefaultVersion)
            {
                throw new ArgumentException($"{name}：第 1 版是默认模板，配置的版本从 2 起");
            }

            if (!templates.TryGetValue((c.AdmDivCode, c.VtCode), out var list))
            {
                templates[(c.AdmDivCode, c.VtCode)] = list = [];
            }

            if (list.Any(t => t.Version == c.Version))
            {
                throw new ArgumentException($"{name}：同一版本配置了两次");
            }

            if (Refusal(type, c.Positions) is { } why)
            {
                throw new ArgumentException($"{name}：{why}");
            }

            list.Add(new StampTemplate(vt, [.. c.Positions], c.Version));
        }

        _configured = templates.ToFrozenDictionary(e => e.Key, e => e.Value.OrderBy(t => t.Version).ToArray());
    }

    /// <summary>The defaults alone: version 1 of every VtCode in every division.</summary>
    public static StampTemplates Defaults { get; } = new([]);

    /// <summary>The version a new voucher of <paramref name="vtCode"/> in <paramref name="admDivCode"/> is made under: the newest.</summary>
    public StampTemplate Current(AdmDivCode admDivCode, VtCode vtCode) =>
        _configured.TryGetValue((admDivCode.Value, vtCode.Value), out var versions) ? versions[^1] : DefaultOf(admDivCode, vtCode);

    /// <summary>Version <paramref name="version"/> of the template, or null when this node does not know it.</summary>
    public StampTemplate? Find(AdmDivCode admDivCode, VtCode vtCode, int version) =>
        version == StampTemplate.DefaultVersion ? DefaultOf(admDivCode, vtCode)
        : _configured.TryGetValue((admDivCode.Value, vtCode.Value), out var versions) ? versions.FirstOrDefault(t => t.Version == version)
        : null;

    private static StampTemplate DefaultOf(AdmDivCode admDivCode, VtCode vtCode) =>
        s_defaults.TryGetValue(vtCode.Value, out var template)
            ? template
            : throw new KeyNotFoundException($"no stamp template for {vtCode} in {admDivCode}");

    /// <summary>Why <paramref name="positions"/> cannot be a template of <paramref name="type"/>, or null.</summary>
    private static string? Refusal(VoucherType type, IReadOnlyList<TemplatePosition> positions)
    {
        if (positions.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return $"签章位置 {twice.Key} 出现了两次";
        }

        // The unit's vouchers (8…) are stamped on Finance's platform; a 回单 by its first receiver.
        var sender = type.VtCode.Value.StartsWith('8') ? PartyKind.Finance : type.Sender;
        var sides = type.HasReply ? new[] { (false, sender), (true, type.Receivers[0]) } : [(false, sender)];
        if (positions.FirstOrDefault(p => !sides.Contains((p.OnReply, p.Party))) is { } stray)
        {
            return $"签章位置 {stray.Name} 不属于{(stray.OnReply ? "回单" : "凭证")}的签章方";
        }

        foreach (var (reply, _) in sides)
        {
            var side = positions.Where(p => p.OnReply == reply).ToList();
            if (!side.Any(p => p.IsPersonal && p.Role == StampRole.Maker) || !side.Any(p => p.IsPersonal && p.Role == StampRole.Checker))
            {
                return $"{(reply ? "回单" : "凭证")}须有录入人和审核人两人的私章位置（任何人不得单独办理）";
            }
        }

        return null;
    }

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
