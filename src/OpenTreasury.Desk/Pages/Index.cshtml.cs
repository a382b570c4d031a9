using Microsoft.AspNetCore.Mvc;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Desk.Pages;

/// <summary>The desk's front door: each person to their party's desk (a unit's people to the unit's).</summary>
public sealed class IndexModel : DeskPageModel
{
    public IActionResult OnGet() => Redirect(Kind switch
    {
        PartyKind.Finance when IsUnitPerson => "/desk/unit",
        PartyKind.Finance => "/desk/finance",
        PartyKind.Bank when IsUnitPerson => "/desk/self",
        PartyKind.Bank => "/desk/bank",
        _ => "/desk/pboc",
    });
}
