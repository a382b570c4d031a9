using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.People;
using OpenTreasury.Printing.Vouchers;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Library;

/// <summary>A printed voucher (打印联): which print of that version it is (1 the first, more a reprint), its pages and seals.</summary>
public sealed record PrintedVoucher(byte[] Pdf, int PrintNo, int Pages, int Seals);

/// <summary>A print, or why the person may not make it (a reprint by a post that may not reprint, for one).</summary>
public sealed record PrintResult(AuthorizationRejection Rejection, string Message, PrintedVoucher? Printed)
{
    public bool Ok => Rejection == AuthorizationRejection.None;
}

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Prints a stored voucher to PDF (exportPDF, 可控打印) as <paramref name="actor"/>: the type's one-联 layout with
    /// Chinese labels, the total in capitals, every detail line over as many pages as needed and every stamp position.
    /// Each print is counted in the audit chain under the person who made it (queryVoucherPrintCount): the first
    /// needs PrintVoucher, a reprint (重打, numbered on every page) ReprintVoucher; a refusal is audited too.
    /// A voided voucher prints marked 作废, one taken to paper (<see cref="TakeToPaper"/>) marked 应急纸质;
    /// <paramref name="archive"/> gives the black-and-white archive print.
    /// </summary>
    public PrintResult Print(long id, Actor actor, bool archive = false)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var voucher = RequireIntact(Find(id) ?? throw new KeyNotFoundException($"no voucher {id} at {Party}"));
        var subject = $"{voucher.Key}/v{voucher.Version}";
        var printNo = 0;
        var before = 0;
        var rejection = AuthorizationRejection.None;
        var emergency = false;
        Run(session =>
        {
            emergency = IsOnEmergencyPaper(session, voucher.Id);
            before = (int)session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM audit WHERE operation = 'print' AND subject = @subject", new { subject }, session.Transaction);
            rejection = Authorization.CheckPrint(actor, Party, voucher.Scope, before);
            if (rejection != AuthorizationRejection.None)
            {
                var action = rejection == AuthorizationRejection.ReprintNotAllowed ? NodeAction.ReprintVoucher : NodeAction.PrintVoucher;
                session.Audit(actor.UserId, "refused-" + action, subject, $"{rejection} ({(int)rejection}); printed {before} time(s) before; post {actor.Post}");
                return LibraryResult.Done(voucher.Id);
            }

            printNo = before + 1;
            session.Audit(actor.UserId, "print", subject, $"{VoucherPdf.PrintMark(printNo)}；{actor.Post}{(archive ? "；" + VoucherPdf.ArchiveMark : string.Empty)}{(emergency ? "；" + EmergencyPaperMark : string.Empty)}");
            return LibraryResult.Done(voucher.Id);
        });
        if (rejection != AuthorizationRejection.None)
        {
            return new(rejection, $"{actor.UserId} ({actor.Post}) may not print {subject}, printed {before} time(s) before: {rejection}", null);
        }

        var printout = Printout(voucher, printNo, archive) with { EmergencyPaper = emergency };
        var pdf = VoucherPdf.Render(printout);
        var pages = VoucherPdf.Paginate(printout.DetailRows.Count, VoucherPdf.RowsPerPage(printout)).Count;
        return new(AuthorizationRejection.None, $"printed {subject}", new PrintedVoucher(pdf, printNo, pages, printout.Stamps.Count(s => s.Png is not null)));
    }

    /// <summary>How often a voucher version was printed (queryVoucherPrintCount).</summary>
    public int PrintCount(long id)
    {
        var voucher = Find(id) ?? throw new KeyNotFoundException($"no voucher {id} at {Party}");
        using var connection = database.Connect();
        return (int)connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE operation = 'print' AND subject = @subject", new { subject = $"{voucher.Key}/v{voucher.Version}" });
    }

    // What the page shows: Chinese labels, every line numbered (序号), every stamp position of the template in order.
    private VoucherPrintout Printout(StoredVoucher voucher, int printNo, bool archive)
    {
        var content = voucher.Content;
        var type = voucher.Type;
        var stamps = Stamps(voucher.Id)
            .Select(s => (s.Position, Parsed: SealSignature.TryParse(s.Der, out var parsed, out _) ? parsed : null))
            .Where(s => s.Parsed is not null)
            .ToList();
        var positions = TemplateOf(voucher).Positions
            .Where(p => !p.OnReply || voucher.IsReply || stamps.Any(s => s.Position == p.Name))
            .ToList();
        var printed = positions.Select(p => (p.Name, p.ChineseName))
            .Concat(stamps.Where(s => positions.All(p => p.Name != s.Position)).Select(s => (Name: s.Position, ChineseName: s.Position)))
            .Select(p => stamps.FirstOrDefault(s => s.Position == p.Name).Parsed?.Seal.Info is { } seal
                ? new PrintedStamp(p.Name, p.ChineseName, seal.Property.Name, seal.Picture.Data, seal.Picture.WidthMm, seal.Picture.HeightMm)
                : PrintedStamp.Empty(p.Name, p.ChineseName))
            .ToList();
        var columns = type.DetailFields
            .Where(f => !FieldNames.IsReserved(f) && content.Details.Any(d => !string.IsNullOrEmpty(d[f])))
            .ToList();
        return new VoucherPrintout(
            $"{type.Name}{(voucher.IsReply ? "（回单）" : string.Empty)}",
            $"{voucher.VtCode}  No.{voucher.VoucherNo}  v{voucher.Version}  凭证日期 {voucher.VouDate}  {voucher.Sender}",
            [.. content.Header.Where(f => f.Value.Length > 0 && !FieldNames.IsReserved(f.Name)).Select(f => new KeyValuePair<string, string>(FieldNames.Chinese(f.Name), f.Value))],
            ["序号", .. columns.Select(FieldNames.Chinese)],
            [.. content.Details.Select((d, i) => (IReadOnlyList<string>)[$"{i + 1}", .. columns.Select(c => d[c] ?? string.Empty)])],
            voucher.AmountFen is { } fen ? new Amount(fen).ToWire() : null,
            voucher.AmountFen is { } capitals ? new Amount(capitals).ToChineseCapitals() : null,
            printed,
            printNo,
            Voided: voucher.State == "voided",
            Archive: archive);
    }
}
