using System.Text;

using OpenTreasury.Printing.Vouchers;

namespace OpenTreasury.Printing.Tests;

public sealed class VoucherPdfTests
{
    private static readonly string[] s_columns = ["序号", "预算单位", "功能分类科目", "支付金额"];

    [Theory]
    [InlineData(0, 12, new[] { 0 })]
    [InlineData(1, 12, new[] { 1 })]
    [InlineData(12, 12, new[] { 12 })]
    [InlineData(13, 12, new[] { 12, 1 })]
    [InlineData(30, 12, new[] { 12, 12, 6 })]
    [InlineData(30, 1, new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    public void Lines_are_split_into_pages_in_order_and_none_is_lost(int rows, int perPage, int[] counts)
    {
        var pages = VoucherPdf.Paginate(rows, perPage);

        Assert.Equal(counts, pages.Select(p => p.Count));
        Assert.Equal(Enumerable.Range(0, rows), pages.SelectMany(p => Enumerable.Range(p.First, p.Count)));
    }

    [Fact]
    public void Thirty_detail_lines_are_all_printed_over_several_pages_each_with_its_page_number_and_the_column_header()
    {
        var printout = Printout(30);

        var pdf = VoucherPdf.Render(printout);
        var pages = PdfText.Pages(pdf);

        var perPage = VoucherPdf.RowsPerPage(printout);
        Assert.InRange(perPage, 5, 29); // the lines do not fit on one page
        var count = (30 + perPage - 1) / perPage;
        Assert.Equal(count, PdfText.PageCount(pdf));
        Assert.Equal(count, pages.Count);
        for (var p = 0; p < count; p++)
        {
            Assert.Contains("财政授权支付凭证", pages[p], StringComparison.Ordinal);
            Assert.Contains($"第 {p + 1}/{count} 页", pages[p], StringComparison.Ordinal);
            Assert.All(s_columns, label => Assert.Contains(label, pages[p], StringComparison.Ordinal));
            Assert.Contains("收款人全称：芒市某某公司", pages[p], StringComparison.Ordinal);
            Assert.Contains("大写 人民币肆佰陆拾伍元整", pages[p], StringComparison.Ordinal);
        }

        var printed = pages.SelectMany(p => p.Split('\n')).Where(l => l.StartsWith("行政运行第", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"行政运行第{i}行"), printed);
        Assert.DoesNotContain(pages, p => p.Contains("重打", StringComparison.Ordinal) || p.Contains(VoucherPdf.VoidMark, StringComparison.Ordinal));
    }

    [Fact]
    public void A_reprint_says_which_print_it_is_on_every_page()
    {
        var pages = PdfText.Pages(VoucherPdf.Render(Printout(30) with { PrintNo = 3 }));

        Assert.True(pages.Count > 1);
        Assert.All(pages, p => Assert.Contains("第 3 次打印（重打）", p, StringComparison.Ordinal));
    }

    [Fact]
    public void A_voided_voucher_says_void_across_every_page()
    {
        var pages = PdfText.Pages(VoucherPdf.Render(Printout(30) with { Voided = true }));

        Assert.True(pages.Count > 1);
        Assert.All(pages, p => Assert.Contains("作废", p, StringComparison.Ordinal));
    }

    [Fact]
    public void The_archive_print_says_so_on_every_page_and_has_no_colour()
    {
        var colour = VoucherPdf.Render(Printout(30) with { PrintNo = 2, Voided = true });
        var archive = VoucherPdf.Render(Printout(30) with { PrintNo = 2, Voided = true, Archive = true });

        Assert.All(PdfText.Pages(archive), p => Assert.Contains(VoucherPdf.ArchiveMark, p, StringComparison.Ordinal));
        Assert.DoesNotContain(PdfText.Pages(colour), p => p.Contains(VoucherPdf.ArchiveMark, StringComparison.Ordinal));
        Assert.Contains(".851 0 .1059 rg", PdfText.Streams(colour)); // the red of the seals and the marks
        Assert.DoesNotContain(".851 0 .1059 rg", PdfText.Streams(archive));
    }

    [Fact]
    public void A_stamped_position_prints_the_palette_seal_picture_in_seal_red()
    {
        var seal = SealPictures.RoundPublicSeal("芒市财政局", "财务专用章");
        var stamped = Printout(1) with { Stamps = [new PrintedStamp("dw_cwzyz", "单位财务专用章", "芒市财政局财务专用章", seal.Png, seal.WidthMm, seal.HeightMm)] };

        var pdf = VoucherPdf.Render(stamped);
        var empty = VoucherPdf.Render(Printout(1) with { Stamps = [PrintedStamp.Empty("dw_cwzyz", "单位财务专用章")] });

        // The picture is embedded as an image, its pixels the seal's red (#D9001B), with a soft mask for the alpha.
        var streams = PdfText.Streams(pdf);
        Assert.Contains("/Subtype /Image", Encoding.Latin1.GetString(pdf), StringComparison.Ordinal);
        Assert.DoesNotContain("/Subtype /Image", Encoding.Latin1.GetString(empty), StringComparison.Ordinal);
        Assert.Contains("\u00D9\u0000\u001B\u00D9\u0000\u001B", streams, StringComparison.Ordinal);
    }

    private static VoucherPrintout Printout(int lines) => new(
        "财政授权支付凭证",
        "8202  No.ZF1-000001  v1  凭证日期 20260302  finance",
        [new("收款人全称", "芒市某某公司"), new("收款人账号", "6222000011112222"), new("用途", "办公用品")],
        s_columns,
        [.. Enumerable.Range(1, lines).Select(i => (IReadOnlyList<string>)[$"{i}", "芒市人民政府办公室", $"行政运行第{i}行", $"{i}.00"])],
        "465.00",
        "肆佰陆拾伍元整",
        [PrintedStamp.Empty("dw_cwzyz", "单位财务专用章"), PrintedStamp.Empty("dw_jbrsz", "经办人私章")],
        1);
}
