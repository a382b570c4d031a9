using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// The network's two-level SM2 PKI: a self-signed root (<c>CN=&lt;network&gt; Root CA</c>, CA:true pathLen 1,
/// 20 years) that certifies one issuing CA (<c>CN=&lt;network&gt; Issuing CA</c>, CA:true pathLen 0, 10 years),
/// which issues institution, person and timestamping certificates and the CRL. Everything is signed
/// SM3withSM2 with the default user ID.
/// </summary>
/// <remarks>
/// <para>Subjects (all UTF8String):</para>
/// <list type="bullet">
/// <item>institution: <c>CN=&lt;party&gt;, O=&lt;organisation&gt;, OU=&lt;org-type code&gt;</c>, as node certificates;</item>
/// <item>person: <c>CN=&lt;name&gt;, UID=&lt;user id&gt;, OU=&lt;post&gt;, O=&lt;organisation&gt;</c>, and the party the
/// person acts for as a subjectAltName directoryName equal to its institution subject, which OpenSSL prints as
/// <c>DirName:CN = bank-102, O = …, OU = 102</c>;</item>
/// <item>timestamping: <c>CN=&lt;authority name&gt;, O=&lt;network&gt;</c>, extendedKeyUsage timeStamping (critical).</item>
/// </list>
/// <para>OpenSSL 3.0.19 applies <c>-vfyopt distid:1234567812345678</c> only to the certificate it verifies and checks
/// intermediates and CRLs with an empty SM2 user ID (openssl/openssl#23471), so the one-command
/// <c>verify -CAfile root.pem -untrusted issuing.pem leaf.pem</c> fails at depth 1 and <c>-crl_check</c> always gives
/// "CRL signature failure". What works, link by link (tested in <c>PkiOpenSslTests</c>):
/// <c>openssl verify -vfyopt distid:1234567812345678 -CAfile root.pem issuing.pem</c>;
/// <c>openssl verify -vfyopt distid:1234567812345678 -partial_chain -CAfile issuing.pem leaf.pem</c>;
/// the CRL signature with <c>openssl asn1parse -in crl.pem -strparse 4 -noout -out tbs.der</c>,
/// <c>openssl asn1parse -in crl.pem -strparse &lt;offset of the last BIT STRING&gt; -noout -out sig.der</c>,
/// <c>openssl x509 -in issuing.pem -noout -pubkey &gt; issuing-pub.pem</c>,
/// <c>openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey issuing-pub.pem -in tbs.der -sigfile sig.der</c>;
/// and the revoked serials with <c>openssl crl -in crl.pem -noout -text</c>.</para>
/// <para>Revoking changes the list, not the published CRL: call <see cref="CurrentCrl"/> (and
/// <see cref="CurrentRootCrl"/>) to make and keep a new one, then <see cref="Save(string, ReadOnlySpan{char})"/> or <see cref="ExportPem"/>.
/// Instances are thread-safe.</para>
/// </remarks>
public sealed class NetworkPki
{
    public const string RootCertificateFileName = "root.crt.pem";
    public const string RootKeyFileName = "root.key.pem";
    public const string IssuingCertificateFileName = "issuing.crt.pem";
    public const string IssuingKeyFileName = "issuing.key.pem";
    public const string CrlFileName = "crl.pem";
    public const string RootCrlFileName = "root.crl.pem";

    public const int RootValidityYears = 20;
    public const int IssuingValidityYears = 10;

    /// <summary>How long the CRLs made by <see cref="Create"/> stay current.</summary>
    public static readonly TimeSpan InitialCrlValidity = TimeSpan.FromDays(7);

    private const string RootSuffix = " Root CA";
    private const string IssuingSuffix = " Issuing CA";
    private const string SignatureAlgorithm = "SM3WITHSM2";
    private const int SerialBits = 128;

    private readonly Lock _lock = new();
    private readonly SecureRandom _random;
    private readonly AsymmetricKeyParameter _rootKey;
    private readonly AsymmetricKeyParameter _issuingKey;
    private readonly List<Revocation> _revocations;
    private long _crlNumber;
    private long _rootCrlNumber;
    private X509Crl _crl;
    private X509Crl _rootCrl;

