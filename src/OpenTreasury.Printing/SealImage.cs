namespace OpenTreasury.Printing;

/// <summary>
/// A seal picture ready for the GB/T 38540 seal's picture field (<c>SES_ESPictrueInfo</c>):
/// the PNG bytes and the picture's real size in whole millimetres.
/// </summary>
/// <param name="Png">The encoded PNG: red on a transparent background.</param>
/// <param name="WidthMm">The printed width in millimetres.</param>
/// <param name="HeightMm">The printed height in millimetres.</param>
public sealed record SealImage(byte[] Png, int WidthMm, int HeightMm)
{
    /// <summary>The picture type as <c>SES_ESPictrueInfo.type</c> names it.</summary>
    public const string Type = "PNG";
}
