using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Domain.Tests.Vouchers;

public sealed class VoucherCatalogueTests
{
    /// <summary>The voucher types of the domain guide §4.</summary>
    public static TheoryData<string> GuideVtCodes { get; } =
    [
        "5105", "2105", "5106", "8202", "5201", "5108", "2301", "2302", "2206", "2207", "2208", "2209",
        "2203", "2204", "5207", "3208", "3501", "3502", "3507", "5507", "2507", "4004", "4005",
    ];

    public static TheoryData<string> CatalogueVtCodes { get; } = [.. VoucherCatalogue.All.Select(t => t.VtCode.Value)];

    private static readonly string[] s_commonFields = ["AdmDivCode", "StYear", "VtCode", "VouDate", "VoucherNo"];

    [Theory]
    [MemberData(nameof(GuideVtCodes))]
    public void Every_voucher_type_of_the_guide_is_in_the_catalogue_with_a_Chinese_name(string vtCode)
    {
        Assert.True(VoucherCatalogue.TryGet(vtCode, out var type));
        Assert.Same(type, VoucherCatalogue.Get(VtCode.Parse(vtCode)));
        Assert.Equal(vtCode, type.VtCode.Value);
        Assert.False(string.IsNullOrWhiteSpace(type.Name));
        Assert.Contains(type.Name, c => c is >= '\u4e00' and <= '\u9fff');
    }

    [Fact]
    public void The_catalogue_holds_each_VtCode_once()
    {
        var codes = VoucherCatalogue.All.Select(t => t.VtCode.Value).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void An_unknown_VtCode_is_not_found()
    {
        Assert.False(VoucherCatalogue.TryGet("9999", out _));
        Assert.Throws<KeyNotFoundException>(() => VoucherCatalogue.Get(VtCode.Parse("9999")));
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void The_first_digit_of_the_VtCode_names_the_sender(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        var expected = vtCode[0] switch
        {
            '5' or '8' => PartyKind.Finance,
            '2' => PartyKind.Bank,
            '3' or '4' => PartyKind.Pboc,
            _ => throw new InvalidOperationException($"No sender rule for {vtCode}."),
        };
        Assert.Equal(expected, type.Sender);
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void Every_type_goes_to_at_least_one_other_party(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        Assert.NotEmpty(type.Receivers);
        Assert.DoesNotContain(type.Sender, type.Receivers);
        Assert.Equal(type.Receivers.Count, type.Receivers.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void The_header_starts_with_the_common_fields(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        // The reconciliation layouts (35xx, 5507, 2507) carry no header Id on the real wire.
        var header = type.HeaderFields[0] == "Id" ? type.HeaderFields.Skip(1) : type.HeaderFields;
        Assert.Equal(s_commonFields, header.Take(s_commonFields.Length));
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void No_field_is_listed_twice(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        AssertDistinct(type.HeaderFields);
        AssertDistinct(type.DetailFields);
        AssertDistinct(type.RequiredHeaderFields);
        AssertDistinct(type.RequiredDetailFields);
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void Every_required_field_is_a_known_field(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        Assert.All(type.RequiredHeaderFields, f => Assert.True(type.HasHeaderField(f), $"{vtCode} requires unknown header field {f}"));
        Assert.All(type.RequiredDetailFields, f => Assert.True(type.HasDetailField(f), $"{vtCode} requires unknown detail field {f}"));
        Assert.All(s_commonFields, f => Assert.Contains(f, type.RequiredHeaderFields));
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void The_amount_fields_are_known_and_required(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        Assert.NotNull(type.DetailAmountField);
        Assert.True(type.HasDetailField(type.DetailAmountField), $"{vtCode}: detail amount {type.DetailAmountField} is not a detail field");
        Assert.Contains(type.DetailAmountField, type.RequiredDetailFields);
        if (type.HeaderAmountField is { } header)
        {
            Assert.True(type.HasHeaderField(header), $"{vtCode}: header amount {header} is not a header field");
            Assert.Contains(header, type.RequiredHeaderFields);
        }
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void The_sender_signs_at_its_own_position(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        var position = type.SenderSignature;
        Assert.Equal(type.Sender, position.Party);
        Assert.False(position.OnReply);
        Assert.EndsWith("_qm", position.Name, StringComparison.Ordinal);
        Assert.Equal(type.StampPositions.Count, type.StampPositions.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(CatalogueVtCodes))]
    public void A_type_with_a_reply_has_a_reply_position_for_its_receiver_and_others_have_none(string vtCode)
    {
        var type = VoucherCatalogue.Get(VtCode.Parse(vtCode));
        if (type.HasReply)
        {
            Assert.NotNull(type.ReplySignature);
            Assert.True(type.ReplySignature.OnReply);
            Assert.Contains(type.ReplySignature.Party, type.Receivers);
        }
        else
        {
            Assert.Null(type.ReplySignature);
            Assert.DoesNotContain(type.StampPositions, p => p.OnReply);
        }
    }

    [Theory]
    [InlineData("5106")]
    [InlineData("5201")]
    [InlineData("5108")]
    [InlineData("2301")]
    [InlineData("2302")]
    [InlineData("5207")]
    public void The_guide_says_these_types_are_answered_with_a_reply(string vtCode) =>
        Assert.True(VoucherCatalogue.Get(VtCode.Parse(vtCode)).HasReply);

    private static void AssertDistinct(IReadOnlyList<string> fields)
    {
        var duplicates = fields.GroupBy(f => f, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }
}