    private NetworkPki(
        X509Certificate root, AsymmetricKeyParameter rootKey, X509Certificate issuing, AsymmetricKeyParameter issuingKey,
        List<Revocation> revocations, long crlNumber, long rootCrlNumber, X509Crl? crl, X509Crl? rootCrl, SecureRandom random)
    {
        Root = root;
        _rootKey = rootKey;
        Issuing = issuing;
        _issuingKey = issuingKey;
        _revocations = revocations;
        _crlNumber = crlNumber;
        _rootCrlNumber = rootCrlNumber;
        _random = random;
        var now = new DateTimeOffset(Issuing.NotBefore, TimeSpan.Zero);
        _crl = crl ?? MakeCrl(RevokingAuthority.Issuing, now, now + InitialCrlValidity);
        _rootCrl = rootCrl ?? MakeCrl(RevokingAuthority.Root, now, now + InitialCrlValidity);
    }

    /// <summary>The trust anchor every node configures.</summary>
    public X509Certificate Root { get; }

    /// <summary>The CA that signs end-entity certificates and the CRL.</summary>
    public X509Certificate Issuing { get; }

    /// <summary>The network name, from the root's CN without " Root CA".</summary>
    public string NetworkName
    {
        get
        {
            var cn = Root.SubjectDN.GetValueList(X509Name.CN)[0];
            return cn.EndsWith(RootSuffix, StringComparison.Ordinal) ? cn[..^RootSuffix.Length] : cn;
        }
    }

    /// <summary>The issuing CA's CRL made last (by <see cref="Create"/>, <see cref="Load"/> or <see cref="CurrentCrl"/>).</summary>
    public X509Crl Crl
    {
        get
        {
            lock (_lock)
            {
                return _crl;
            }
        }
    }

    /// <summary>The root's CRL made last; it lists the issuing CA only if that was revoked.</summary>
    public X509Crl RootCrl
    {
        get
        {
            lock (_lock)
            {
                return _rootCrl;
            }
        }
    }

    /// <summary>Every revocation so far, in the order made.</summary>
    public IReadOnlyList<Revocation> Revocations
    {
        get
        {
            lock (_lock)
            {
                return [.. _revocations];
            }
        }
    }

