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

    [Fact]
    public void A_divisions_people_templates_and_shift_must_be_of_that_division()
    {
        var master = SampleMasterData.Dehong(2026, 2);
        var ruili = master.OtherDivisions[0];
        var person = master.Users.Single(u => u.Id == "rl_lr");

        var stranger = Assert.Throws<InvalidDataException>(() => (master with { Users = [.. master.Users, person with { Id = "x_lr", AdmDivCode = "533199" }] }).Validated());
        var otherUnit = Assert.Throws<InvalidDataException>(() => (master with { Users = [.. master.Users, person with { Id = "x_jbr", AgencyCode = "101001" }] }).Validated());
        var template = Assert.Throws<InvalidDataException>(() => (master with { TemplateVersions = [master.TemplateVersions[0] with { AdmDivCode = "533199" }] }).Validated());
        var alone = Assert.Throws<InvalidDataException>(() => (master with { OtherDivisions = [ruili with { ShiftApproval = "rl_lr" }] }).Validated());
        var wrongPost = Assert.Throws<InvalidDataException>(() => (master with { OtherDivisions = [ruili with { ShiftEntry = "rl_sh", ShiftApproval = "rl_lr" }] }).Validated());
        var homePerson = Assert.Throws<InvalidDataException>(() => (master with { OtherDivisions = [ruili with { ShiftEntry = "cz_lr" }] }).Validated());

        Assert.Equal("用户 x_lr：行政区划 533199 不在本网络的主数据中", stranger.Message);
        Assert.Equal("用户 x_jbr：预算单位 101001 属于行政区划 533103，不属于 533102", otherUnit.Message);
        Assert.Equal("凭证模板 533199/8202 第 2 版：行政区划 533199 不在本网络的主数据中", template.Message);
        Assert.Equal("行政区划 533102 的国库股岗位：录入与审核不得为同一人", alone.Message);
        Assert.Equal("行政区划 533102 的国库股岗位：rl_sh 不是本区划的国库股录入", wrongPost.Message);
        Assert.Equal("行政区划 533102 的国库股岗位：cz_lr 不是本区划的国库股录入", homePerson.Message);
    }
}
