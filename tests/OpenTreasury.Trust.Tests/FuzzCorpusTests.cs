using OpenTreasury.Fuzz;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Trust.Tests;

/// <summary>
/// Every file of fuzz/corpus (the seeds, and the findings kept there) through its fuzzing target, without the
/// fuzzer: a reader that starts to throw on one of them fails here, in a plain <c>dotnet test</c>.
/// </summary>
public class FuzzCorpusTests
{
    private static readonly string s_corpus = Path.Combine(RepositoryRoot(), "fuzz", "corpus");

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in Directory.EnumerateDirectories(s_corpus).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(folder), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_corpus_file_goes_through_its_target_without_a_crash(string target, string file)
    {
        Assert.True(FuzzTargets.All.ContainsKey(target), $"fuzz/corpus/{target} is not a target");

        FuzzTargets.All[target](File.ReadAllBytes(Path.Combine(s_corpus, target, file)));
    }

    [Fact]
    public void Every_target_has_seeds()
    {
        foreach (var target in FuzzTargets.All.Keys)
        {
            var folder = Path.Combine(s_corpus, target);
            Assert.True(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), $"fuzz/corpus/{target} has no seed");
        }
    }

    [Fact]
    public void The_seeds_are_the_fuzz_worlds_so_they_verify_all_the_way_down()
    {
        // If this fails, FuzzWorld changed: make the corpus again (fuzz/README.md) so the fuzzer starts deep.
        var world = FuzzWorld.Instance;
        static byte[] Seed(string path) => File.ReadAllBytes(Path.Combine(s_corpus, path));

        Assert.Equal(world.Seal.Der, Seed("seal/seal.der"));
        Assert.Equal(world.SignerCertificate.GetEncoded(), Seed("x509/signer.der"));
        Assert.Equal(world.Crl.GetEncoded(), Seed("crl/crl.der"));
        Assert.Equal(world.VoucherBytes, Seed("voucher/payment.xml"));
        Assert.Equal(StampFailure.None, world.SealVerifier.Verify(world.VoucherBytes, Seed("signature/stamp.der"), world.PropertyInfo).Failure);
        Assert.Equal(TimestampFailure.None, world.TimestampVerifier.Verify(Seed("timestamp/token.der"), world.Stamp.Signature).Failure);
        Assert.True(NodeEnvelope.Open(Seed("node-envelope/bank-to-finance.bin"), world.Receiver, world.Validator, FuzzWorld.Now).IsOpen);
        Assert.Equal(TimestampFailure.None, TimestampRequests.CheckResponse(Seed("tsa-response/granted.der"), world.TimestampRequest, world.Stamp.Signature, world.TimestampVerifier).Failure);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OpenTreasury.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No OpenTreasury.slnx above {AppContext.BaseDirectory}.");
    }
}
