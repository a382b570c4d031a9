using OpenTreasury.Node.Network;

namespace OpenTreasury.Simulation;

/// <summary>
/// The shipped sample master data: 芒市 (533103) in 德宏州 — Finance, PBOC 德宏州中心支行, agent banks 102
/// and 103, six budget units and their people. Illustrative names and numbers, not real accounts. The
/// file <c>Samples/mangshi.json</c> is the same format <c>treasury network init --master-data FILE</c> reads.
/// </summary>
public static class SampleMasterData
{
    public const string ResourceName = "OpenTreasury.Simulation.Samples.mangshi.json";

    /// <summary>The sample's JSON text, as shipped.</summary>
    public static string Json()
    {
        using var stream = typeof(SampleMasterData).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the sample master data {ResourceName} is not embedded in the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>芒市 for budget year <paramref name="stYear"/>.</summary>
    public static MasterData Mangshi(int stYear) => MasterData.FromJson(Json()) with { StYear = stYear };
}
