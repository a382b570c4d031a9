using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.IO.Pem;

using PemReader = Org.BouncyCastle.Utilities.IO.Pem.PemReader;
using PemWriter = Org.BouncyCastle.Utilities.IO.Pem.PemWriter;

namespace OpenTreasury.Trust.Certificates;

/// <summary>Why a certificate request is refused; stable codes (<c>CSR-&lt;n&gt;</c>).</summary>
public enum CsrFailure
{
    None = 0,
    Malformed = 1,            // not PEM CERTIFICATE REQUEST / PKCS#10 DER, or too large
    UnsupportedAlgorithm = 2, // not signed SM3withSM2 (1.2.156.10197.1.501)
    NotSm2Key = 3,            // the requested key is not an SM2 public key on sm2p256v1
    BadSignature = 4,         // the proof of possession does not verify: the requester does not hold the key, or it was altered
}

/// <summary>The verdict on a request; <see cref="PublicKey"/> is the requested SM2 key when valid.</summary>
public sealed record CsrCheck(CsrFailure Failure, string Message, AsymmetricKeyParameter? PublicKey)
{
    public bool IsValid => Failure == CsrFailure.None;
}

/// <summary>A certificate request refused, with its stable <see cref="Failure"/>; the message is Simplified Chinese.</summary>
public sealed class CertificateRequestException : Exception
{
    public CertificateRequestException()
        : this(CsrFailure.Malformed, "证书请求无法读取。")
    {
    }

    public CertificateRequestException(string message)
        : this(CsrFailure.Malformed, message)
    {
    }

    public CertificateRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = CsrFailure.Malformed;
    }

    public CertificateRequestException(CsrFailure failure, string message)
        : base($"[CSR-{(int)failure}] {message}")
    {
        if (failure == CsrFailure.None)
        {
            throw new ArgumentException("A failure needs a code.", nameof(failure));
        }

        Failure = failure;
    }

    public CsrFailure Failure { get; }
}

/// <summary>
/// PKCS#10 certificate requests (RFC 2986) for SM2 keys, signed SM3withSM2 (1.2.156.10197.1.501) with the default
/// user ID: how a node or a person asks the authority for a certificate without the private key leaving them. PEM
/// <c>CERTIFICATE REQUEST</c>, as <c>openssl req</c> reads and writes (SM2 requests need
/// <c>openssl req -verify -vfyopt distid:1234567812345678</c>; tested in <c>CsrOpenSslTests</c>).
/// </summary>
/// <remarks>
/// The request's signature proves the requester holds the key (proof of possession); nothing else in it is trusted.
/// The authority takes the subject from its own records (<see cref="Pki.NetworkPki"/>'s <c>IssueInstitution</c> and
/// <c>IssuePerson</c> overloads that take a request ignore the requested subject and attributes).
/// </remarks>
public static class Csr
{
    public const string PemLabel = "CERTIFICATE REQUEST";

    /// <summary>Bytes of a request read; an SM2 request is about 300.</summary>
    public const int BytesMax = 16 * 1024;

    private const string SignatureAlgorithm = "SM3WITHSM2";

    /// <summary>A request for the public key of <paramref name="privateKey"/> (SM2) naming <paramref name="subject"/>, signed with it.</summary>
    public static Pkcs10CertificationRequest Create(AsymmetricKeyParameter privateKey, X509Name subject, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(random);
        if (!privateKey.IsPrivate || !Sm2.IsSm2Key(privateKey))
        {
            throw new ArgumentException("A request is signed with an SM2 private key.", nameof(privateKey));
        }

        return new Pkcs10CertificationRequest(
            new Asn1SignatureFactory(SignatureAlgorithm, privateKey, random), subject, Sm2.PublicKeyOf(privateKey), DerSet.Empty);
    }

    /// <summary>A request naming the node <paramref name="party"/> as its institution certificate would (a hint only).</summary>
    public static Pkcs10CertificationRequest ForInstitution(PartyId party, string organisationName, AsymmetricKeyParameter privateKey, SecureRandom random)
    {
        NodeCertificate.RequireName(organisationName, NodeCertificate.OrganisationNameLengthMax, nameof(organisationName));
        return Create(privateKey, NodeCertificate.SubjectFor(party, organisationName), random);
    }

