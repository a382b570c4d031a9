using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenTreasury.Server;

namespace OpenTreasury.Desk.Pages;

/// <summary>The login page: the person's support control signs the node's challenge with their USBKey (desk.js).</summary>
public sealed class LoginModel(NodeContext node, DeskOptions options) : PageModel
{
    public string Title => DeskOptions.TitleOf(node.Node.Party.Kind);

    public string AgentUrl => options.AgentUrl;

    public IActionResult OnGet() => DeskSession.Of(HttpContext, node).Session is not null ? Redirect("/desk") : Page();
}
