using System.Globalization;
using Microsoft.Playwright;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Desk.Tests;

/// <summary>
/// The desks in a real browser (headless Chromium from Debian): each person logs in with their USBKey through their
/// support control, and one authorized payment is clicked through every desk; a second person must approve; a
/// returned allocation is voided and reissued; the voucher page shows the form, the seals and the timeline.
/// </summary>
[Collection(SharedDeskNetwork.Name)]
public sealed class DeskTests(DeskNetwork net)
{
    private static readonly PartyId Bank102 = PartyId.Parse("bank-102");

    [Fact]
    public async Task Each_party_sees_the_login_page_and_after_login_its_desk_in_chinese()
    {
        var page = await net.PageAsync();
        foreach (var (party, user, heading) in new[]
        {
            (PartyId.Finance, "cz_lr", "财政国库股工作台"),
            (PartyId.Finance, "dw101001_jbr", "授权支付"),
            (PartyId.Pboc, "rh_jz", "人民银行国库"),
            (Bank102, "yh102_jb", "代理银行柜面"),
            (Bank102, "zz101001", "自助柜面"),
        })
        {
            await page.GotoAsync(net.Desks[party] + "/desk");
            await page.WaitForURLAsync("**/desk/login");
            Assert.Contains("登录", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
            await net.LoginAsync(page, party, user);
            Assert.Contains(heading, await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
            await DeskNetwork.ScreenshotAsync(page, $"desk-{party}-{user}");
            await DeskNetwork.LogoutAsync(page);
        }
    }

    [Fact]
    public async Task An_authorized_payment_goes_through_every_desk_and_no_pin_or_key_reaches_a_node()
    {
        var page = await net.PageAsync();
        var sent = new List<(string Url, string? Body)>();
        page.Request += (_, request) => sent.Add((request.Url, request.PostData));

        // The unit's clerk enters and stamps on their own machine.
        await net.LoginAsync(page, PartyId.Finance, "dw101001_jbr");
        await page.SelectOptionAsync("#class", "2010301");
        await page.FillAsync("#amount", "1,234.56");
        await page.FillAsync("#payee", "芒市鑫源文具商行");
        await page.FillAsync("#payeeAccount", "2504110109000012346");
        await page.FillAsync("#payeeBank", "中国工商银行芒市支行");
        await page.ClickAsync("#enter");
        await page.WaitForURLAsync("**/desk/vouchers/*");
        var voucherUrl = page.Url.Split('?')[0];
        Assert.Contains("已完成", await DeskNetwork.StampAsync(page, "#stamp"), StringComparison.Ordinal);
        Assert.Equal("待审核", await page.Locator("#state").InnerTextAsync());
        var number = (await page.Locator("h1").InnerTextAsync()).Split(' ')[1];
        await DeskNetwork.LogoutAsync(page);

        // A second person of the unit approves and stamps; the voucher is sealed and sent to the bank.
        await net.LoginAsync(page, PartyId.Finance, "dw101001_fzr");
        await page.GotoAsync(voucherUrl);
        Assert.Contains("已完成", await DeskNetwork.StampAsync(page, "#approve"), StringComparison.Ordinal);
        await DeskNetwork.WaitForTextAsync(page, "#state", "已发送");
        await DeskNetwork.ScreenshotAsync(page, "voucher-8202-sent");
        await DeskNetwork.LogoutAsync(page);

        // The bank pays it within quota, then asks PBOC to clear.
        await net.LoginAsync(page, Bank102, "yh102_jb");
        await DeskNetwork.WaitForTextAsync(page, $"#received tr[data-voucher='{number}']", "已支付");
        await page.ClickAsync("#clear");
        await page.WaitForSelectorAsync("#message .alert.success");
        Assert.Contains("已发起清算", await page.Locator("#message").InnerTextAsync(), StringComparison.Ordinal);
        await DeskNetwork.ScreenshotAsync(page, "bank-cleared");

        // PBOC matches the 2301 against the clearing quota and clears it; its 回单 goes back to the bank.
        var pboc = await net.PageAsync();
        await net.LoginAsync(pboc, PartyId.Pboc, "rh_jz");
        await DeskNetwork.WaitForTextAsync(pboc, "#clearing", "与清算额度相符，已清算");
        await DeskNetwork.ScreenshotAsync(pboc, "pboc-clearing");
        await DeskNetwork.WaitForTextAsync(page, "#clearing-list", "已收到回单");
        // 已收到回单 shows once the 回单 is stored; the bank's worker books it (the payment's cleared date) a pass
        // later, and a daily report sent in between leaves the payment for the next one. The clerk waits for it.
        await net.WaitForClearedAsync(Bank102, number);
        await page.ClickAsync("#report");
        await page.WaitForSelectorAsync("#message .alert.success");

        // Finance reconciles the day: the payment, the bank's daily report and PBOC's clearing agree.
        var finance = await net.PageAsync();
        await net.LoginAsync(finance, PartyId.Finance, "cz_lr");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await finance.GotoAsync($"{net.Desks[PartyId.Finance]}/desk/finance?date={today}");
        await DeskNetwork.WaitForTextAsync(finance, "#reconcile-result", "对账平衡", detail: "#mismatches");
        await DeskNetwork.ScreenshotAsync(finance, "finance-reconciled");

        // The PIN went to the support control only; no request to a node carried it or a USBKey's bytes.
        var nodes = net.Desks.Values.ToList();
        var toNodes = sent.Where(s => nodes.Any(n => s.Url.StartsWith(n, StringComparison.Ordinal))).ToList();
        var toAgents = sent.Where(s => net.Agents.Values.Any(a => s.Url.StartsWith(a, StringComparison.Ordinal))).ToList();
        Assert.Contains(toAgents, s => s.Body?.Contains(DeskNetwork.Pin, StringComparison.Ordinal) == true);
        Assert.NotEmpty(toNodes);
        var keyFile = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(net.Folder, "people", "finance", "dw101001_jbr.usbkey")));
        foreach (var (url, body) in toNodes)
        {
            Assert.DoesNotContain(DeskNetwork.Pin, url, StringComparison.Ordinal);
            Assert.DoesNotContain(DeskNetwork.Pin, body ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(keyFile[..64], body ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_same_person_approving_their_own_entry_is_refused_on_the_page()
    {
        var page = await net.PageAsync();
        await net.LoginAsync(page, PartyId.Finance, "dw102001_fzr");
        await page.SelectOptionAsync("#class", new SelectOptionValue { Index = 1 });
        await page.FillAsync("#amount", "88.00");
        await page.FillAsync("#payee", "芒市鑫源文具商行");
        await page.FillAsync("#payeeAccount", "2504110109000012346");
        await page.FillAsync("#payeeBank", "中国工商银行芒市支行");
        await page.ClickAsync("#enter");
        await page.WaitForURLAsync("**/desk/vouchers/*");
        Assert.Contains("已完成", await DeskNetwork.StampAsync(page, "#stamp"), StringComparison.Ordinal);
        await page.WaitForSelectorAsync("#approve");

        var refusal = await DeskNetwork.StampAsync(page, "#approve");
        Assert.Contains("SameMakerAndChecker-7", refusal, StringComparison.Ordinal);
        Assert.Contains("录入与审核不能是同一人", refusal, StringComparison.Ordinal);
        await DeskNetwork.ScreenshotAsync(page, "refused-same-person");
        await page.ReloadAsync();
        Assert.Equal("待审核", await page.Locator("#state").InnerTextAsync());
    }

    [Fact]
    public async Task A_unit_on_the_banks_self_service_counter_sees_its_quota_and_only_its_own_payments()
    {
        var page = await net.PageAsync();
        await net.LoginAsync(page, Bank102, "zz101001");
        Assert.Contains("芒市人民政府办公室", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#quota tbody tr td.amount").CountAsync() > 0);
        var others = net.Network.Bank("102").Library.Latest("received", ["8202"]).Where(v => v.AgencyCode != "101001").ToList();
        Assert.NotEmpty(others);
        Assert.Equal(404, (await page.GotoAsync($"{net.Desks[Bank102]}/desk/vouchers/{others[0].Id}"))!.Status);
        await page.GotoAsync($"{net.Desks[Bank102]}/desk/self");
        await DeskNetwork.ScreenshotAsync(page, "self-service");
    }

    [Fact]
    public async Task A_field_is_checked_beside_it_and_nothing_is_stored()
    {
        var page = await net.PageAsync();
        await net.LoginAsync(page, PartyId.Finance, "dw103001_jbr");
        var before = await page.Locator("#payments tbody tr").CountAsync();
        await page.SelectOptionAsync("#class", new SelectOptionValue { Index = 1 });
        await page.FillAsync("#amount", "12.345");
        await page.FillAsync("#payee", "芒市鑫源文具商行");
        await page.FillAsync("#payeeAccount", "not-an-account");
        await page.FillAsync("#payeeBank", "中国工商银行芒市支行");
        await page.ClickAsync("#enter");
        await page.WaitForSelectorAsync(".field-error:has-text('金额应为')");
        Assert.Contains("收款账号为 6–32 位数字", await page.Locator("#entry").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync(net.Desks[PartyId.Finance] + "/desk/unit");
        Assert.Equal(before, await page.Locator("#payments tbody tr").CountAsync());
    }

    [Fact]
    public async Task A_payroll_file_becomes_the_vouchers_detail_lines_and_lines_that_do_not_add_up_are_refused_beside_the_field()
    {
        var csv = Path.Combine(net.Folder, "payroll.csv");
        var more = Enumerable.Range(3, 248).Select(i => string.Create(CultureInfo.InvariantCulture, $"30101,基本工资,100.00,职工{i:D4}\n"));
        await File.WriteAllTextAsync(csv, "30101,基本工资,5230.00,职工0001 张三\n30101,基本工资,4870.50,职工0002 李四\n30102,津贴补贴,600.00,职工0001 张三\n" + string.Concat(more));
        var page = await net.PageAsync();
        await net.LoginAsync(page, PartyId.Finance, "dw105001_jbr");
        var before = await page.Locator("#payments tbody tr").CountAsync();
        await EnterAsync("10,000.00");
        await page.WaitForSelectorAsync(".field-error:has-text('明细 251 笔合计 35,500.50 元')");
        await page.GotoAsync(net.Desks[PartyId.Finance] + "/desk/unit");
        Assert.Equal(before, await page.Locator("#payments tbody tr").CountAsync());

        await EnterAsync("35,500.50");
        await page.WaitForURLAsync("**/desk/vouchers/*");
        Assert.Equal(OpenTreasury.Desk.Pages.VoucherModel.LinesShownMax, await page.Locator("#lines tbody tr").CountAsync());
        Assert.Contains("职工0002 李四", await page.Locator("#lines").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("共 251 笔明细", await page.Locator("#lines-more").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("人民币" + new Amount(3_550_050).ToChineseCapitals(), await page.Locator("#capitals").InnerTextAsync());
        await DeskNetwork.ScreenshotAsync(page, "unit-payroll");

        async Task EnterAsync(string amount)
        {
            await page.SelectOptionAsync("#class", new SelectOptionValue { Index = 1 });
            await page.FillAsync("#amount", amount);
            await page.FillAsync("#payee", "芒市人民政府办公室职工");
            await page.FillAsync("#payeeAccount", "2504110109000012346");
            await page.FillAsync("#payeeBank", "中国工商银行芒市支行");
            await page.FillAsync("#summary", "2026年3月工资");
            await page.SetInputFilesAsync("#lines", csv);
            await page.ClickAsync("#enter");
        }
    }

    [Fact]
    public async Task A_returned_allocation_is_voided_and_reissued_and_pboc_pays_the_reissue()
    {
        Assert.NotNull(net.ReturnedAllocation);
        var page = await net.PageAsync();
        await net.LoginAsync(page, PartyId.Finance, "cz_sh");
        var row = page.Locator($"#allocation-list tr[data-voucher='{net.ReturnedAllocation}']");
        Assert.Contains("被退回", await row.InnerTextAsync(), StringComparison.Ordinal);
        await row.Locator("select[name='PayeeAgency']").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await row.Locator("button").ClickAsync();
        await page.WaitForSelectorAsync("#message .alert.success");
        Assert.Contains($"已作废 {net.ReturnedAllocation} 并重开为 {net.ReturnedAllocation}R", await page.Locator("#message").InnerTextAsync(), StringComparison.Ordinal);
        await DeskNetwork.ScreenshotAsync(page, "finance-reissued");

        var pboc = await net.PageAsync();
        await net.LoginAsync(pboc, PartyId.Pboc, "rh_jz");
        await DeskNetwork.WaitForTextAsync(pboc, $"#allocations tr[data-voucher='{net.ReturnedAllocation}R']", "已拨付");
        Assert.Contains("已退回", await pboc.Locator($"#allocations tr[data-voucher='{net.ReturnedAllocation}']").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_voucher_page_shows_the_official_form_with_its_seals_and_timeline_and_its_pdf_downloads()
    {
        var page = await net.PageAsync();
        await net.LoginAsync(page, Bank102, "yh102_fh");
        await page.Locator("#received tbody tr a").First.ClickAsync();
        await page.WaitForSelectorAsync("#voucher-form");
        Assert.StartsWith("人民币", await page.Locator("#capitals").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#stamps img").CountAsync() >= 1);
        Assert.Contains("验证通过", await page.Locator("#stamps").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("接收并验签", await page.Locator("#timeline").InnerTextAsync(), StringComparison.Ordinal);
        await DeskNetwork.ScreenshotAsync(page, "voucher-form");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#pdf"));
        var path = Path.Combine(DeskNetwork.Screenshots, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal("%PDF"u8.ToArray(), bytes[..4]);
        await page.ReloadAsync();
        Assert.Contains("已打印 1 次", await page.Locator("#pdf").InnerTextAsync(), StringComparison.Ordinal);
    }
}