    public static string WritePem(Pkcs10CertificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        writer.WriteObject(new PemObject(PemLabel, request.GetDerEncoded()));
        writer.Writer.Flush();
        return text.ToString();
    }

    /// <summary>The request in a PEM <c>CERTIFICATE REQUEST</c> (OpenSSL's <c>NEW CERTIFICATE REQUEST</c> too). Not yet verified.</summary>
    /// <exception cref="CertificateRequestException"><see cref="CsrFailure.Malformed"/>.</exception>
    public static Pkcs10CertificationRequest ReadPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        PemObject? block;
        try
        {
            using var text = new StringReader(pem.Length <= BytesMax * 2 ? pem : "");
            block = new PemReader(text).ReadPemObject();
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException)
        {
            block = null;
        }

        if (block is null || (block.Type != PemLabel && block.Type != "NEW " + PemLabel))
        {
            throw new CertificateRequestException(CsrFailure.Malformed, $"不是 PEM 格式的证书请求（{PemLabel}），或超过 {BytesMax} 字节。");
        }

        return FromDer(block.Content);
    }

    /// <summary>The request in DER. Not yet verified.</summary>
    /// <exception cref="CertificateRequestException"><see cref="CsrFailure.Malformed"/>.</exception>
    public static Pkcs10CertificationRequest FromDer(byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        if (der.Length == 0 || der.Length > BytesMax)
        {
            throw new CertificateRequestException(CsrFailure.Malformed, $"证书请求须为 1 至 {BytesMax} 字节，现为 {der.Length} 字节。");
        }

        try
        {
            var request = new Pkcs10CertificationRequest(der);
            _ = request.GetCertificationRequestInfo().Subject;
            return request;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CertificateRequestException(CsrFailure.Malformed, "证书请求不是合法的 PKCS#10 结构。");
        }
    }

    /// <summary>
    /// Checks, first failure wins: the signature algorithm is SM3withSM2 (<see cref="Sm2.SignatureAlgorithmOid"/>, without
    /// parameters or with NULL), the requested key is an SM2 public key, and the signature over the
    /// CertificationRequestInfo verifies with that key and the default user ID. Never throws on hostile requests.
    /// </summary>
    public static CsrCheck Verify(Pkcs10CertificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var algorithm = request.SignatureAlgorithm;
            if (algorithm.Algorithm.Id != Sm2.SignatureAlgorithmOid || (algorithm.Parameters is { } p && p is not DerNull))
            {
                return Fail(CsrFailure.UnsupportedAlgorithm, $"证书请求的签名算法为 {algorithm.Algorithm.Id}，应为 SM3withSM2（{Sm2.SignatureAlgorithmOid}）。");
            }

            AsymmetricKeyParameter publicKey;
            try
            {
                publicKey = request.GetPublicKey();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Fail(CsrFailure.NotSm2Key, "证书请求中的公钥无法解析。");
            }

            if (publicKey.IsPrivate || !Sm2.IsSm2Key(publicKey))
            {
                return Fail(CsrFailure.NotSm2Key, "证书请求中的公钥不是 SM2（sm2p256v1）公钥。");
            }

            var info = request.GetCertificationRequestInfo().GetDerEncoded();
            return Sm2.Verify(publicKey, info, request.Signature.GetOctets())
                ? new CsrCheck(CsrFailure.None, "valid", publicKey)
                : Fail(CsrFailure.BadSignature, "证书请求的签名无效：请求者未持有该私钥，或请求已被篡改。");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(CsrFailure.Malformed, "证书请求无法解析。");
        }
    }

    /// <summary>The requested SM2 public key after <see cref="Verify"/> accepted the request.</summary>
    /// <exception cref="CertificateRequestException">With the <see cref="Verify"/> failure.</exception>
    public static AsymmetricKeyParameter VerifiedPublicKey(Pkcs10CertificationRequest request)
    {
        var check = Verify(request);
        return check is { IsValid: true, PublicKey: { } key } ? key : throw new CertificateRequestException(check.Failure, check.Message);
    }

    private static CsrCheck Fail(CsrFailure failure, string message) => new(failure, message, null);
}
