"""axe-core in the browser: fail on any WCAG 2.x A or AA violation on the page as it stands.

The script comes from the npm package (package.json devDependencies). It is evaluated through
the DevTools protocol, which the page's Content Security Policy does not apply to, so the pages
are checked with their real policy in force.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _axe_source() -> str | None:
    for candidate in (ROOT / "node_modules/axe-core/axe.min.js", Path(os.environ.get("AXE_CORE_JS", "/nonexistent"))):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def assert_accessible(page, what: str) -> None:
    """Run axe on the current page; fail listing each violation and where it is."""
    source = _axe_source()
    if source is None:
        message = "axe-core is not installed (npm ci installs it)"
        if IN_CI:
            pytest.fail(message + "; CI=true requires the accessibility checks")
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => `${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)",
        AXE_TAGS,
    )
    assert violations == [], f"{what} ({page.url}): {violations}"
