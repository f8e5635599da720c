"""What a browser test does on the teaching app's page, as a teacher would: press a
button, pick a value in the sidebar, wait for a day, compare what the page shows, save a
screenshot. Selectors are those of Mesa 3.3.1's SolaraViz (its sidebar's buttons and its
"Step: N" counter) and of the figures it draws (the network's image, the charts' canvases).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "docs" / "figures"

# The network's image (an ipywidgets Image) and the time series' canvases (Vega-Lite)
NETWORK = "img.widget-image"
CHARTS = "canvas.marks"
# Charts of the live view once a day has run: trust, participation, the flows, dumping, one
# day's energy, the households' money (before the first day they have no data to draw)
CHART_COUNT = 6
# Seconds a wait may take: generous, since the machine may be busy; waits end as soon as
# their condition holds.
TIMEOUT_S = 60

# What the page shows, in the browser: the network image's address (a new one for each
# redraw) and a hash of each chart's pixels.
_FIGURES_JS = f"""() => {{
    const hash = text => {{
        let h = 0;
        for (let i = 0; i < text.length; i++) {{ h = (h * 31 + text.charCodeAt(i)) | 0; }}
        return String(h);
    }};
    return [...document.querySelectorAll('{NETWORK}')].map(img => img.src)
        .concat([...document.querySelectorAll('{CHARTS}')].filter(canvas => canvas.width * canvas.height > 0)
            .map(canvas => hash(canvas.toDataURL())));
}}"""
_DAY_RE = re.compile(r"^Step: (\d+)$")


def open_app(page: Page, url: str) -> None:
    """Load the app at ``url`` and wait until it shows day 0 and the network, settled."""
    page.goto(url)
    expect(page.get_by_text(_DAY_RE)).to_have_text("Step: 0", timeout=TIMEOUT_S * 1000)
    settled(page, count=1)


def settled(page: Page, quiet_s: float = 0.5, timeout_s: float = TIMEOUT_S, count: int = 1 + CHART_COUNT) -> list[str]:
    """Wait until the page shows ``count`` figures (the network and every chart, by default),
    unchanged for ``quiet_s`` seconds (SolaraViz lays its figures out again just after the
    page loads); its figures."""
    page.wait_for_function(
        f"""([count, quiet]) => {{
            const now = ({_FIGURES_JS})();
            const text = JSON.stringify(now);
            if (text !== window.__figures) {{
                window.__figures = text;
                window.__since = performance.now();
                return false;
            }}
            return now.length === count && performance.now() - window.__since >= quiet;
        }}""",
        arg=[count, quiet_s * 1000],
        timeout=timeout_s * 1000,
        polling=100,
    )
    return figures(page)


def press(page: Page, label: str) -> None:
    """Click the button named ``label`` ("Reset", "▶", "❚❚", "Step", ...)."""
    page.get_by_role("button", name=label, exact=True).click()


def select(page: Page, label: str, value: str) -> None:
    """Pick ``value`` in the sidebar's drop-down list named ``label`` (e.g. "Rulebook")."""
    field = page.get_by_role("button", name=re.compile(rf"^{re.escape(label)}\b"))
    field.click()
    page.get_by_role("option", name=value, exact=True).click()
    expect(field).to_have_text(re.compile(rf"{re.escape(value)}$"))


def day(page: Page) -> int:
    """The model's day, as the sidebar's "Step: N" shows it."""
    return int(_DAY_RE.match(page.get_by_text(_DAY_RE).inner_text().strip())[1])


def wait_for_day(page: Page, n: int, *, exactly: bool = False, timeout_s: float = TIMEOUT_S) -> int:
    """Wait until the page shows day ``n`` or later (``n`` itself with ``exactly``); the day shown."""
    page.wait_for_function(
        """([n, exactly]) => {
            const m = document.body.innerText.match(/Step: (\\d+)/);
            return m !== null && (exactly ? Number(m[1]) === n : Number(m[1]) >= n);
        }""",
        arg=[n, exactly],
        timeout=timeout_s * 1000,
        polling=100,
    )
    return day(page)


def figures(page: Page) -> list[str]:
    """What the page shows now: the network image's address, then each chart's pixel hash
    (:func:`settled` waits for a page that has them all)."""
    return page.evaluate(_FIGURES_JS)


def wait_until_redrawn(page: Page, before: list[str], timeout_s: float = TIMEOUT_S) -> list[str]:
    """Wait until every figure differs from ``before`` (as :func:`figures` gave it); the new ones."""
    page.wait_for_function(
        f"""before => {{
            const now = ({_FIGURES_JS})();
            return now.length === before.length && now.every((figure, i) => figure !== before[i]);
        }}""",
        arg=before,
        timeout=timeout_s * 1000,
        polling=100,
    )
    return figures(page)


def screenshot(page: Page, name: str) -> Path:
    """Save the page as ``docs/figures/app_<name>.png``; its path."""
    path = FIGURES / f"app_{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
