using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Trust.Tests;

/// <summary>
/// What <c>fuzz/run</c> found, each as the exact input the fuzzer saved, and the rejection the reader now gives.
/// </summary>
public class FuzzFindingsTests
{
    // fuzz/run crl: the crl target wraps its input in PEM, as here; BouncyCastle's X509Crl threw on these DER bodies.
    [Theory]
    // ArgumentException: failed to construct sequence from byte[] (the outer tag is not a SEQUENCE).
    [InlineData("fwAAADCBug0BATAKBggqgRzPVXp6IElzc3VpbmcgQ0EXDTI2MDMrMjAxMzAwMFoXDTI2MDMwOTAxMzAwMFowMTAvAhAa8WUW7G6Pa3CrTXAkWRzhFw2gLzAtMAoGB1UdFAQDAgECMB8GA1UdI4QYMBaAFN0RbEgAGzBaFw0yNjAzMDkwMTMwshaUAiEAo0N+pa/EyVvKPtA2jBmVxg6wEHvPyUKU3tAvof4NV6w=")]
    // InvalidOperationException: unexpected explicit encoding (a mangled [0] crlExtensions tag).
    [InlineData("MIIBEzCBugIBATAKBggqgRzPVQGDdTAnMSUwIwYDVQQDDBxPcGVuVHJlYXN1cnkgRnV6eiBJc3N1aW5nIENBFw0yNjAzMDIwMTMwMDBaFw0yNjAzMDkwMTMwMDBaMDEwLwIQGvFlFuxuj2twq01wJFkc4RcNMjYwMzAyMDEzMDAwWjAMMAoGA1UdFQQDCgEBoC/PLTAKBgNVHRQEAwIBAjAfBgM9HSMEGDAWgBTdEW2iBuied0aFGEx4cvhAQvI48jAKBggqgRzPVQGDdQNIADBFAiAiY8N0yZb2Ej+lydWQ4OfBs+nQ5S41MEdeKMQLirIWlAIhAKNDfqWvuclbyj7QsYwZlcYOsBB7z8lClN7QL6H+DVes")]
    // DecoderFallbackException: the issuer's UTF8String is not UTF-8.
    [InlineData("MIIBEzCBugIBATAKBggqgRzPVQGDdTAnMSUwIwYDVQQDDBxPcGVuVHJlYXN1cnkgRnV6eiAtc4ODg4ODg0NBFw0yNjAzMDIwMTMwMDBaFw0yNjAzMDkwMTMwMDBaMDEwLwIQGuhlFuxuj2twq01wJFkc4RcNMjYwMzAyMDEzMDAwWjAMMAoGA1UdFQQDCgEBoC8wLTAKBgNVHRQEAwIBAjAfBgNVHSMEGDAWgBTdEW2iBuied0aFGEx4cvhAQvI48jAKBggqgRzPVQGDdQNIADBFAiAiY8N0yZb2Ej+lydWQ4OfBs+nQ5S41MEdeKMQLirIWlAIhAKNDfqWvuclbyj7QsYwZlcYOsBB7zwAEAADQL6H+DVes")]
    // ArgumentException: illegal object in GetInstance (a DLTaggedObject where the signature algorithm belongs).
    [InlineData("MIIBEzCBugIBATAKBggqgT/PVQGDdTAnMSUwIwYDVQQBDBxPcGVuVHJlYXN1cnkgRnV6eiBJc3N1aW5nIENBFw0yNjAzMDIwMTMwMDBaFw0yNjAzMDkwMTMwMDBaMDEwLwIQGvFlFuxuj2twqzJwJFkc4RcNMjYwMzAyMDEzMDAwWjAMMAoGA1UdFQQDCgEBoC8wLTAKBgNVHRQEAwIBAjAfBgNVHSMEGDAWgBTdEW2iBuiec0aFGEx4cvhAQvI48rsKBggMgRzPVQGDdQNIADBFAjAwMFoXDTI2MDMwOTAxM+fBs+nQ5S41MEdeKMQLirIWlAIhAKNDfqWvuclbyj7QsYwZlcYOsBB7z8lClN7QL6H+DVes")]
    public void A_malformed_CRL_in_a_PEM_block_is_InvalidDataException(string der)
    {
        var pem = $"-----BEGIN X509 CRL-----\n{Convert.ToBase64String(Convert.FromBase64String(der), Base64FormattingOptions.InsertLineBreaks)}\n-----END X509 CRL-----\n";

        var e = Assert.Throws<InvalidDataException>(() => CrlPem.Read(pem));

        Assert.Contains("not a well-formed CRL", e.Message, StringComparison.Ordinal);
    }
}
