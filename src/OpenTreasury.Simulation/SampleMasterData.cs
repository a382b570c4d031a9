using System.Text.Json;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Simulation;

/// <summary>
/// The shipped sample master data: 芒市 (533103) in 德宏州 — Finance, PBOC 德宏州中心支行, agent banks 102
/// and 103, six budget units and their people. Illustrative names and numbers, not real accounts. The
/// file <c>Samples/mangshi.json</c> is the same format <c>treasury network init --master-data FILE</c> reads.
/// </summary>
public static class SampleMasterData
{
    public const string ResourceName = "OpenTreasury.Simulation.Samples.mangshi.json";

    /// <summary>The divisions of 德宏州 beside 芒市, with their units and people, that <see cref="Dehong"/> adds.</summary>
    public const string DivisionsResourceName = "OpenTreasury.Simulation.Samples.dehong-divisions.json";

    /// <summary>How many divisions the sample has: 芒市, 瑞丽市, 德宏州本级 and 陇川县.</summary>
    public const int DivisionsMax = 4;

    /// <summary>The sample's JSON text, as shipped.</summary>
    public static string Json() => Resource(ResourceName);

    /// <summary>芒市 for budget year <paramref name="stYear"/>.</summary>
    public static MasterData Mangshi(int stYear) => MasterData.FromJson(Json()) with { StYear = stYear };

    /// <summary>
    /// 芒市 and the next <paramref name="divisions"/> − 1 divisions of 德宏州 (瑞丽市 533102, 德宏州本级 533100, 陇川县 533124),
    /// each with its own Finance bureau, treasury, treasury single account and budget units, served by the one Finance,
    /// PBOC and bank nodes; 瑞丽市 has its own 国库股 pair (rl_lr, rl_sh), who work for 瑞丽市 only, and its own 8202
    /// template, version 2: its units' payment vouchers carry no 法人章 (the unit's 财务专用章 alone). One division is
    /// <see cref="Mangshi"/> exactly.
    /// </summary>
    public static MasterData Dehong(int stYear, int divisions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(divisions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(divisions, DivisionsMax);
        var mangshi = Mangshi(stYear);
        if (divisions == 1)
        {
            return mangshi;
        }

        var more = JsonSerializer.Deserialize<MoreDivisions>(Resource(DivisionsResourceName), MasterData.JsonOptions)
            ?? throw new InvalidOperationException($"the sample {DivisionsResourceName} is empty");
        var added = more.OtherDivisions.Take(divisions - 1).ToList();
        var units = more.Units.Where(u => added.Any(d => d.AdmDivCode == u.AdmDivCode)).ToList();
        return (mangshi with
        {
            OtherDivisions = added,
            Units = [.. mangshi.Units, .. units],
            TemplateVersions = [.. more.TemplateVersions.Where(t => added.Any(d => d.AdmDivCode == t.AdmDivCode))],
            // The added divisions' units' people and their own 国库股 staff (a county's people at the prefecture's node).
            Users = [.. mangshi.Users, .. more.Users.Where(p => units.Any(u => u.AgencyCode == p.AgencyCode) || added.Any(d => d.AdmDivCode == p.AdmDivCode))],
        }).Validated();
    }

    private static string Resource(string name)
    {
        using var stream = typeof(SampleMasterData).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the sample master data {name} is not embedded in the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record MoreDivisions(IReadOnlyList<Division> OtherDivisions, IReadOnlyList<BudgetUnit> Units, IReadOnlyList<PartyUser> Users, IReadOnlyList<ConfiguredTemplate> TemplateVersions);
}
