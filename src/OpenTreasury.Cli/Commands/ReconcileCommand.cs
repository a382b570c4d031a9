using System.CommandLine;
using System.Globalization;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Printing.Reports;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury reconcile</c>: Finance's reconciliation (对账) of one business day, to the screen, CSV and Excel.</summary>
internal static class ReconcileCommand
{
    public static Command Create()
    {
        var data = Common.DataOption(required: true);
        var date = new Option<string?>("--date") { Description = "The business day, YYYY-MM-DD (every day when omitted)" };
        var xlsx = new Option<FileInfo?>("--xlsx") { Description = "Also write the report as an Excel workbook (.xlsx)" };
        var csv = new Option<FileInfo?>("--csv") { Description = "Also write the mismatches as CSV (UTF-8)" };
        var division = new Option<string?>("--division") { Description = "The division (AdmDivCode) to reconcile; each reconciles on its own (the network's home division when omitted)" };
        var json = Common.JsonOption();
        var command = new Command("reconcile", "Reconcile a day of one division at Finance: its payments against the banks' daily reports, the reports against PBOC's clearing, payments against quota")
        {
            data, date, division, xlsx, csv, json,
        };
        command.SetAction(result =>
        {
            DateOnly? day = null;
            if (result.GetValue(date) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    return Report.BadInput("BAD-DATE", $"“{text}”不是 YYYY-MM-DD 格式的日期", $"'{text}' is not a date in the form YYYY-MM-DD");
                }

                day = parsed;
            }

            if (!Common.TryOpen(result.GetValue(data)!, "finance", out var network, out var finance))
            {
                return 2;
            }

            using (network)
            {
                if (!network.Master.TryDivision(result.GetValue(division), out var reconciled))
                {
                    return Report.BadInput("NO-DIVISION", $"本网络不服务行政区划 {result.GetValue(division)}（可用：{string.Join("、", network.Master.Divisions.Select(d => $"{d.AdmDivCode} {d.AdmDivName}"))}）",
                        $"the network serves no division {result.GetValue(division)}");
                }

                var adm = reconciled.AdmDivCode;

                var report = FinanceReconciliation.Reconcile(FinanceBooksReader.Read(finance.Library, network.Master, day, adm));
                var reportDate = day ?? DateOnly.FromDateTime(DateTime.UtcNow);
                if (result.GetValue(xlsx) is { } xlsxFile)
                {
                    Common.WriteNew(xlsxFile.FullName, ReconciliationExport.ToXlsx(report, reportDate));
                }

                if (result.GetValue(csv) is { } csvFile)
                {
                    Common.WriteNew(csvFile.FullName, ReconciliationExport.ToCsv(report));
                }

                if (result.GetValue(json))
                {
                    Common.WriteJson(new
                    {
                        date = day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        admDivCode = adm,
                        balanced = report.Balanced,
                        mismatches = report.Mismatches.Count,
                        quotaIssued = report.QuotaIssued.ToWire(),
                        paid = report.Paid.ToWire(),
                        cleared = report.Cleared.ToWire(),
                        quotaRemaining = report.QuotaRemaining.ToWire(),
                        details = report.Mismatches.Select(m => new { kind = m.Kind.ToString(), m.Subject, vouchers = m.VoucherNos, expected = m.Expected.ToWire(), actual = m.Actual.ToWire(), m.Description }),
                        resolved = report.Resolved.Select(r => new { kind = r.Mismatch.Kind.ToString(), r.Mismatch.Subject, r.Mismatch.Description, by = r.Adjustment.Kind, r.Adjustment.Reference, r.Adjustment.Reason, r.Adjustment.EnteredBy, r.Adjustment.ApprovedBy }),
                    });
                }
                else
                {
                    Console.WriteLine($"{"行政区划 division",-28} {adm} {reconciled.AdmDivName}");
                    foreach (var (label, value) in ReconciliationExport.Summary(report, reportDate).Select(r => (r[0], r[1])))
                    {
                        Console.WriteLine($"{label,-28} {value}");
                    }

                    foreach (var row in ReconciliationExport.Rows(report))
                    {
                        Console.WriteLine($"  {row[0]}: {row[5]} [{row[2]}]");
                    }

                    foreach (var resolved in report.Resolved)
                    {
                        Console.WriteLine($"  已处理 {resolved.Mismatch.Description} — {resolved.Adjustment.Reference} ({resolved.Adjustment.Reason}; 录入 {resolved.Adjustment.EnteredBy}, 审核 {resolved.Adjustment.ApprovedBy})");
                    }
                }

                return report.Balanced ? 0 : 1;
            }
        });
        return command;
    }
}
