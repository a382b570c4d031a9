using Org.BouncyCastle.Utilities.IO.Pem;
using Org.BouncyCastle.X509;

using PemReader = Org.BouncyCastle.Utilities.IO.Pem.PemReader;
using PemWriter = Org.BouncyCastle.Utilities.IO.Pem.PemWriter;

namespace OpenTreasury.Trust.Pki;

/// <summary>PEM text for CRLs (<c>X509 CRL</c>), the form <c>openssl crl</c> and <c>-CRLfile</c> read.</summary>
public static class CrlPem
{
    private const string Label = "X509 CRL";

    public static string Write(X509Crl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        writer.WriteObject(new PemObject(Label, crl.GetEncoded()));
        writer.Writer.Flush();
        return text.ToString();
    }

    public static X509Crl Read(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var text = new StringReader(pem);
        var obj = new PemReader(text).ReadPemObject()
            ?? throw new InvalidDataException($"No PEM block found; expected '{Label}'.");
        return obj.Type == Label
            ? new X509Crl(obj.Content)
            : throw new InvalidDataException($"The PEM block is '{obj.Type}', expected '{Label}'.");
    }
}
