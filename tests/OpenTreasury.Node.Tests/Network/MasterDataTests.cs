using OpenTreasury.Node.Network;
using OpenTreasury.Simulation;

namespace OpenTreasury.Node.Tests.Network;

/// <summary>The master data of many divisions: what it serves, and what it refuses to load.</summary>
public sealed class MasterDataTests
{
    [Fact]
    public void One_division_of_the_sample_is_mangshi_exactly()
    {
        Assert.Equal(SampleMasterData.Mangshi(2026).ToJson(), SampleMasterData.Dehong(2026, 1).ToJson());
        Assert.Equal(["533103"], SampleMasterData.Mangshi(2026).Divisions.Select(d => d.AdmDivCode));
    }

    [Fact]
    public void Three_divisions_have_their_own_units_treasuries_and_people_and_survive_a_round_trip()
    {
        var master = SampleMasterData.Dehong(2026, 3);

        Assert.Equal(["533103", "533102", "533100"], master.Divisions.Select(d => d.AdmDivCode));
        Assert.Equal("瑞丽市国库单一账户", master.Division("533102").TreasuryAccountName);
        Assert.Equal("533102", master.DivisionOf("201001").AdmDivCode);
        Assert.Equal("533103", master.DivisionOf("101001").AdmDivCode); // a unit naming no division is of the home one
        Assert.All(master.Divisions, d => Assert.NotEmpty(master.UnitsOf(d.AdmDivCode)));
        Assert.All(master.Units, u => Assert.Contains(master.Users, p => p.Id == $"dw{u.AgencyCode}_jbr"));
        Assert.Equal(master.ToJson(), MasterData.FromJson(master.ToJson()).ToJson());
        Assert.False(master.Serves("533124"));
        Assert.Throws<KeyNotFoundException>(() => master.Division("533124"));
    }

    [Fact]
    public void Master_data_with_a_unit_of_no_division_or_a_code_twice_is_refused_naming_it()
    {
        var master = SampleMasterData.Dehong(2026, 2);
        var unit = master.Units[0];

        var stray = Assert.Throws<InvalidDataException>(() => (master with { Units = [.. master.Units, unit with { AgencyCode = "999001", AdmDivCode = "533199" }] }).Validated());
        var twice = Assert.Throws<InvalidDataException>(() => (master with { Units = [.. master.Units, unit with { AdmDivCode = "533102" }] }).Validated());
        var division = Assert.Throws<InvalidDataException>(() => (master with { OtherDivisions = [.. master.OtherDivisions, master.Divisions[0]] }).Validated());
        var code = Assert.Throws<InvalidDataException>(() => (master with { OtherDivisions = [master.OtherDivisions[0] with { AdmDivCode = "53310" }] }).Validated());

        Assert.Equal("预算单位 999001 所属的行政区划 533199 不在主数据的行政区划中", stray.Message);
        Assert.Equal("单位代码 101001 在主数据中出现了两次（单位代码在全网唯一）", twice.Message);
        Assert.Equal("行政区划 533103 在主数据中出现了两次", division.Message);
        Assert.Equal("行政区划代码 53310 不是六位数字", code.Message);
    }
}
