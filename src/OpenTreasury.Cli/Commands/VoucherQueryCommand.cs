using System.CommandLine;
using System.Globalization;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury voucher query</c>: the library's search (凭证查询管理), by type or class (凭证分类), state,
/// date, unit, counterparty and amount, one page of at most <see cref="Limits.SearchPageSizeMax"/> at a time.
/// </summary>
internal static class VoucherQueryCommand
{
    private static readonly string[] s_dateFormats = ["yyyy-MM-dd", "yyyyMMdd"];

    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var party = Common.PartyOption();
        var vt = new Option<string?>("--vt") { Description = "Only this VtCode, e.g. 8202" };
        var category = new Option<string?>("--category") { Description = $"Only this class (凭证分类): {string.Join(", ", Enum.GetValues<VoucherCategory>().Select(VoucherCategories.Name))}" };
        var status = new Option<string?>("--status") { Description = $"Only this state: {string.Join(", ", VoucherSearch.States)}" };
        var from = new Option<string?>("--from") { Description = "From this voucher date (VouDate), e.g. 2026-03-02" };
        var to = new Option<string?>("--to") { Description = "To this voucher date, inclusive" };
        var agency = new Option<string?>("--agency") { Description = "Only this budget unit (AgencyCode), e.g. 101001" };
        var counterparty = new Option<string?>("--counterparty") { Description = "Only vouchers from or to this party, e.g. bank-102" };
        var minAmount = new Option<string?>("--min-amount") { Description = "At least this amount, in yuan with two decimals" };
        var maxAmount = new Option<string?>("--max-amount") { Description = "At most this amount, in yuan with two decimals" };
        var page = new Option<int>("--page") { Description = "The page, from 1", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = $"Vouchers a page, 1–{Limits.SearchPageSizeMax}", DefaultValueFactory = _ => Limits.SearchPageSizeMax };
        var json = Common.JsonOption();
        var command = new Command("query", "Search a party's library by type or class, state, date, unit, counterparty and amount, a page at a time (凭证查询)")
        {
            data, party, vt, category, status, from, to, agency, counterparty, minAmount, maxAmount, page, pageSize, json,
        };
        command.SetAction(result =>
        {
            var vtCode = result.GetValue(vt);
            if (vtCode is not null && !VoucherCatalogue.TryGet(vtCode, out _))
            {
                return Report.BadInput("BAD-VT", $"“{vtCode}”不是目录中的凭证类型", $"'{vtCode}' is not a VtCode of the catalogue");
            }

            VoucherCategory? wantedCategory = null;
            if (result.GetValue(category) is { } categoryName)
            {
                if (!VoucherCategories.TryParse(categoryName, out var parsedCategory))
                {
                    return Report.BadInput("BAD-CATEGORY", $"“{categoryName}”不是凭证分类；可用 {string.Join("、", Enum.GetValues<VoucherCategory>().Select(VoucherCategories.Name))}",
                        $"'{categoryName}' is not a voucher class");
                }

                wantedCategory = parsedCategory;
            }

            var state = result.GetValue(status);
            if (state is not null && !VoucherSearch.States.Contains(state))
            {
                return Report.BadInput("BAD-STATUS", $"“{state}”不是凭证状态；可用 {string.Join("、", VoucherSearch.States)}", $"'{state}' is not a voucher state");
            }

            if (!TryDate(result.GetValue(from), out var fromDate) || !TryDate(result.GetValue(to), out var toDate))
            {
                return Report.BadInput("BAD-DATE", $"日期“{result.GetValue(from)}”/“{result.GetValue(to)}”无效：应为 yyyy-MM-dd，如 2026-03-02", "a date is not yyyy-MM-dd");
            }

            if (!VoucherSearch.TryAmountBound(result.GetValue(minAmount), out var min) || !VoucherSearch.TryAmountBound(result.GetValue(maxAmount), out var max))
            {
                return Report.BadInput("BAD-AMOUNT", $"金额“{result.GetValue(minAmount)}”/“{result.GetValue(maxAmount)}”无效：应为以元为单位、两位小数，如 1234.50", "an amount is not yuan with two decimals");
            }

            var size = result.GetValue(pageSize);
            if (size is < 1 or > Limits.SearchPageSizeMax || result.GetValue(page) < 1)
            {
                return Report.BadInput("BAD-PAGE", $"页码应不小于 1，每页 1–{Limits.SearchPageSizeMax} 张", $"the page is from 1 and a page holds 1–{Limits.SearchPageSizeMax}");
            }

            if (!Common.TryOpen(result.GetValue(data)!, result.GetValue(party)!, out var network, out var node))
            {
                return Exit.BadInput;
            }

            using (network)
            {
                var found = node.Library.Search(new VoucherSearch(
                    vtCode, wantedCategory, state, fromDate, toDate, result.GetValue(agency), result.GetValue(counterparty), min, max,
                    Page: result.GetValue(page), PageSize: size));
                var rows = found.Vouchers.Select(v => SearchRow.Of(node.Library, v)).ToList();
                if (result.GetValue(json))
                {
                    Common.WriteJson(new { total = found.Total, page = found.Page, pages = found.Pages, pageSize = found.PageSize, vouchers = rows });
                    return Exit.Ok;
                }

                Console.WriteLine($"{"VtCode",-6} {"分类",-10} {"VoucherNo",-22} {"Ver",3} {"Origin",-8} {"State",-10} {"VouDate",-8} {"Agency",-8} {"Amount",16}  Status per party");
                foreach (var r in rows)
                {
                    Console.WriteLine($"{r.VtCode,-6} {r.CategoryName,-10} {r.VoucherNo,-22} {r.Version,3} {r.Origin,-8} {r.State,-10} {r.VouDate,-8} {r.AgencyCode ?? "-",-8} {r.Amount ?? "-",16}  {string.Join(" ", r.Deliveries.Select(d => $"{d.Receiver}:{d.Code}"))}");
                }

                Console.WriteLine($"共 {found.Total} 张，第 {found.Page}/{found.Pages} 页");
                return Exit.Ok;
            }
        });
        return command;
    }

    /// <summary>A date as VouDate stores it (yyyyMMdd), or null when none was given.</summary>
    private static bool TryDate(string? text, out string? vouDate)
    {
        vouDate = null;
        if (text is null)
        {
            return true;
        }

        if (!DateOnly.TryParseExact(text, s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }

        vouDate = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return true;
    }

}

/// <summary>One voucher as a search lists it, with its class (凭证分类) and its status per receiver.</summary>
internal sealed record SearchRow(
    string VtCode, string Category, string CategoryName, string VoucherNo, long Version, bool Reply, string Origin, string Sender, string State,
    string? Amount, string VouDate, string? AgencyCode, IReadOnlyList<SearchDelivery> Deliveries)
{
    public static SearchRow Of(VoucherLibrary library, StoredVoucher v) => new(
        v.VtCode, VoucherCategories.Name(v.Type.Category), VoucherCategories.Chinese(v.Type.Category), v.VoucherNo, v.Version, v.IsReply, v.Origin, v.Sender, v.State,
        v.AmountFen is { } fen ? new Amount(fen).ToWire() : null, v.VouDate, v.AgencyCode,
        [.. library.Deliveries(v.Id).Select(d => new SearchDelivery(d.Receiver, (int)d.Status, d.Status.ToString(), d.Reason))]);
}

internal sealed record SearchDelivery(string Receiver, int Code, string Status, string? Reason);
