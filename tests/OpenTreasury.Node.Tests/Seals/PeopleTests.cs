using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Node.Tests.Seals;

/// <summary>People and their USBKeys: PIN tries, the token locking itself, an administrator's unlock, a PIN change.</summary>
public sealed class PeopleTests : IDisposable
{
    private const string WrongPin = "11111111";
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private UserDirectory Users => _net.Finance.Users;

    private VoucherLibrary Finance => _net.Finance.Library;

    private long Draft() =>
        Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).ThrowIfRefused().VoucherId;

    private UserResult Login(string pin, out Signer? signer) => Users.Login(TestNetwork.UnitClerk, pin, out signer);

    [Fact]
    public void A_wrong_pin_is_refused_with_the_tries_left_and_the_right_pin_resets_the_count()
    {
        var first = Login(WrongPin, out var none);
        Assert.Null(none);
        Assert.Equal(UserRejection.TokenRefused, first.Rejection);
        Assert.Equal(TokenError.PinIncorrect, first.TokenError);
        Assert.Equal(4, first.RemainingRetries);
        Assert.Contains("4 tries left", first.Message, StringComparison.Ordinal);
        Assert.Equal(3, Login(WrongPin, out _).RemainingRetries);

        var right = Login(_net.Master.DemoPin, out var signer);
        using (signer)
        {
            Assert.True(right.Ok, right.Message);
        }

        Assert.Equal(4, Login(WrongPin, out _).RemainingRetries);
        Assert.Equal(3, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'login-refused'"));
    }

    [Fact]
    public void Five_wrong_pins_lock_the_token_until_an_administrator_unblocks_it_with_the_admin_pin()
    {
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(TokenError.PinIncorrect, Login(WrongPin, out _).TokenError);
        }

        var fifth = Login(WrongPin, out _);
        Assert.Equal(TokenError.PinLocked, fifth.TokenError);
        Assert.Equal(0, fifth.RemainingRetries);
        var locked = Login(_net.Master.DemoPin, out var none);
        Assert.Equal(UserRejection.TokenRefused, locked.Rejection);
        Assert.Equal(TokenError.PinLocked, locked.TokenError);
        Assert.Null(none);

        Assert.Equal(TokenError.PinIncorrect, Users.Unlock(TestNetwork.UnitClerk, "wrong-admin", "12345678").TokenError);
        Assert.True(Users.Unlock(TestNetwork.UnitClerk, _net.Master.DemoAdminPin, "12345678").Ok);

        Assert.Equal(TokenError.PinIncorrect, Login(_net.Master.DemoPin, out _).TokenError);
        var unlocked = Login("12345678", out var signer);
        using (signer)
        {
            Assert.True(unlocked.Ok, unlocked.Message);
            var id = Draft();
            Finance.Run(s => Finance.Stamp(s, id, "dw_jbrsz", signer!)).ThrowIfRefused();
            Assert.Single(Finance.Stamps(id));
        }
    }

    [Fact]
    public void Once_the_token_is_locked_by_wrong_pins_a_session_opened_before_cannot_stamp_with_it()
    {
        var id = Draft();
        Assert.True(Login(_net.Master.DemoPin, out var signer).Ok);
        using (signer)
        {
            for (var i = 1; i <= 5; i++)
            {
                Login(WrongPin, out _);
            }

            var stamped = Finance.Run(s => Finance.Stamp(s, id, "dw_jbrsz", signer!));

            Assert.Equal(LibraryRejection.TokenRefused, stamped.Rejection);
            Assert.Contains(nameof(TokenError.PinLocked), stamped.Message, StringComparison.Ordinal);
            Assert.Empty(Finance.Stamps(id));
        }
    }

    [Fact]
    public void A_signer_whose_token_is_logged_out_is_refused_by_the_token()
    {
        var id = Draft();
        Assert.True(Login(_net.Master.DemoPin, out var signer).Ok);
        signer!.Dispose(); // Logs the token out.

        var stamped = Finance.Run(s => Finance.Stamp(s, id, "dw_jbrsz", signer));

        Assert.Equal(LibraryRejection.TokenRefused, stamped.Rejection);
        Assert.Contains(nameof(TokenError.UserNotLoggedIn), stamped.Message, StringComparison.Ordinal);
        Assert.Empty(Finance.Stamps(id));
        Assert.Equal("draft", Finance.Find(id)!.State);
    }

    [Fact]
    public void A_pin_change_takes_the_new_pin_and_refuses_the_old_one()
    {
        Assert.Equal(TokenError.PinIncorrect, Users.ChangePin(TestNetwork.UnitClerk, WrongPin, "87654321").TokenError);
        Assert.Equal(TokenError.PinInvalid, Users.ChangePin(TestNetwork.UnitClerk, _net.Master.DemoPin, "123").TokenError);

        Assert.True(Users.ChangePin(TestNetwork.UnitClerk, _net.Master.DemoPin, "87654321").Ok);

        Assert.Equal(TokenError.PinIncorrect, Login(_net.Master.DemoPin, out _).TokenError);
        var login = Login("87654321", out var signer);
        using (signer)
        {
            Assert.True(login.Ok, login.Message);
        }
    }

    [Fact]
    public void A_user_locked_by_an_administrator_cannot_log_in_until_unlocked()
    {
        Assert.True(Users.Lock(TestNetwork.UnitClerk, "on leave").Ok);

        Assert.Equal(UserRejection.UserLocked, Login(_net.Master.DemoPin, out _).Rejection);

        Assert.True(Users.Unlock(TestNetwork.UnitClerk, _net.Master.DemoAdminPin, "99999999").Ok);
        var login = Login("99999999", out var signer);
        using (signer)
        {
            Assert.True(login.Ok, login.Message);
        }

        Assert.Equal(UserRejection.UnknownUser, Users.Lock("nobody", "x").Rejection);
    }
}
