using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using OpenTreasury.Business;
using OpenTreasury.Server.Auth;
using OpenTreasury.Server.Health;
using OpenTreasury.Server.Logging;
using OpenTreasury.Server.People;
using OpenTreasury.Server.Vouchers;
using OpenTreasury.Server.Workers;
using Scalar.AspNetCore;

namespace OpenTreasury.Server;

/// <summary>How a node's host runs: its clock, its randomness, and whether its background worker runs.</summary>
public sealed record NodeHostOptions
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public RandomNumberGenerator Random { get; init; } = RandomNumberGenerator.Create();

    /// <summary>Run the delivery and desk worker (off in tests that move the network by hand).</summary>
    public bool RunWorker { get; init; } = true;

    /// <summary>Called after the standard endpoints are mapped, so a caller can add its own (the node's inbox, a demo driver).</summary>
    public Action<WebApplication>? Extend { get; init; }

    /// <summary>Called before the host is built, so a caller can add services (the desks); the node's <see cref="NodeContext"/> is registered already.</summary>
    public Action<IServiceCollection, NodeContext>? Services { get; init; }

    /// <summary>Both of another options' extensions after this one's (the desks beside a standalone node's inbox).</summary>
    public NodeHostOptions With(Action<IServiceCollection, NodeContext>? services, Action<WebApplication>? extend) => this with
    {
        Services = services is null ? Services : Services + services,
        Extend = extend is null ? Extend : Extend + extend,
    };
}

/// <summary>The HTTP host of one node: health, login, the library interface, its worker. The caller starts and stops it.</summary>
public static class NodeHost
{
    public static WebApplication Build(TreasuryNode node, string url, NodeHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        options ??= new NodeHostOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(url);
        // Warnings and errors, one line each on standard error; the caller reports a host that cannot start.
        builder.Logging.ClearProviders().AddProvider(new OneLineLoggerProvider(Console.Error)).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>().AddProblemDetails().AddOpenApi(o => o.AddDocumentTransformer((document, _, _) => Describe(document, node)))
            .ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var context = new NodeContext(node, new SessionStore(options.Clock, options.Random), options.Clock, node.Library.Signing.Trust.Validator);
        builder.Services.AddSingleton(context);
        options.Services?.Invoke(builder.Services, context);
        if (options.RunWorker)
        {
            builder.Services.AddHostedService(services => new NodeWorker(node, options.Clock, services.GetRequiredService<ILogger<NodeWorker>>()));
        }

        var app = builder.Build();
        app.UseExceptionHandler(e => e.Run(http =>
            (http.Features.Get<IExceptionHandlerFeature>()?.Error is Node.Recovery.NodeRecoveringException recovering ? Problems.Recovering(recovering) : Problems.Internal()).ExecuteAsync(http)));
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference();
        HealthEndpoints.Map(app, context);
        AuthEndpoints.Map(app, context);
        VoucherEndpoints.Map(app, context);
        VoucherQueryEndpoints.Map(app, context);
        Messages.MessageEndpoints.Map(app, context);
        PeopleEndpoints.Map(app, context);
        options.Extend?.Invoke(app);
        return app;
    }

    private static Task Describe(OpenApiDocument document, TreasuryNode node)
    {
        document.Info.Title = $"OpenTreasury node {node.Party} 电子凭证库接口";
        document.Info.Description = "The library interface of one node. Log in with POST /auth/challenge and POST /auth/login (a USBKey signature), "
            + "then send Authorization: Bearer <token>. Refusals are RFC 7807 problems with a stable code and codeNumber.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["session"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The session token from POST /auth/login",
        };
        return Task.CompletedTask;
    }

}

/// <summary>The host neither listens for Ctrl+C nor stops the process: the caller (CLI, tests) owns its lifetime.</summary>
internal sealed class CallerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
