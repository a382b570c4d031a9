using System.Globalization;
using System.Text;
using System.Text.Json;

using Org.BouncyCastle.Math;

namespace OpenTreasury.Trust.Pki;

/// <summary>Why a certificate was revoked: the RFC 5280 CRLReason codes, with their numbers.</summary>
public enum RevocationReason
{
    Unspecified = 0,          // written without a reason extension, as RFC 5280 asks
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
}

/// <summary>Which CA's CRL lists a revocation: the root lists only the issuing CA, the issuing CA everyone else.</summary>
public enum RevokingAuthority
{
    Issuing = 1,
    Root = 2,
}

/// <summary>One revoked certificate: its serial, the revocation time (whole seconds, UTC) and why.</summary>
public sealed record Revocation(RevokingAuthority Authority, BigInteger Serial, DateTimeOffset RevokedAt, RevocationReason Reason);

/// <summary>
/// The revocations file (<c>revocations.json</c>): every revocation and the last CRL numbers, enough to
/// re-make both CRLs. Serials are hexadecimal as OpenSSL prints them; times are ISO 8601 UTC.
/// </summary>
internal static class RevocationsFile
{
    public const string FileName = "revocations.json";

    /// <summary>Revocations one file may hold; far above a network's few hundred certificates.</summary>
    public const int RevocationsMax = 100_000;

    public static string Write(IReadOnlyCollection<Revocation> revocations, long crlNumber, long rootCrlNumber)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("crlNumber", crlNumber);
            json.WriteNumber("rootCrlNumber", rootCrlNumber);
            json.WriteStartArray("revocations");
            foreach (var revocation in revocations)
            {
                json.WriteStartObject();
                json.WriteString("authority", revocation.Authority.ToString());
                json.WriteString("serial", revocation.Serial.ToString(16).ToUpperInvariant());
                json.WriteString("time", revocation.RevokedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                json.WriteString("reason", revocation.Reason.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static (List<Revocation> Revocations, long CrlNumber, long RootCrlNumber) Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var crlNumber = root.GetProperty("crlNumber").GetInt64();
            var rootCrlNumber = root.GetProperty("rootCrlNumber").GetInt64();
            var list = new List<Revocation>();
            foreach (var item in root.GetProperty("revocations").EnumerateArray())
            {
                if (list.Count == RevocationsMax)
                {
                    throw new InvalidDataException($"The revocations file lists more than {RevocationsMax} revocations.");
                }

                list.Add(new Revocation(
                    ParseEnum<RevokingAuthority>(item.GetProperty("authority").GetString()),
                    new BigInteger(item.GetProperty("serial").GetString() ?? "", 16),
                    DateTimeOffset.ParseExact(item.GetProperty("time").GetString() ?? "", "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                    ParseEnum<RevocationReason>(item.GetProperty("reason").GetString())));
            }

            return crlNumber < 0 || rootCrlNumber < 0
                ? throw new InvalidDataException("CRL numbers in the revocations file must not be negative.")
                : (list, crlNumber, rootCrlNumber);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The revocations file is malformed: {e.Message}", e);
        }
    }

    private static T ParseEnum<T>(string? text)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: false, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _)
            ? value
            : throw new InvalidDataException($"'{text}' is not a {typeof(T).Name}.");
}
