using System.Text;

using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;

using Org.BouncyCastle.X509;

namespace OpenTreasury.Fuzz;

/// <summary>A target found a fault: an invariant of the reader does not hold. Like any other exception, a crash.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    public FuzzInvariantException()
        : this("A fuzzing invariant does not hold.")
    {
    }

    public FuzzInvariantException(string message, Exception innerException)
        : this($"{message}: {innerException?.Message}")
    {
    }
}

/// <summary>
/// One target per reader fed outside bytes, each calling the entry point the node calls. A target returns when the
/// reader accepted the bytes or refused them in its documented way (a result with a rejection code, or the one
/// exception type the reader documents); every other exception escapes and is a crash to the fuzzer.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["envelope"] = Envelope,
        ["voucher"] = Voucher,
        ["seal"] = Seal,
        ["signature"] = Signature,
        ["x509"] = Certificate,
        ["crl"] = Crl,
        ["timestamp"] = Timestamp,
        ["tsa-response"] = TimestampResponse,
        ["node-envelope"] = NodeEnvelopeOpen,
    };

    /// <summary>
    /// The MOF envelope as a node receives it (<c>VoucherLibrary.ReceiveVoucher</c>: <see cref="MofFormat.Read"/>, then
    /// <see cref="MofFormat.OpenBody"/>) and as <c>treasury verify</c> checks an exported file (<see cref="EnvelopeVerifier.Verify"/>).
    /// What Read accepts, Write must write and Read accept again.
    /// </summary>
    public static void Envelope(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var read = MofFormat.Read(data);
        Require(read.IsSuccess || read.Errors.Count > 0, "a failed read carries no error");
        if (read.IsSuccess)
        {
            foreach (var body in read.Value.Bodies)
            {
                var opened = MofFormat.OpenBody(body);
                Require(opened.IsSuccess || opened.Errors.Count > 0, "a failed OpenBody carries no error");
            }

            var again = MofFormat.Read(MofFormat.Write(read.Value));
            Require(again.IsSuccess, "an envelope Read accepted does not read back after Write");
        }

        var world = FuzzWorld.Instance;
        var verdict = EnvelopeVerifier.Verify(data, world.SealVerifier, esId => esId == world.RegisteredSeal.EsId ? world.RegisteredSeal : null, Domain.Seals.StampTemplates.Defaults);
        Require(verdict.Stamps is not null && verdict.Problems is not null, "a verdict without stamps or problems");
    }

    /// <summary>The inner voucher (<see cref="VoucherXml.Read"/>); what it accepts writes back and reads again to the same bytes.</summary>
    public static void Voucher(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var read = VoucherXml.Read(data);
        Require(read.IsSuccess || read.Errors.Count > 0, "a failed read carries no error");
        if (read.IsSuccess)
        {
            var written = VoucherXml.Write(read.Value);
            var again = VoucherXml.Read(written);
            Require(again.IsSuccess && VoucherXml.Write(again.Value).AsSpan().SequenceEqual(written), "a voucher Read accepted does not round-trip through Write");
        }
    }

    /// <summary>A GB/T 38540 seal (<see cref="ElectronicSeal.TryParse"/>, as the node files a seal), and <c>treasury seal inspect</c>.</summary>
    public static void Seal(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var world = FuzzWorld.Instance;
        if (!ElectronicSeal.TryParse(data, out var seal, out var error))
        {
            Require(error.Length > 0, "a refused seal carries no reason");
        }
        else
        {
            Require(seal.Der.AsSpan().SequenceEqual(data), "a parsed seal's DER is not the bytes read");
        }

        var inspection = SealInspector.Inspect(data, new SealInspectionContext(FuzzWorld.Now, world.Validator, world.VoucherBytes, world.TimestampVerifier));
        Require(inspection.Kind is not null, "an inspection without a kind");
    }

    /// <summary>A signed seal (SES_Signature) as a node verifies a received stamp: <see cref="SealVerifier.Verify"/> over the world's voucher.</summary>
    public static void Signature(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var world = FuzzWorld.Instance;
        var check = world.SealVerifier.Verify(world.VoucherBytes, data, world.PropertyInfo);
        Require(check.IsValid == (check.Failure == StampFailure.None) && Enum.IsDefined(check.Failure), "an undefined stamp failure");
        if (SealSignature.TryParse(data, out var signature, out var error))
        {
            Require(signature.Der.AsSpan().SequenceEqual(data), "a parsed stamp's DER is not the bytes read");
        }
        else
        {
            Require(error.Length > 0, "a refused stamp carries no reason");
        }
    }

    /// <summary>
    /// An X.509 certificate as received in a stamp (the seal verifier's reader) and as a peer serves it over HTTP
    /// (<see cref="Pem.ReadCertificate"/>, documented to refuse with <see cref="InvalidDataException"/>; the input is wrapped
    /// in PEM), then what the node asks of it: validation for each use at the world's time, and the identity it names.
    /// </summary>
    public static void Certificate(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var certificate = SealVerifier.ReadCertificate(data, out _);
        X509Certificate? fromPem;
        try
        {
            fromPem = Pem.ReadCertificate(PemOf("CERTIFICATE", data));
        }
        catch (InvalidDataException)
        {
            fromPem = null;
        }

        foreach (var read in new[] { certificate, fromPem })
        {
            if (read is null)
            {
                continue;
            }

            var world = FuzzWorld.Instance;
            foreach (var use in Enum.GetValues<CertificateUse>())
            {
                var validation = world.Validator.Validate(read, FuzzWorld.Now, use);
                Require(Enum.IsDefined(validation.Failure), "an undefined certificate failure");
            }

            _ = CertificateIdentities.TryRead(read, out _);
        }
    }

    /// <summary>
    /// A CRL as the node reads the published one (<see cref="CrlPem.Read"/>, documented to refuse with
    /// <see cref="InvalidDataException"/>), then used by a validator. DER input is wrapped in PEM first, so the fuzzer
    /// works on the structure rather than on base64; input that starts with a PEM header is read as it is.
    /// </summary>
    public static void Crl(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        X509Crl crl;
        try
        {
            crl = CrlPem.Read(PemOf("X509 CRL", data));
        }
        catch (InvalidDataException)
        {
            return;
        }

        var world = FuzzWorld.Instance;
        var validator = new PkiCertificateValidator(world.Pki.Root, world.Pki.Issuing, crl, crl);
        foreach (var certificate in new[] { world.SignerCertificate, world.TimestampingCertificate })
        {
            var validation = validator.Validate(certificate, FuzzWorld.Now, CertificateUse.Institution);
            Require(Enum.IsDefined(validation.Failure), "an undefined certificate failure");
        }
    }

    /// <summary>
    /// An RFC 3161 token as carried in a received stamp: the node reads its time for the seal's revocation
    /// (<see cref="StampRights.Check"/>), then verifies it (<see cref="TimestampVerifier.Verify"/> over the world's signature value).
    /// </summary>
    public static void Timestamp(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var world = FuzzWorld.Instance;
        if (world.StampWithToken(data) is { } stamp)
        {
            var refusal = StampRights.Check(world.RegisteredSeal, FuzzWorld.Position, FuzzWorld.Sender, null, stamp);
            Require(refusal is null || Enum.IsDefined(refusal.Failure), "an undefined stamp refusal");
        }

        var check = world.TimestampVerifier.Verify(data, world.Stamp.Signature);
        Require(Enum.IsDefined(check.Failure) && check.IsValid == (check.Time is not null), "an undefined timestamp failure, or a valid one without a time");
    }

    /// <summary>A TimeStampResp as the TSA's HTTP answer (<see cref="TimestampRequests.CheckResponse"/> against the world's request).</summary>
    public static void TimestampResponse(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var world = FuzzWorld.Instance;
        var check = TimestampRequests.CheckResponse(data, world.TimestampRequest, world.Stamp.Signature, world.TimestampVerifier);
        Require(Enum.IsDefined(check.Failure) && check.IsValid == (check.Token is not null), "an undefined response failure, or a valid one without a token");
    }

    /// <summary>
    /// A node envelope as a node's HTTP inbox receives it from a peer (<see cref="NodeEnvelope.Open"/> by Finance's node at the
    /// world's time): an opened envelope or an <see cref="EnvelopeRejection"/>, never an exception.
    /// </summary>
    public static void NodeEnvelopeOpen(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var world = FuzzWorld.Instance;
        var opening = NodeEnvelope.Open(data, world.Receiver, world.Validator, FuzzWorld.Now);
        Require(Enum.IsDefined(opening.Rejection) && opening.IsOpen == (opening.Envelope is not null), "an undefined rejection, or an open envelope without its content");
    }

    /// <summary>DER wrapped in a PEM block of <paramref name="label"/>; input that already starts with a PEM header, as it is.</summary>
    private static string PemOf(string label, byte[] data) => data.AsSpan().StartsWith("-----BEGIN"u8)
        ? Encoding.Latin1.GetString(data)
        : $"-----BEGIN {label}-----\n{Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks)}\n-----END {label}-----\n";

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(what);
        }
    }
}
