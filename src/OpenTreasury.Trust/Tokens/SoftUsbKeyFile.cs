using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// The JSON document of one software token. Everything secret is sealed with SM4-GCM under a PIN-derived
/// key; the rest (serial, certificate, counters) is public on a hardware token too. <c>byte[]</c> fields
/// are base64. Unknown or missing members make the file corrupt: a token is never half-read.
/// </summary>
internal sealed record SoftUsbKeyFile
{
    public const string CurrentFormat = "OpenTreasury.SoftUsbKey/1";

    public required string Format { get; init; }

    public required string Serial { get; init; }

    public required string Label { get; init; }

    public required string Manufacturer { get; init; }

    /// <summary>The owning party as <see cref="Domain.Parties.PartyId"/> text (<c>bank-102</c>).</summary>
    public required string Owner { get; init; }

    /// <summary>The SM2 user ID the owner signs with (the Z input), usually the default.</summary>
    public required string UserId { get; init; }

    public required SoftApplication Application { get; init; }

    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    public static SoftUsbKeyFile Parse(byte[] json) =>
        JsonSerializer.Deserialize<SoftUsbKeyFile>(json, s_options) ?? throw new JsonException("The token file is JSON null.");

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, s_options);
}

internal sealed record SoftApplication
{
    public required string Name { get; init; }

    public required SoftPin UserPin { get; init; }

    public required SoftPin AdminPin { get; init; }

    public required IReadOnlyList<SoftContainer> Containers { get; init; }
}

/// <summary>
/// One PIN: its PBKDF2 parameters, the verifier that says whether a PIN is right before anything is
/// decrypted, and the retry counter. <see cref="RemainingRetries"/> 0 means locked.
/// </summary>
internal sealed record SoftPin
{
    public required byte[] Salt { get; init; }

    public required int Iterations { get; init; }

    public required byte[] Verifier { get; init; }

    public required int MaxRetries { get; init; }

    public required int RemainingRetries { get; init; }
}

/// <summary>
/// A container: the signing public key (SPKI PEM), its certificate (PEM, optional until issued) and the
/// private scalar d, 32 bytes, sealed twice — under the user PIN and under the administrator PIN.
/// </summary>
internal sealed record SoftContainer
{
    public required string Name { get; init; }

    public required string PublicKey { get; init; }

    public string? Certificate { get; init; }

    public required byte[] KeyUnderUserPin { get; init; }

    public required byte[] KeyUnderAdminPin { get; init; }
}
