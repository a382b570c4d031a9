using OpenTreasury.Business.Texts;

namespace OpenTreasury.Node.Tests.Texts;

/// <summary>Every rejection code a person can meet has its Chinese line: a new code cannot ship without one.</summary>
public sealed class RejectionTextsTests
{
    public static TheoryData<Type> Enums => [.. RejectionTexts.Covered];

    [Theory]
    [MemberData(nameof(Enums))]
    public void Every_refusal_of_the_enum_has_a_chinese_line(Type type)
    {
        var missing = Enum.GetValues(type).Cast<Enum>()
            .Where(value => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 0)
            .Where(value => !RejectionTexts.Has(value))
            .Select(value => value.ToString())
            .ToList();

        Assert.Empty(missing);
        Assert.All(Enum.GetValues(type).Cast<Enum>().Where(RejectionTexts.Has),
            value => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", RejectionTexts.Chinese(value)));
    }

    [Fact]
    public void The_printed_code_is_the_name_and_the_number()
    {
        Assert.Equal("QuotaExceeded-2", RejectionTexts.Code(Business.Bank.BankRejection.QuotaExceeded));
        Assert.Equal("额度不足", RejectionTexts.Chinese(Business.Bank.BankRejection.QuotaExceeded));
    }
}
