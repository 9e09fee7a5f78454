"""plotly.js, served by the tracker itself under the strict CSP: the partial bundle of the chart types it draws.

scripts/build_assets.sh copies the pinned npm partial bundle (plotly.js-basic-dist-min: bar, pie and
scatter) into tracker/static/plotly; it is a quarter the size of the full bundle the Python plotly
package ships. It is served under a name with its content hash, so browsers keep it for a year.

The page's Content Security Policy allows no inline styles (style-src 'self'). plotly.js would
inject two <style> elements when it loads:

- its own rules, unless the page already has an element with id "plotly.js-style-global" and class
  "no-inline-styles": the dashboard links a stylesheet with that id, made here from the very rules
  in the bundle, so the charts look as plotly intends without relaxing the policy;
- the styles of the map library it bundles, unless an element with the id it checks exists: maps
  are never drawn here, so the page carries an empty element with that id.

Everything else plotly styles it sets through the DOM (element.style), which the policy allows.
Heatmaps are avoided: they probe image rendering with an inline style attribute.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent / "static" / "plotly" / "plotly-basic.min.js"
STYLE_ELEMENT_ID = "plotly.js-style-global"

_VERSION = re.compile(r"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)")
# The bundle's own stylesheet: {"X,X div":"direction:ltr;...", Y:"...", ...} then the loop adding each rule.
_RULES_END = "};for("
_RULES_START = '"X,X div":'
_RULE = re.compile(r'(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_$][\w$]*))\s*:\s*(?:"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\')')
_MAP_STYLE_ID = re.compile(
    r'document\.getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


class PlotlyBundleError(RuntimeError):
    pass


@dataclass(frozen=True)
class PlotlyBundle:
    path: Path
    version: str
    digest: str  # the first characters of the file's SHA-256: part of its address
    css: str
    map_style_id: str | None


@cache
def plotly_bundle() -> PlotlyBundle:
    """Read once: the bundle's version, its stylesheet and the map-style id it checks."""
    if not BUNDLE.exists():
        raise PlotlyBundleError(f"{BUNDLE} is missing: run scripts/build_assets.sh (make setup does)")
    source = BUNDLE.read_text(encoding="utf-8")
    version = _VERSION.search(source[:500])
    if version is None:
        raise PlotlyBundleError(f"Cannot read the plotly.js version from {BUNDLE}")
    return PlotlyBundle(
        path=BUNDLE,
        version=version.group(1),
        digest=hashlib.sha256(source.encode()).hexdigest()[:16],
        css=_stylesheet(source),
        map_style_id=(match.group(1) if (match := _MAP_STYLE_ID.search(source)) else None),
    )


def _stylesheet(source: str) -> str:
    start = source.find(_RULES_START)
    end = source.find(_RULES_END, start)
    if start < 0 or end < 0:
        raise PlotlyBundleError("Cannot find plotly.js's stylesheet in the bundle: check the pinned plotly version")
    rules = []
    for match in _RULE.finditer(source[start : end + 1]):
        selector = match.group(1) if match.group(1) is not None else match.group(2)
        declarations = match.group(3) if match.group(3) is not None else match.group(4)
        # The bundle's own shorthand: X is a plot, Y the notifier; a leading comma needs a space.
        selector = (
            re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        )
        rules.append(f"{selector}{{{declarations}}}")
    if not rules:
        raise PlotlyBundleError("plotly.js's stylesheet in the bundle is empty")
    return (
        "/* plotly.js's own rules, from the bundle the tracker serves (see tracker/plotly_assets.py). */\n"
        + "\n".join(rules)
    )
