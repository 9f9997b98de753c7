"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium. Screenshots of the key
screens are saved under tests/e2e/screenshots/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
ACTION_TIMEOUT_MS = 10_000  # Playwright waits 30 s for an element by default: fail sooner


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing: scripts/system-deps.sh installs it.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot(page):
    """`screenshot(name)` saves the whole page as screenshots/<name>.png; `of=` another page (of another
    browser context) saves that one instead."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str, of=None) -> Path:
        shown = of or page
        # From the top: a page scrolled to an anchor would show its sticky header in the middle.
        shown.evaluate("window.scrollTo(0, 0)")
        path = SCREENSHOTS / f"{name}.png"
        shown.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The customers are French: their browsers ask for French first.
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture(autouse=True)
def _shorter_waits(page):
    page.set_default_timeout(ACTION_TIMEOUT_MS)


@pytest.fixture
def other_browser(browser, browser_context_args):
    """`other_browser(viewport)` opens a page in a new browser context: another person's device, with its
    own cookies and session, in French. The contexts are closed at the end of the test."""
    contexts = []

    def open_page(viewport: dict | None = None):
        args = {**browser_context_args, **({"viewport": viewport} if viewport else {})}
        context = browser.new_context(**args)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def demo_payments(settings):
    """Payments go through the in-app demo provider, whatever the environment says about Stripe."""
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
