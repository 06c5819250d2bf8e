"""axe-core (the npm package, installed by make into var/node/) run inside a Chromium page."""

from pathlib import Path

from django.conf import settings
from playwright.sync_api import BrowserContext, Page

AXE_JS = Path(settings.BASE_DIR) / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
    count: v.nodes.length,
  }));
}"""


def axe_install(context: BrowserContext) -> None:
    """Load axe into every page the context opens. An init script rather than add_script_tag
    per page: sending the 650 kB script over the protocol for each page doubled the run time."""
    context.add_init_script(path=str(AXE_JS))


def axe_violations(page: Page) -> list[dict]:
    """Every violation of axe's default rules (WCAG 2.x A and AA, best practices) on the loaded page."""
    return page.evaluate(_RUN)


def describe(violation: dict) -> str:
    nodes = ", ".join(violation["nodes"])
    return f"{violation['impact']}: {violation['id']} ({violation['help']}) ×{violation['count']} at {nodes}"
