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

    /// <summary>Reads the first PEM block as a CRL; anything else, malformed PEM or DER included, is <see cref="InvalidDataException"/>.</summary>
    public static X509Crl Read(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        PemObject? obj;
        using (var text = new StringReader(pem))
        {
            try
            {
                obj = new PemReader(text).ReadPemObject();
            }
            catch (IOException e)
            {
                throw new InvalidDataException($"The PEM text is malformed: {e.Message}", e);
            }
        }

        if (obj is null)
        {
            throw new InvalidDataException($"No PEM block found; expected '{Label}'.");
        }

        if (obj.Type != Label)
        {
            throw new InvalidDataException($"The PEM block is '{obj.Type}', expected '{Label}'.");
        }

        try
        {
            return new X509Crl(obj.Content);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Hostile DER makes BouncyCastle throw ArgumentException, InvalidOperationException, CrlException,
            // DecoderFallbackException...: all of it means the published CRL is malformed (found by fuzz/run crl).
            throw new InvalidDataException($"The '{Label}' block is not a well-formed CRL: {e.Message}", e);
        }
    }
}
