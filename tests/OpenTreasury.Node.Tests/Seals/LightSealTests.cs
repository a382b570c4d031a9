using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Tests.Seals;

/// <summary>Seal pictures as small as a vendor's keep a fully stamped voucher light on the wire and in the library.</summary>
public sealed class LightSealTests : IDisposable
{
    /// <summary>A real vendor's 42 mm round seal picture is about 8 KB.</summary>
    private const int SealPictureBytesMax = 8 * 1024;

    /// <summary>An 8202 with its four stamps (two personal seals, 财务专用章 and 法人章), each with a timestamp token.</summary>
    private const int StampedPaymentBytesMax = 40 * 1024;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task A_fully_stamped_8202_of_the_demo_network_is_under_40_KB_as_the_bank_stores_it()
    {
        _net.SendPayment("ZF-0001");
        await _net.SettleAsync();

        var bank = _net.Bank102.Library;
        var received = Assert.Single(bank.ReadReceived());
        var stamps = bank.Stamps(received.Id);
        Assert.Equal(4, stamps.Count);
        foreach (var stamp in stamps)
        {
            Assert.True(SealSignature.TryParse(stamp.Der, out var signature, out var error), error);
            Assert.Equal("PNG", signature.Seal.Info.Picture.Type);
            Assert.InRange(signature.Seal.Info.Picture.Data.Length, 1, SealPictureBytesMax);
        }

        var envelope = bank.Export(received.Id);
        Assert.InRange(envelope.Length, 1, StampedPaymentBytesMax);
    }
}
