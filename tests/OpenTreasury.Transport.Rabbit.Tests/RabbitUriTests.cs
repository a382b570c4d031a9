namespace OpenTreasury.Transport.Rabbit.Tests;

/// <summary>The broker's address as the commands read it: the password may come from the environment, never shown back.</summary>
public sealed class RabbitUriTests
{
    [Fact]
    public void A_user_without_a_password_takes_it_from_the_environment_and_it_is_never_shown()
    {
        Assert.True(RabbitTopology.TryParseUri("amqp://treasury@mq.example:5672/ot", "p@ss:w/rd 1", out var amqp, out _));
        Assert.Equal("p@ss:w/rd 1", RabbitTopology.Password(amqp));
        Assert.Equal("treasury", new RabbitMQ.Client.ConnectionFactory { Uri = amqp }.UserName);
        Assert.Equal("p@ss:w/rd 1", new RabbitMQ.Client.ConnectionFactory { Uri = amqp }.Password);
        Assert.DoesNotContain("p%40ss", RabbitTopology.Redacted(amqp), StringComparison.Ordinal);
        Assert.Equal("amqp://treasury@mq.example:5672/ot", RabbitTopology.Redacted(amqp));
    }

    [Fact]
    public void A_password_in_the_uri_is_kept_and_one_without_a_user_takes_none()
    {
        Assert.True(RabbitTopology.TryParseUri("amqp://guest:guest@127.0.0.1:5672/", "other", out var own, out _));
        Assert.Equal("guest", RabbitTopology.Password(own));
        Assert.True(RabbitTopology.TryParseUri("amqp://127.0.0.1:5672/", "other", out var anonymous, out _));
        Assert.Null(RabbitTopology.Password(anonymous));
        Assert.True(RabbitTopology.TryParseUri("amqp://treasury@127.0.0.1:5672/", null, out var none, out _));
        Assert.Null(RabbitTopology.Password(none));
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://127.0.0.1:5672/")]
    [InlineData("amqp:///vhost")]
    public void Not_an_amqp_uri_with_a_host_is_refused_in_chinese(string text)
    {
        Assert.False(RabbitTopology.TryParseUri(text, "secret", out _, out var problem));
        Assert.Contains("--amqp", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
    }
}
