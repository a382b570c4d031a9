using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenTreasury.Desk;

/// <summary>The desks' stylesheet and script, embedded in the assembly and served under <c>/desk/assets/</c>.</summary>
internal static class DeskAssets
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> s_assets = new Dictionary<string, (byte[], string)>
    {
        ["desk.css"] = (Read("desk.css"), "text/css; charset=utf-8"),
        ["desk.js"] = (Read("desk.js"), "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary();

    public static void Map(WebApplication app) =>
        app.MapGet("/desk/assets/{name}", (string name) =>
            s_assets.TryGetValue(name, out var asset) ? Results.Bytes(asset.Bytes, asset.Type) : Results.NotFound());

    private static byte[] Read(string name)
    {
        using var stream = typeof(DeskAssets).Assembly.GetManifestResourceStream("desk/" + name)
            ?? throw new InvalidOperationException($"the desk asset {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