    /// <summary>
    /// A new root and issuing CA, both valid from <paramref name="now"/> (whole seconds), and empty CRLs valid for
    /// <see cref="InitialCrlValidity"/>. <paramref name="random"/> is kept for serials and signatures.
    /// </summary>
    public static NetworkPki Create(string networkName, DateTimeOffset now, SecureRandom random, NetworkEnvironment environment = NetworkEnvironment.Production)
    {
        NodeCertificate.RequireName(networkName, NodeCertificate.OrganisationNameLengthMax - IssuingSuffix.Length, nameof(networkName));
        ArgumentNullException.ThrowIfNull(random);
        var notBefore = WholeSeconds(now);

        var rootKeys = Sm2.GenerateKeyPair(random);
        var rootName = CaName(networkName + RootSuffix, environment);
        var root = new X509V3CertificateGenerator();
        root.SetSerialNumber(NewSerial(random));
        root.SetIssuerDN(rootName);
        root.SetSubjectDN(rootName);
        root.SetNotBefore(notBefore.UtcDateTime);
        root.SetNotAfter(notBefore.AddYears(RootValidityYears).UtcDateTime);
        root.SetPublicKey(rootKeys.Public);
        root.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(1));
        root.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        root.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(rootKeys.Public));
        var rootCertificate = root.Generate(new Asn1SignatureFactory(SignatureAlgorithm, rootKeys.Private, random));

        var issuingKeys = Sm2.GenerateKeyPair(random);
        var issuing = new X509V3CertificateGenerator();
        issuing.SetSerialNumber(NewSerial(random));
        issuing.SetIssuerDN(rootName);
        issuing.SetSubjectDN(CaName(networkName + IssuingSuffix, environment));
        issuing.SetNotBefore(notBefore.UtcDateTime);
        issuing.SetNotAfter(notBefore.AddYears(IssuingValidityYears).UtcDateTime);
        issuing.SetPublicKey(issuingKeys.Public);
        issuing.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
        issuing.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        issuing.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, AuthorityKeyIdentifierOf(rootCertificate));
        issuing.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(issuingKeys.Public));
        var issuingCertificate = issuing.Generate(new Asn1SignatureFactory(SignatureAlgorithm, rootKeys.Private, random));

        return new NetworkPki(rootCertificate, rootKeys.Private, issuingCertificate, issuingKeys.Private, [], 0, 0, null, null, random);
    }

    /// <summary>A CA's name: <c>CN=&lt;name&gt;</c>, and <c>OU=测试环境</c> in a test network (see <see cref="NetworkEnvironments"/>).</summary>
    private static X509Name CaName(string commonName, NetworkEnvironment environment) => environment == NetworkEnvironment.Sandbox
        ? new X509Name([X509Name.CN, X509Name.OU], [commonName, NetworkEnvironments.SandboxUnit])
        : new X509Name([X509Name.CN], [commonName]);

    /// <summary>
    /// An institution certificate: <c>CN=&lt;party&gt;, O=&lt;organisation&gt;, OU=&lt;org-type code&gt;</c>,
    /// digitalSignature|nonRepudiation (critical), CA:false, key identifiers, and a CRL distribution point when
    /// <paramref name="crlDistributionPoint"/> (a URI) is given.
    /// </summary>
    public X509Certificate IssueInstitution(
        PartyId party, string organisationName, AsymmetricKeyParameter publicKey, DateTimeOffset now, TimeSpan validity, Uri? crlDistributionPoint = null)
    {
        NodeCertificate.RequireName(organisationName, NodeCertificate.OrganisationNameLengthMax, nameof(organisationName));
        var generator = EndEntity(NodeCertificate.SubjectFor(party, organisationName), publicKey, now, validity, crlDistributionPoint);
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.NonRepudiation));
        return Sign(generator);
    }

    /// <summary>
    /// An institution certificate for the key in <paramref name="request"/>, as
    /// <see cref="IssueInstitution(PartyId, string, AsymmetricKeyParameter, DateTimeOffset, TimeSpan, Uri?)"/>. The request must
    /// verify (<see cref="Csr.Verify"/>: SM3withSM2, an SM2 key, a good proof of possession). Only its key is used: the
    /// subject and extensions come from <paramref name="party"/> and <paramref name="organisationName"/>, the authority's
    /// own records; what the request asks for is not trusted and ignored.
    /// </summary>
    /// <exception cref="CertificateRequestException">The request does not verify, with its <see cref="CsrFailure"/>.</exception>
    public X509Certificate IssueInstitution(
        Pkcs10CertificationRequest request, PartyId party, string organisationName, DateTimeOffset now, TimeSpan validity, Uri? crlDistributionPoint = null) =>
        IssueInstitution(party, organisationName, Csr.VerifiedPublicKey(request), now, validity, crlDistributionPoint);

    /// <summary>
    /// A person's certificate for the key in <paramref name="request"/>, as
    /// <see cref="IssuePerson(PartyId, string, string, string, string, AsymmetricKeyParameter, DateTimeOffset, TimeSpan, Uri?)"/>,
    /// after the request verifies; the subject comes from the arguments (the authority's records), never from the request.
    /// </summary>
    /// <exception cref="CertificateRequestException">The request does not verify, with its <see cref="CsrFailure"/>.</exception>
    public X509Certificate IssuePerson(
        Pkcs10CertificationRequest request, PartyId party, string userId, string name, string post, string organisationName,
        DateTimeOffset now, TimeSpan validity, Uri? crlDistributionPoint = null) =>
        IssuePerson(party, userId, name, post, organisationName, Csr.VerifiedPublicKey(request), now, validity, crlDistributionPoint);

    /// <summary>
    /// A person's signing certificate: <c>CN=&lt;name&gt;, UID=&lt;userId&gt;, OU=&lt;post&gt;, O=&lt;organisation&gt;</c>,
    /// the party as subjectAltName directoryName <c>CN=&lt;party&gt;, O=&lt;organisation&gt;, OU=&lt;org-type code&gt;</c>,
    /// digitalSignature|nonRepudiation (critical), CA:false.
    /// </summary>
    public X509Certificate IssuePerson(
        PartyId party, string userId, string name, string post, string organisationName, AsymmetricKeyParameter publicKey,
        DateTimeOffset now, TimeSpan validity, Uri? crlDistributionPoint = null)
    {
        NodeCertificate.RequireName(userId, CertificateIdentities.UserIdLengthMax, nameof(userId));
        NodeCertificate.RequireName(name, CertificateIdentities.NameLengthMax, nameof(name));
        NodeCertificate.RequireName(post, CertificateIdentities.NameLengthMax, nameof(post));
        NodeCertificate.RequireName(organisationName, NodeCertificate.OrganisationNameLengthMax, nameof(organisationName));
        var subject = new X509Name(
            [X509Name.CN, X509Name.UID, X509Name.OU, X509Name.O],
            [name, userId, post, organisationName]);
        var generator = EndEntity(subject, publicKey, now, validity, crlDistributionPoint);
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.NonRepudiation));
        generator.AddExtension(
            X509Extensions.SubjectAlternativeName,
            false,
            new GeneralNames(new GeneralName(GeneralName.DirectoryName, NodeCertificate.SubjectFor(party, organisationName))));
        return Sign(generator);
    }

    /// <summary>
    /// The timestamp authority's certificate: <c>CN=&lt;authorityName&gt;, O=&lt;network&gt;</c>, digitalSignature
    /// (critical), extendedKeyUsage id-kp-timeStamping only (critical, as RFC 3161 requires), CA:false.
    /// </summary>
    public X509Certificate IssueTimestamping(
        string authorityName, AsymmetricKeyParameter publicKey, DateTimeOffset now, TimeSpan validity, Uri? crlDistributionPoint = null)
    {
        NodeCertificate.RequireName(authorityName, CertificateIdentities.NameLengthMax, nameof(authorityName));
        var subject = new X509Name([X509Name.CN, X509Name.O], [authorityName, NetworkName]);
        var generator = EndEntity(subject, publicKey, now, validity, crlDistributionPoint);
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeID.id_kp_timeStamping));
        return Sign(generator);
    }

    /// <summary>
    /// Records a revocation at <paramref name="at"/> (whole seconds). The issuing CA's own serial goes on the root's
    /// list, every other serial on the issuing CA's. False when the serial is already revoked (the first record
    /// stays). The CRLs change only when <see cref="CurrentCrl"/> / <see cref="CurrentRootCrl"/> make new ones.
    /// </summary>
    public bool Revoke(BigInteger serial, DateTimeOffset at, RevocationReason reason)
    {
        ArgumentNullException.ThrowIfNull(serial);
        if (serial.SignValue <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(serial), serial, "Certificate serials are positive.");
        }

        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a supported revocation reason.");
        }

        if (serial.Equals(Root.SerialNumber))
        {
            throw new ArgumentException("The root cannot be revoked by a CRL; replace the trust anchor instead.", nameof(serial));
        }

        var authority = serial.Equals(Issuing.SerialNumber) ? RevokingAuthority.Root : RevokingAuthority.Issuing;
        lock (_lock)
        {
            if (_revocations.Exists(r => r.Authority == authority && r.Serial.Equals(serial)))
            {
                return false;
            }

            if (_revocations.Count == RevocationsFile.RevocationsMax)
            {
                throw new InvalidOperationException($"The PKI already holds {RevocationsFile.RevocationsMax} revocations.");
            }

            _revocations.Add(new Revocation(authority, serial, WholeSeconds(at), reason));
            return true;
        }
    }

    /// <summary>
    /// A new CRL of the issuing CA (thisUpdate <paramref name="now"/>, nextUpdate <paramref name="nextUpdate"/>) with
    /// every revocation so far, the next CRL number and the issuing CA's key identifier; it becomes <see cref="Crl"/>.
    /// </summary>
    public X509Crl CurrentCrl(DateTimeOffset now, DateTimeOffset nextUpdate)
    {
        lock (_lock)
        {
            _crl = MakeCrl(RevokingAuthority.Issuing, now, nextUpdate);
            return _crl;
        }
    }

    /// <summary>A new CRL of the root, as <see cref="CurrentCrl"/>; it becomes <see cref="RootCrl"/>.</summary>
    public X509Crl CurrentRootCrl(DateTimeOffset now, DateTimeOffset nextUpdate)
    {
        lock (_lock)
        {
            _rootCrl = MakeCrl(RevokingAuthority.Root, now, nextUpdate);
            return _rootCrl;
        }
    }

    /// <summary>
    /// Writes the CA keys (0600), certificates, both CRLs and <c>revocations.json</c> into <paramref name="directory"/>.
    /// </summary>
    public void Save(string directory) => Save(directory, Pem.WritePrivateKey);

    /// <summary>
    /// As <see cref="Save(string)"/>, with both CA keys encrypted under <paramref name="passphrase"/> (<see cref="EncryptedKeyFile"/>:
    /// PBES2, PBKDF2-HMAC-SHA256, SM4-CBC), each written 0600 through a temporary file renamed into place. The salts and
    /// IVs come from the PKI's <see cref="SecureRandom"/>.
    /// </summary>
    /// <exception cref="KeyFileException"><see cref="KeyFileFailure.PassphraseInvalid"/> for a too short passphrase.</exception>
    public void Save(string directory, ReadOnlySpan<char> passphrase, int iterations = EncryptedKeyFile.Iterations)
    {
        var rootKey = EncryptedKeyFile.Write(_rootKey, passphrase, _random, iterations);
        var issuingKey = EncryptedKeyFile.Write(_issuingKey, passphrase, _random, iterations);
        Save(directory, key => ReferenceEquals(key, _rootKey) ? rootKey : issuingKey);
    }

    private void Save(string directory, Func<AsymmetricKeyParameter, string> keyText)
    {
        Directory.CreateDirectory(directory);
        lock (_lock)
        {
            File.WriteAllText(Path.Combine(directory, RootCertificateFileName), Pem.WriteCertificate(Root));
            OwnerOnlyFile.WriteAtomically(Path.Combine(directory, RootKeyFileName), keyText(_rootKey));
            File.WriteAllText(Path.Combine(directory, IssuingCertificateFileName), Pem.WriteCertificate(Issuing));
            OwnerOnlyFile.WriteAtomically(Path.Combine(directory, IssuingKeyFileName), keyText(_issuingKey));
            File.WriteAllText(Path.Combine(directory, CrlFileName), CrlPem.Write(_crl));
            File.WriteAllText(Path.Combine(directory, RootCrlFileName), CrlPem.Write(_rootCrl));
            File.WriteAllText(Path.Combine(directory, RevocationsFile.FileName), RevocationsFile.Write(_revocations, _crlNumber, _rootCrlNumber));
        }
    }

    /// <summary>
    /// Reads a PKI saved by <see cref="Save(string)"/> (unencrypted keys); checks each key belongs to its certificate, that the issuing CA is
    /// signed by the root and both CRLs by their CA.
    /// </summary>
    public static NetworkPki Load(string directory, SecureRandom random) =>
        Load(directory, random, path => Pem.ReadPrivateKey(File.ReadAllText(path)));

    /// <summary>
    /// As <see cref="Load(string, SecureRandom)"/> for a PKI saved by <see cref="Save(string, ReadOnlySpan{char})"/>: both CA
    /// keys are decrypted with <paramref name="passphrase"/>; an unencrypted key file is refused.
    /// </summary>
    /// <exception cref="KeyFileException">A key file cannot be opened with this passphrase, with the reason.</exception>
    public static NetworkPki Load(string directory, ReadOnlySpan<char> passphrase, SecureRandom random)
    {
        var text = passphrase.ToString();
        return Load(directory, random, path => EncryptedKeyFile.Load(path, text));
    }

    private static NetworkPki Load(string directory, SecureRandom random, Func<string, AsymmetricKeyParameter> readKey)
    {
        ArgumentNullException.ThrowIfNull(random);
        string Text(string name) => File.ReadAllText(Path.Combine(directory, name));
        var root = Pem.ReadCertificate(Text(RootCertificateFileName));
        var rootKey = readKey(Path.Combine(directory, RootKeyFileName));
        var issuing = Pem.ReadCertificate(Text(IssuingCertificateFileName));
        var issuingKey = readKey(Path.Combine(directory, IssuingKeyFileName));
        var crl = CrlPem.Read(Text(CrlFileName));
        var rootCrl = CrlPem.Read(Text(RootCrlFileName));
        var (revocations, crlNumber, rootCrlNumber) = RevocationsFile.Read(Text(RevocationsFile.FileName));

        if (!CertificateAuthority.KeyMatches(root, rootKey) || !CertificateAuthority.KeyMatches(issuing, issuingKey))
        {
            throw new InvalidDataException($"A CA key in '{directory}' does not belong to its certificate.");
        }

        if (root.GetBasicConstraints() < 1 || issuing.GetBasicConstraints() < 0
            || !SignatureChecks.IsSignedBy(root, root.GetPublicKey()) || !SignatureChecks.IsSignedBy(issuing, root.GetPublicKey())
            || !SignatureChecks.IsSignedBy(crl, issuing.GetPublicKey()) || !SignatureChecks.IsSignedBy(rootCrl, root.GetPublicKey()))
        {
            throw new InvalidDataException($"The PKI in '{directory}' does not hold together: a CA or CRL is not signed by its issuer.");
        }

        return new NetworkPki(root, rootKey, issuing, issuingKey, revocations, crlNumber, rootCrlNumber, crl, rootCrl, random);
    }

    /// <summary>
    /// Writes what relying parties and OpenSSL need: <c>root.pem</c>, <c>issuing.pem</c>, <c>chain.pem</c>
    /// (issuing then root), <c>crl.pem</c> (issuing CA's CRL) and <c>root-crl.pem</c>.
    /// </summary>
    public void ExportPem(string folder)
    {
        Directory.CreateDirectory(folder);
        var root = Pem.WriteCertificate(Root);
        var issuing = Pem.WriteCertificate(Issuing);
        File.WriteAllText(Path.Combine(folder, "root.pem"), root);
        File.WriteAllText(Path.Combine(folder, "issuing.pem"), issuing);
        File.WriteAllText(Path.Combine(folder, "chain.pem"), issuing + root);
        File.WriteAllText(Path.Combine(folder, "crl.pem"), CrlPem.Write(Crl));
        File.WriteAllText(Path.Combine(folder, "root-crl.pem"), CrlPem.Write(RootCrl));
    }

    // Called under _lock (or from the constructor).
    private X509Crl MakeCrl(RevokingAuthority authority, DateTimeOffset now, DateTimeOffset nextUpdate)
    {
        var thisUpdate = WholeSeconds(now);
        var next = WholeSeconds(nextUpdate);
        if (next <= thisUpdate)
        {
            throw new ArgumentOutOfRangeException(nameof(nextUpdate), nextUpdate, "A CRL's next update must come after its this update.");
        }

        var (ca, key) = authority == RevokingAuthority.Root ? (Root, _rootKey) : (Issuing, _issuingKey);
        var number = authority == RevokingAuthority.Root ? ++_rootCrlNumber : ++_crlNumber;
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(ca.SubjectDN);
        generator.SetThisUpdate(thisUpdate.UtcDateTime);
        generator.SetNextUpdate(next.UtcDateTime);
        foreach (var revocation in _revocations.Where(r => r.Authority == authority))
        {
            generator.AddCrlEntry(revocation.Serial, revocation.RevokedAt.UtcDateTime, (int)revocation.Reason);
        }

        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.ValueOf(number)));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, AuthorityKeyIdentifierOf(ca));
        return generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, key, _random));
    }

    private X509V3CertificateGenerator EndEntity(X509Name subject, AsymmetricKeyParameter publicKey, DateTimeOffset now, TimeSpan validity, Uri? crlDistributionPoint)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.IsPrivate || !Sm2.IsSm2Key(publicKey))
        {
            throw new ArgumentException("A certificate certifies an SM2 public key.", nameof(publicKey));
        }

        var notBefore = WholeSeconds(now);
        var notAfter = notBefore + validity;
        if (validity <= TimeSpan.Zero || notAfter.UtcDateTime > Issuing.NotAfter || notBefore.UtcDateTime < Issuing.NotBefore)
        {
            throw new ArgumentOutOfRangeException(
                nameof(validity), validity, $"A certificate must be valid for a positive time within the issuing CA's ({Issuing.NotBefore:u} to {Issuing.NotAfter:u}).");
        }

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial(_random));
        generator.SetIssuerDN(Issuing.SubjectDN);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetPublicKey(publicKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, AuthorityKeyIdentifierOf(Issuing));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        if (crlDistributionPoint is not null)
        {
            var uri = new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, crlDistributionPoint.AbsoluteUri));
            generator.AddExtension(
                X509Extensions.CrlDistributionPoints,
                false,
                new CrlDistPoint([new DistributionPoint(new DistributionPointName(uri), null, null)]));
        }

        return generator;
    }

    private X509Certificate Sign(X509V3CertificateGenerator generator) =>
        generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, _issuingKey, _random));

    private static AuthorityKeyIdentifier AuthorityKeyIdentifierOf(X509Certificate ca) =>
        new(X509ExtensionUtilities.CreateSubjectKeyIdentifier(ca.GetPublicKey()).GetKeyIdentifier());

    private static BigInteger NewSerial(SecureRandom random)
    {
        // RFC 5280 wants a positive serial of at most 20 octets; zero is not positive.
        BigInteger serial;
        do
        {
            serial = new BigInteger(SerialBits, random);
        }
        while (serial.SignValue <= 0);
        return serial;
    }

    // X.509 times have whole seconds; truncating here keeps what we compare equal to what is encoded.
    internal static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
