using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

public class NetworkPkiEncryptedTests
{
    private const string Passphrase = "authority passphrase";

    [Fact]
    public void A_PKI_saved_with_a_passphrase_has_encrypted_0600_keys_and_loads_with_it_only()
    {
        using var temp = new TempDirectory();
        var pki = NetworkPki.Create("OpenTreasury Test", Now, Rng);

        pki.Save(temp.Path, Passphrase);
        var loaded = NetworkPki.Load(temp.Path, Passphrase, Rng);

        Assert.Equal(pki.Root, loaded.Root);
        Assert.Equal(pki.Issuing, loaded.Issuing);
        foreach (var name in new[] { NetworkPki.RootKeyFileName, NetworkPki.IssuingKeyFileName })
        {
            var path = Path.Combine(temp.Path, name);
            Assert.True(EncryptedKeyFile.IsEncrypted(File.ReadAllText(path)), name);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }

        Assert.Equal(KeyFileFailure.WrongPassphrase, Assert.Throws<KeyFileException>(() => NetworkPki.Load(temp.Path, "wrong passphrase", Rng)).Failure);
        Assert.Throws<InvalidDataException>(() => NetworkPki.Load(temp.Path, Rng));

        // The loaded authority still issues: its keys are the real ones.
        var issued = loaded.IssueInstitution(Bank102, "中国工商银行", Trust.Crypto.Sm2.GenerateKeyPair(Rng).Public, Now, OneYear);
        Assert.True(PkiCertificateValidator.For(loaded).Validate(issued, Now.AddDays(1), CertificateUse.Institution).IsValid);
    }

    [Fact]
    public void An_unencrypted_PKI_is_not_loaded_as_an_encrypted_one()
    {
        using var temp = new TempDirectory();
        NetworkPki.Create("OpenTreasury Test", Now, Rng).Save(temp.Path);

        Assert.Equal(KeyFileFailure.NotEncrypted, Assert.Throws<KeyFileException>(() => NetworkPki.Load(temp.Path, Passphrase, Rng)).Failure);
    }
}
