"""axe-core in a Playwright page: the WCAG 2.2 AA rules (and axe's best practices) run on what the browser
shows, and the violations come back as readable lines.

axe-core is the copy bundled by axe-playwright-python (no network needed). The site's Content Security
Policy refuses injected scripts, so the pages are opened in a context made with `bypass_csp=True`.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices (one landmark of a kind, table headers
# with text, ...).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

_axe = Axe()


def violations(page: Page) -> list[dict]:
    """axe's violations on the page as it is now."""
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe(found: list[dict], where: str) -> list[str]:
    """One line per violation and element: where, the rule, its impact, the element and axe's advice."""
    lines = []
    for violation in found:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {target}: {node['html'][:160]} — {summary}"
            )
    return lines
