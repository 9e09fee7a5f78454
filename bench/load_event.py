"""The dashboard's load event in Debian's chromium, first visit with an empty cache.

    .venv/bin/python -m bench.load_event                        SQLite, scale 1, 5 visits
    .venv/bin/python -m bench.load_event --database postgresql --visits 10

Serves the partnership bench/throughput.py keeps (generated on first use) with gunicorn as
`make run` does, signs a board member in through the sign-in page in a fresh browser context,
empties the browser's cache and opens the dashboard. It prints, per visit, the time from the start
of the navigation to the load event and to the charts being drawn (the page marks
body[data-charts-drawn]), what was transferred, and the plotly bundle's address and cache header.
Goal: load event under 1.5 s. The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess  # nosec B404 - stops the gunicorn it started
import sys

from bench.generate import BENCH_PASSWORD
from bench.throughput import BOARD_MEMBER, free_port, prepare, start_gunicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
GOAL_MS = 1500


def visit(browser, base: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{base}/sign-in")
        page.get_by_label("Email address").fill(BOARD_MEMBER)
        page.get_by_label("Password", exact=True).fill(BENCH_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.clearBrowserCache")  # the sign-in page's stylesheet and scripts too
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{base}/dashboard", wait_until="load")
        page.wait_for_selector("body[data-charts-drawn='true']", state="attached", timeout=60000)
        drawn_ms = page.evaluate("performance.now()")
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {load: n.loadEventEnd, dom: n.domContentLoadedEventEnd, html: n.responseEnd,"
            " resources: performance.getEntriesByType('resource').map(r => [r.name, r.transferSize])}; })()"
        )
        plotly = next((r for r in responses if "/dashboard/assets/plotly-" in r.url and r.url.endswith(".js")), None)
        return {
            "load": timing["load"],
            "dom": timing["dom"],
            "html": timing["html"],
            "drawn": drawn_ms,
            "bytes": sum(size for _name, size in timing["resources"]),
            "plotly": (plotly.url.removeprefix(base), plotly.headers.get("cache-control")) if plotly else None,
            "plotly_bytes": next(
                (size for name, size in timing["resources"] if name.endswith(".min.js") and "/plotly-" in name), 0
            ),
        }
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--visits", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("chromium"):
        sys.exit("Debian's chromium is missing: apt-get install -y chromium (make test does)")
    from playwright.sync_api import sync_playwright

    url = prepare(args.database, args.scale, fresh=False)
    port = free_port()
    server = start_gunicorn(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            visit(browser, base)  # the server's first dashboard: templates compiled, as a running server has them
            results = [visit(browser, base) for _ in range(args.visits)]
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"Dashboard, first visit with an empty cache, {args.database}, scale {args.scale:g}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"  {'visit':>5} {'HTML':>8} {'DOM ready':>10} {'load':>8} {'charts':>8} {'transferred':>12}")
    for number, r in enumerate(results, start=1):
        print(f"  {number:>5} {r['html']:6.0f} ms {r['dom']:8.0f} ms {r['load']:6.0f} ms {r['drawn']:6.0f} ms "
              f"{r['bytes'] / 1024:9.0f} KB")  # fmt: skip
    loads = [r["load"] for r in results]
    median = statistics.median(loads)
    verdict = "met" if median < GOAL_MS else "NOT met"
    print(f"  median load event {median:.0f} ms, charts drawn {statistics.median(r['drawn'] for r in results):.0f} ms"
          f" (goal {GOAL_MS} ms: {verdict})")  # fmt: skip
    if results[0]["plotly"]:
        address, cache = results[0]["plotly"]
        print(
            f"  plotly bundle {address}: {results[0]['plotly_bytes'] / 1024:.0f} KB transferred, Cache-Control: {cache}"
        )


if __name__ == "__main__":
    main()
