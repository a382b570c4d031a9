using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Printing.Vouchers;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Library;

/// <summary>A printed voucher (打印联) and which print of that version it is (1 the first, more a reprint).</summary>
public sealed record PrintedVoucher(byte[] Pdf, int PrintNo, int Seals);

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Prints a stored voucher to PDF (exportPDF): fields, amount in capitals, detail lines and every seal
    /// at real size. Each print is counted in the audit chain (queryVoucherPrintCount), so a reprint is
    /// numbered and marked as one.
    /// </summary>
    public PrintedVoucher Print(long id, string actor)
    {
        var voucher = RequireIntact(Find(id) ?? throw new KeyNotFoundException($"no voucher {id} at {Party}"));
        var content = voucher.Content;
        var positions = StampTemplates.For(voucher.Key.AdmDivCode, voucher.Key.VtCode).Positions;
        var stamps = Stamps(voucher.Id)
            .Select(s => (Stamp: s, Parsed: SealSignature.TryParse(s.Der, out var parsed, out _) ? parsed : null))
            .Where(s => s.Parsed is not null)
            .Select(s => new PrintedStamp(s.Stamp.Position, positions.FirstOrDefault(p => p.Name == s.Stamp.Position)?.ChineseName ?? s.Stamp.Position,
                s.Parsed!.Seal.Info.Property.Name, s.Parsed.Seal.Info.Picture.Data, s.Parsed.Seal.Info.Picture.WidthMm, s.Parsed.Seal.Info.Picture.HeightMm))
            .ToList();
        var columns = content.Details.Count == 0 ? [] : content.Details[0].Fields.Select(f => f.Name).Where(n => !n.StartsWith("Hold", StringComparison.Ordinal)).Take(9).ToList();
        var subject = $"{voucher.Key}/v{voucher.Version}";
        var printNo = 0;
        Run(session =>
        {
            printNo = (int)session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM audit WHERE operation = 'print' AND subject = @subject", new { subject }, session.Transaction) + 1;
            session.Audit(actor, "print", subject, printNo == 1 ? "第 1 次打印" : $"第 {printNo} 次打印 (重打)");
            return LibraryResult.Done(voucher.Id);
        });
        var printout = new VoucherPrintout(
            $"{voucher.Type.Name}{(voucher.IsReply ? " (回单)" : string.Empty)}",
            $"{voucher.VtCode}  No.{voucher.VoucherNo}  v{voucher.Version}  凭证日期 {voucher.VouDate}  {voucher.Sender}",
            [.. content.Header.Where(f => f.Value.Length > 0 && !f.Name.StartsWith("Hold", StringComparison.Ordinal)).Select(f => new KeyValuePair<string, string>(f.Name, f.Value))],
            columns,
            [.. content.Details.Select(d => (IReadOnlyList<string>)[.. columns.Select(c => d[c] ?? string.Empty)])],
            voucher.AmountFen is { } fen ? new Amount(fen).ToWire() : null,
            voucher.AmountFen is { } capitals ? new Amount(capitals).ToChineseCapitals() : null,
            stamps,
            printNo);
        return new PrintedVoucher(VoucherPdf.Render(printout), printNo, stamps.Count);
    }

    /// <summary>How often a voucher version was printed (queryVoucherPrintCount).</summary>
    public int PrintCount(long id)
    {
        var voucher = Find(id) ?? throw new KeyNotFoundException($"no voucher {id} at {Party}");
        using var connection = database.Connect();
        return (int)connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE operation = 'print' AND subject = @subject", new { subject = $"{voucher.Key}/v{voucher.Version}" });
    }
}
