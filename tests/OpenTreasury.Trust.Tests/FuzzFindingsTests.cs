using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Fuzz;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;

namespace OpenTreasury.Trust.Tests;

/// <summary>
/// What <c>fuzz/run</c> found, each as the exact input the fuzzer saved, and the rejection the reader now gives.
/// (A finding in the node's readers is here too: this project has the fuzz world the input was found against.)
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

    // fuzz/run timestamp: a token whose SignerInfo has a mangled [0] signedAttrs tag. The node reads the token's time
    // for the seal's revocation before verifying it (StampRights.TimestampTimeOf), and BouncyCastle threw
    // InvalidOperationException ("unexpected implicit primitive encoding"), which that reader did not expect.
    private const string TokenWithBadSignedAttributes =
        "MIIEVQYJKoZIhvcNAQcCoIIERjCCBEICAQMxDDAKBggqgRzPVQGDETCBggYLKoZIhvcNAQkQAQSgcwRxMG8CAQEGFGmBk9bM5/T/6qHFv57FjLqj38w6MC4wCgYIKoEcz1UBgxEEINVmJj1SG8NrVafcldkAViOY2ijJMvP9xfu90k//wJmQAgkBnKwqncAAAAEYDzIwMjYwMzAyMDEzMDAwWgIIaysUbPMI9LKgggHeMIIB2jCCAYCgAwIBAgIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBg3UwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQTAeFw0yNjAzMDIwMTMwMDBaFw0yNzAzMDIwMTMwMDBaMDwxHjAcBgNVBAMMFU+MZW5UcmVhc3VyeSBGdXp6IFRTQTEaMBgGA1UECgwRT3BlblRyZWFzdXJ5IEZ1enowWTATBgcqhkjOPQIBBggqgRzPVQGCLQNCAARpWDVJZyFM2wjbi09fmR+wHaOVMVWrlYoRiTQZp/sOHfjsFEIQh9VIdHJJSipJlYEyJledz9ps4o4XQc9J/qnvo3gwdjAMBgNVHRMBAf8EAjAAMB8GA1UdIwQYMBaAFN0RbaIG6J53RoUYTHhy+EBC8jjyMB0GA1UdDgQWBBQ3vQJ97BNiHWEWMNDdTawPqCw75TAOBgNVHQ8BAf8EBAMCB4AwFgYDVR0lAQH/BAwwCgYIKwYBBQUHAwgwCgYIKoEcz1UBg3UDSAAwRQIhAK8ndWRx+W7xTfu84vOn5E5/04HKorhDKXtuUdrzUeJrAiBkBA+W/6jqJ95LSDVn7H9sREk+SEsfEhKLNpe78/V2ODGCAcYwggHCAgEBMDwwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQQIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBgxGAggEcMBoGCSqGSIb3DQEJAzENBgsqhkiG9w0BCRABBDAcBgkqhkiG9w0BCQUxDxcNMjYxMjAxMjIzNzE0WjAnBgkqhkiG9w0BCTQxGjAYMAoGCCqBHM9VAYMRoQoGCCqBHM9VAYN1MC8GCSqGSIb3DQEJBDEiBCC/yPZiYXV+fPycteG8qNkfmoeyDobGVSG4uqc5BTtUvTCBhQYLKoZIhvcNAQkQAi8xdjB0MHIwcDAKBggqgRzPVQGDEQQg2JvG+y2IztIFlfINb82hTMVCDcXJxmOrJmC81UxUs4cwQDArpCkwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQQIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBg3UERzBFAiB8AJa3qkcXA7+o7VHPo+U6ZkgmELyJsnQcC3OGRFCK2X8AAADlRvcFITKSStFNbL3Z4x6I1DMNoxcK1mFMQX4+aXyw";

    [Fact]
    public void A_stamp_whose_token_is_malformed_gets_past_the_seal_rights_and_the_verifier_refuses_the_token()
    {
        var world = FuzzWorld.Instance;
        var token = Convert.FromBase64String(TokenWithBadSignedAttributes);
        var stamp = world.StampWithToken(token)!;

        var refusal = StampRights.Check(world.RegisteredSeal, FuzzWorld.Position, FuzzWorld.Sender, null, stamp);
        var check = world.TimestampVerifier.Verify(token, stamp.Signature);

        Assert.Null(refusal); // not revoked at timeInfo, since the token has no time to read
        Assert.Equal(TimestampFailure.Malformed, check.Failure);
    }

    // fuzz/run tsa-response: a TimeStampResp with PKIStatus 10 and the statusString "Op\xFFration Okay", not UTF-8:
    // BouncyCastle's GetStatusString threw DecoderFallbackException while the refusal message was being written.
    private const string ResponseWithBadStatusText =
        "MIIEbzAVAgEKMBAMDk9w/3JhdGlvbiBPa2F5MIIEVAYJKoZIhvcNAQcCoIIERTCCBEECAQMxDDAKBggqgRzPVQGDETCBggYLKoZIhvcNAQkQAQSgcwRxMG8CAQEGFGmBk9bM5/T/6qHFv57FjLqj38w6MC4wCgYIKoEcz1UBgxEEINVmJj1SG8NrVafcldkAViOY2ijJMvP9BgNVHQ8BAf8EAgkBnKwqncAAAAIYDzIwMjYwMzAyMDEzMDAwWgIIFzLdfgv6Do+gggHeMIIB2jCCAYCgAwIBAgIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBg3UwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzb2luZyBDQTAeFw0yNjAzMDIwMTMwMDBaFw0yNzAzMDIwMTMwMDBaMDwxHjAcBgNVBAMMFU9wZW5UcmVhc3VyeSBGdXp6IFRTQTEaMBgGA1UECgwRT3BlblRyZWFzdXJ5IEZ1enowWTATBgcqhkjOPQIBBggqgRzPVQGCLQNCAARpWDVJZyFM2wjbi09fmR+wHaOVMVWrlYoRiTQZp/sOHfjsFEIQh9VIdHJJSipJlYEyJFedz9ps4o4XQc9J/qnvo3gwdjAMBgNVHRMBAf8EAjAAMB8GA1UdIwQYMBaAFN0RbaIG6J53RoUYTHhy+EBC8jjyMB0GA1UdDgQWBBQ3vQJ97BNiHWEWMNDdTawPqCw75TAOBgNVHQ8BAf8EBAMCB4AwFgYDVR0lAQH/BAwwCgYIKwYBBQUHAwgwCgYIKoEcz1UBg3UDSAAwRQIhAK8ndWRx+W7xTfu84vOn5E5/04HKorhDKXtuUdrzUeJrAiBkBA+W/6jqJ95LSDVn7H9sREk+SEsfEhKLNpe78/V2ODGCAcUwggHBAgEBMDwwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQQIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEc8lUBgxGgggEcMBoGCSqGSIb3DQEJAzENBgsqhkiG9w0BCRABBDAcBgkqhkiG9w0BCQUxDxcNMjYxMjAxMjIzNzE0WjAnBgkqhkiG9w0BCTQxGjAYMAoGCCqBHM9VAYMRoQoGCCqBHM9VAYN1MC8GCSqGSIb3DQEJBDEiBCDfDamDbBrc7OxTqte286SbzVlvYNxE2J5BFVOpJULgPTCBhQYLKoZIhvcNAQkQAi8xdjB0MHIwcDAKBggqgRzPVQGDEQQg2JvG+y2IztIFlfINb82hTMVCDcXJxmOrJmC81UxUoIcwQDArpCkwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQQIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBg3UERjBEAiA/nqmP+YI8cX2TN55DHsCJ8LGz96O89IejIrylxWsSWQIgFDBz5vdM4/svih2L7ZmKCh0A1r3loiWsBR8yp0vsBsU=";

    // fuzz/run tsa-response (CI, 2026-12-03): a TimeStampResp whose PKIStatus is an INTEGER of 19 bytes:
    // BouncyCastle's TimeStampResponse.Status threw ArithmeticException ("ASN.1 Integer out of int range").
    private const string ResponseWithHugeStatus =
        "MIIEbzAVAhMKMBAMDk9w/3JhdGlvbiBPa2F5MIIEVAYJKoZIhvcNAQcCoIIERTCCBEECAQMxDDAKBggqgRzPVQGDETCBggYLKoZIhvcNAQkQAQSgcwRxMG8CAQEGFGmBk9bM5/T/6qHFv57FjLqj38w6MC4wCgYIKoEcz1UBgxEEINVmJj1SG8NrVafcldkAViOYAADJMvP9BgNVHQ8BAf8EAgkBnKwqncAAAAIYDzIwMjYwMzAyMDEzMDAwWgIIFzLdfgv6Do+gggHeMIIB2jCCAYCgAwIBAgIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBg3UwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzb2luZyBDQTAeFw0yNjAzMDIwMTMwMDBaFw0yNzAzMDIwMTMwMDBaMDwxHjAcBgNVBAMMFU9wZW5UcmVhc3VyeSBGdXp6IFRTQTEaMBgGA1UECgwRT3BlblRyZWFzdXJ5IEZ1enowWTATBgcqhkjOPQIBBggqgRzPVQGCLQNCAARpWDVJZyFM2wjbi09fmR+wHaOVMVWrlYoRiTQZp/sOHfjsFEIQh9VIdHJJSipJlYEyJFedz9ps4o4XQc9J/qnvo3gwdjAMBgNVHRMBAf8EAjAAMB8GA1UdIwQYMBaAFN0RbaIG6J53RoUYTHhy+EBC8jjyMB0GA1UdDgQWBBQ3vQJ97BNiHWEWMNDdTawPqCw75TAOBgNVHQ8BAf8EBAMCB4AwFgYDVR0lAQH/BAwwCgYIKwYBBQUHAwgwCgYIKoEcz1UBg3UDSAAwRQIhAK8ndWRx+W7xTfu84vOn5E5/04HKorhDKXtuUdrzUeJrAiBkBA+W/6jqJ95LSDVn7H9sREk+SEsfEhKLNpe78/V2ODGCAcUwggHBAgEBMDwwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQQIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEc8lUBgxGgggEcMBoGCSqGSIb3DQEJAzENBgsqhkiG9w0BCRABBDAcBgkqhkiG9w0BCQUxDxcNMjYxMjAxMjIzNzE0WjAnBgkqhkiG9w0BCTQxGjAYMAoGCCqBHM9VAYMRoQoGCCqBHM9VAYN1MC8GCSqGSIb3DQEJBDEiBCDfDamDbBrc7OxTqte286SbzVlvYNxE2J5BFVOpJULgPTCBhQYLKoZIhvcNAQkQAi8xdjB0MHIwcDAKBggqgRzPVQGDEQQg2JvG+y2IztIFlfINb82hTMUoDcXJxmOrJmC8uUxUoIcwQDArpCkwJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQQIRAJsJEP3QUMnNqNfMU/kj9YIwCgYIKoEcz1UBg3UERjBEAiA/nqmP+YI8cX2TN55DHsCJ8LGz96O89IejIrylxWsSWQIgFDBz5vdM4/svih2L7ZmKCh0A1r3loiWsBR8yp0vsBsU=";

    [Theory]
    [InlineData(ResponseWithBadStatusText)]
    [InlineData(ResponseWithHugeStatus)]
    public void A_TSA_response_BouncyCastle_cannot_read_is_Malformed(string response)
    {
        var world = FuzzWorld.Instance;

        var check = TimestampRequests.CheckResponse(Convert.FromBase64String(response), world.TimestampRequest, world.Stamp.Signature, world.TimestampVerifier);

        Assert.Equal(TimestampFailure.Malformed, check.Failure);
        Assert.Null(check.Token);
    }

    // fuzz/run x509: the x509 target wraps its input in PEM, as here, the form a peer serves its certificate in;
    // BouncyCastle's X509Certificate threw on these DER bodies, types the callers of Pem.ReadCertificate did not expect.
    [Theory]
    // ArgumentException: failed to construct sequence from byte[].
    [InlineData("FoAVCoPJn9+WDFucvIp5apqwIFqZyWFrMND5NwnDdjAgBgNVQTAeFw0yNjAzMDJEMTBaMCdvb3QgQwRuVHJlYXN1cnkgRnV6eiBSMSUwIwYDVQQDDONPcGVuVHJlYXN1cnkgRnV6eiBJc3N1aW5nIENBMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEc3JOoM8zRUEOoKoTSCmh+79iIDEXTcgL6LlrZ5FUaoDcSKWxZB77yQY/ulhcU6d1o2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAfBgNyHSMEGDAWgBT2g/aYl0FSW5yIinkrGsmfwZYsdDAdBgNVHQ4EFgQU3RFtogbonndGhRhMeHL4QELyOPIwCgYIKoETz1UBg3UhAIRb7o5KDCAb/RR2wR6dASyQ92V2I606bzQQjPgqIYJuAiEAulccsi2s/dL2w0Go7APYFLO0ptaiiaJqKgy+xLCyeG8=")]
    // CertificateParsingException: cannot construct KeyUsage (its BIT STRING is not one).
    [InlineData("MIIBsDCCAVWgAwIBAgIQapqwIFqZyWFrMND5NwnDdjAKBggqgRzPVQGDdTAkMSIwIAYDVQQDDBlPcGVuVHJlYXN1cnkgRnV6eiBSb290IENBMB4XDTI2MDMwMjAxMzAwMFoXDTM2MDMwMjAxMzAwMFowJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQTBZMBMGByqGSM49AgEGCCqBHM9VAYItA0IABHNyTqDPM0VBDqCqE1Mpofu/YiAxF03IC+i5a2eRVGqA3EilsWQe+9VuWG3BlHJcLhLnHNecpyDJBj+6WFxTp3WjZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQAwDgYDVR0PAQH/BAQDFvgFMB8GA1UdIwQYMBaAFPaD9piXQVJbnLyKeSsayZ/flix0MB0GA1UdDgQWBBTdEW2iBuied0aFGEx4cvhAQvI48jAKBggqgRzPVQGDdQNJADBGAiEAhFzujkoMIBv9FHbBHp0BLJD3ZXYjrTpvNBCM+Cohgm4CIQC6VxyyLaz90vbDQajsA9gUs7Sm1qKJomoqDL7EsLJ4bw==")]
    // DecoderFallbackException: the issuer's UTF8String is not UTF-8.
    [InlineData("MIIBsDCCAVWgAwIBAgIQapqwIFqZyWFrMND5NwnDdjAKBggqgRzPVQGDdTAkMSIwIAYDVQQDDBlPcGVuVHJlYXN1cnkgRot6eiBSb290IENBMB4XDTI2MDMwMjAxMzAwMFoXDTM2MDMwMjAxMzAwMFowJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQTBZMBMGB/+GSM49AgEGCCqBHM9VAYItA0IABHNyTqDPM0VBDqCqE1Mpofu/YiAxF03IC+i5a2eRVGqA3EilsWQe+9VuWG3BlHJcLhLnHNecpyDJBj+6WFxTp3WjZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQAwDgYDVR0PAQH/BAQDAgEGMB8GA1UdIwQYMBaAFPaD9piXQVJbnLyKeSsayZ/flix0MB0GA1UdDgQWBBTdEW2iBuied0aFGEx4cvhAQvI48jAKBggqgRzPVQGDdQNJADBGAiEAhFzujkoMIBv9FHbBHp0BLJD3ZXYjrTpvNBCM+Cohgm4CIQC6VxyyLaz90vbDQajsA9gUs7Sm1qKJomoqDL7EsLJ4bw==")]
    // InvalidOperationException: unexpected explicit encoding (a mangled [3] extensions tag).
    [InlineData("MIIBsDCCAVWgAwIBAgIQapqwIFqZyWFrMND5NwnDdjAKBggqgRzPVQGDdTAkMSIwIAYDVQQDDBlPcGVuVHJlYXN1cnkgRnV6eiBSb290IENBMB4XDTI2MDMwMjAxMzAwMFoXDTM2MDMwMjAxMzAwMFowJzElMCMGA1UEAwwcT3BlblRyZWFzdXJ5IEZ1enogSXNzdWluZyBDQTBZMBMGByqGSM49AgEGCCqBHM9VAYItA0IABHNyTqDPM0VBDqCqE1Mpofu/YiAxF03IC+i5a2eRVGqA3EilsWQe+9VuWG3BlHJcLhLnHNecpyDJBj+6WFxTp3WjZkBkMBIGA1UdEwEB/wQIMAYBAf8CAQAwDgYDVR0PAQH/BAQDAgEGMB8GA1UdIwQYMBaAFPaD9piXQVJbnLyKeSsayZ/flix0MB0GAzodDgQWBBTdEW2iBuied0aFGEx4cvhAQvI48jAKBggqgRzPVQGDdQNJADBGAiEAhFzujkoMIBv9FHbBHp0BLJD3ZXYjrTpvNBCM+Cohgm4CIQC6VxyyLaz90vbDQajsA9gUs7Sm1qKJomoqDL7EsLJ4bw==")]
    public void A_malformed_certificate_in_a_PEM_block_is_InvalidDataException(string der)
    {
        var pem = $"-----BEGIN CERTIFICATE-----\n{Convert.ToBase64String(Convert.FromBase64String(der), Base64FormattingOptions.InsertLineBreaks)}\n-----END CERTIFICATE-----\n";

        var e = Assert.Throws<InvalidDataException>(() => Pem.ReadCertificate(pem));

        Assert.Contains("not a well-formed X.509 certificate", e.Message, StringComparison.Ordinal);
    }

    // Found reading the envelope target's path, not by AFL (it needs a bank's voucher whose content fails and a
    // readable stamp whose certificate does not): EnvelopeVerifier looks for the sending bank in the stamps' signer
    // certificates when the content names none, and new X509Certificate threw on a certificate that is not one.
    [Fact]
    public void An_exported_file_whose_stamp_carries_a_broken_certificate_is_a_verdict_not_an_exception()
    {
        var world = FuzzWorld.Instance;
        var stamp = SealSignature.Encode(world.Stamp.ToSignDer, [0x30, 0x03, 0x02, 0x01, 0x01], Sm2.SignatureAlgorithmOid, world.Stamp.Signature, null);
        var key = new VoucherKey(AdmDivCode.Parse("533103"), StYear.Parse("2026"), VtCode.Parse("2105"), VoucherNo.Parse("F2"));
        var file = MofFormat.Write(new MofEnvelope([new VoucherBody(key, 1, VoucherFlag.Voucher, "", "<Voucher/>"u8.ToArray(), [new WireStamp("yh_qm", stamp)])]));

        var verdict = EnvelopeVerifier.Verify(file, world.SealVerifier, _ => null, OpenTreasury.Domain.Seals.StampTemplates.Defaults);

        Assert.False(verdict.Valid);
        Assert.All(verdict.Stamps, s => Assert.False(s.Valid));
    }
}
