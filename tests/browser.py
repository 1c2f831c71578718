"""A real headless Chromium for the browser tests: Debian's ``chromium`` driven through its
``chromium-driver`` by selenium, offline, with axe-core (vendored in ``tests/vendor/``) to
check pages against WCAG 2.0 and 2.1 A and AA."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# axe-core's tags for the rules of WCAG 2.0 and 2.1, levels A and AA: what the Public Sector
# Bodies Accessibility Regulations 2018 ask for.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Nothing of the browser's own reaches the network, and nothing is downloaded to run it.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, closed (and its profile removed) after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import utils

    class LoopbackService(Service):
        """chromedriver reached at 127.0.0.1: selenium says ``localhost``, which a minimal
        system without /etc/hosts (a fresh chroot, a slim container) cannot resolve."""

        @property
        def service_url(self) -> str:
            return f"http://127.0.0.1:{self.port}"

        def is_connectable(self) -> bool:
            return utils.is_url_connectable(self.port, host="127.0.0.1")

    profile = tempfile.mkdtemp(prefix="reportgen-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=LoopbackService(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_width(driver: Any, width: int, height: int = 900) -> None:
    """Make the page's viewport ``width`` CSS pixels wide (the window is a little wider)."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return window.innerWidth")
    driver.set_window_size(width + (width - inner), height)


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page that is open."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(done, e => done({error: String(e)}));",
        WCAG_AA,
    )
    assert "error" not in results, results.get("error")
    return results["violations"]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as a person reads them: rule, help and the elements at fault."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )


def overflow(driver: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no horizontal
    scrolling)."""
    return driver.execute_script(
        "const d = document.documentElement;"
        "return Math.max(d.scrollWidth, document.body.scrollWidth) - d.clientWidth;"
    )


def screenshot(driver: Any, path: Path) -> Path:
    """The whole page, however long, as a PNG."""
    width = driver.execute_script("return window.innerWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    set_width(driver, width, min(height, 16000))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path
