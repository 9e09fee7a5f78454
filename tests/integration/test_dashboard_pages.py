"""The dashboard's pages keep every promise the other pages make, and serve plotly.js themselves."""

import json
import re

import pytest
from flask import url_for

from tests import factories
from tests.conftest import checked_page
from tests.integration.test_pages import _csp_nonce
from tracker.extensions import db
from tracker.models import RAG_ORDER
from tracker.plotly_assets import STYLE_ELEMENT_ID, plotly_bundle

CHARTS = ("strands", "agencies", "trend", "slippage", "outcomes")


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [("dashboard.show", {}), ("dashboard.show", {"as_at": "2015-06-30"}), ("dashboard.actions", {"rag": "amber"})],
)
def test_one_h1_a_title_and_no_inline_code(board_client, coventry, pinned_today, endpoint, values):
    pinned_today("2015-10-01")
    response = board_client.get(url_for(endpoint, **values))  # the headers are checked too
    page = checked_page(response)
    assert page.select_one("title").text.strip().endswith("– Safeguarding action plan tracker")
    nonce = _csp_nonce(response.headers["Content-Security-Policy"])
    for script in page.select("script"):
        assert script.get("src") or script.get("nonce") == nonce, script  # chart data too, though never run
    assert page.select("script[type='application/json']") or endpoint == "dashboard.actions"
    assert not page.select("[style]")
    assert not page.select("style")
    assert not [tag for tag in page.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]


def test_the_policy_is_not_relaxed_for_the_charts(board_client, coventry):
    policy = board_client.get(url_for("dashboard.show")).headers["Content-Security-Policy"]
    assert "style-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_each_chart_has_a_heading_a_summary_and_the_same_figures_as_a_table(board_client, coventry, pinned_today):
    pinned_today("2015-10-01")
    page = board_client.get_page("dashboard.show")
    for name in CHARTS:
        block = page.select_one(f"#{name}-chart").find_parent(attrs={"data-chart-block": True})
        assert block.select_one(f"h3#{name}-heading").text.strip()
        assert block.select_one(f"p#{name}-summary").text.strip()
        plot = block.select_one(f"#{name}-chart")
        assert plot.has_attr("hidden")  # shown only when the script draws it
        assert plot["role"] == "img" and plot["aria-labelledby"] == f"{name}-heading"
        table = block.select_one("details[data-chart-table][open] table")  # open: there without JavaScript
        assert table.select_one("caption").text.strip()
        figure = json.loads(block.select_one(f"script#{name}-figure").string)
        assert figure["data"] and figure["layout"] and figure["config"]["displayModeBar"] is False


def test_chart_segments_carry_the_address_of_their_list(board_client, coventry, pinned_today):
    pinned_today("2015-10-01")
    page = board_client.get_page("dashboard.show")
    figure = json.loads(page.select_one("script#strands-figure").string)
    assert [trace["name"] for trace in figure["data"]] == [rag.label for rag in RAG_ORDER]
    red = figure["data"][0]
    assert all(address.startswith("/dashboard/actions?") and "rag=red" in address for address in red["customdata"])
    assert red["marker"]["pattern"]["shape"]  # told apart by pattern as well as colour


def test_user_text_in_chart_data_cannot_end_the_script(board_client, pinned_today):
    pinned_today("2015-10-01")
    plan = factories.make_plan(name="Plan </script><script>alert(1)</script>", strands=("</script>Prevent",))
    factories.make_action(plan)
    db.session.commit()
    # The HTML as sent, not as parsed: a parser would split the script where a browser would.
    html = board_client.get(url_for("dashboard.show")).get_data(as_text=True)
    assert "</script><script>alert(1)" not in html
    page = checked_page(board_client.get(url_for("dashboard.show")))
    figure = json.loads(page.select_one("script#strands-figure").string)
    assert figure["data"][0]["y"] == ["</script>Prevent"]  # the JSON still says exactly what was typed


def test_past_view_links_keep_their_date(board_client, coventry, pinned_today):
    pinned_today("2015-10-01")
    page = board_client.get_page("dashboard.show", as_at="2015-06-30")
    figure = json.loads(page.select_one("script#strands-figure").string)
    assert all("as_at=2015-06-30" in address for trace in figure["data"] for address in trace["customdata"])
    today = page.select_one(".govuk-notification-banner a")
    assert today["href"] == "/dashboard"


def test_the_page_loads_plotly_from_the_tracker_with_its_stylesheet(board_client, coventry):
    page = board_client.get_page("dashboard.show")
    version = plotly_bundle().digest
    stylesheet = page.select_one(f"link[id='{STYLE_ELEMENT_ID}']")
    assert "no-inline-styles" in stylesheet["class"]
    assert stylesheet["href"] == f"/dashboard/assets/plotly-{version}.css"
    scripts = [script["src"] for script in page.select("script[src]")]
    assert f"/dashboard/assets/plotly-{version}.min.js" in scripts
    assert scripts.index(f"/dashboard/assets/plotly-{version}.min.js") < scripts.index("/static/js/dashboard.mjs")
    assert page.select_one(f"[id='{plotly_bundle().map_style_id}']")


def test_plotly_is_served_by_the_tracker(board_client):
    bundle = plotly_bundle()
    script = board_client.get(f"/dashboard/assets/plotly-{bundle.digest}.min.js")
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert "max-age=31536000" in script.headers["Cache-Control"]
    assert b"plotly.js (basic - minified) v" in script.data[:300]  # the partial bundle: bar charts only
    assert len(script.data) < 1_500_000
    css = board_client.get(f"/dashboard/assets/plotly-{bundle.digest}.css")
    assert css.mimetype == "text/css"
    assert ".js-plotly-plot .plotly .main-svg{position:absolute" in css.get_data(as_text=True)
    assert board_client.get(f"/dashboard/assets/plotly-{bundle.version}.min.js").status_code == 404


def test_plotly_needs_a_signed_in_user(client):
    digest = plotly_bundle().digest
    assert client.get(f"/dashboard/assets/plotly-{digest}.min.js").status_code == 302


def test_the_list_page_describes_its_filters(board_client, coventry, pinned_today):
    pinned_today("2015-10-01")
    page = board_client.get_page("dashboard.actions", rag="red", overdue="1", as_at="2015-06-30")
    assert page.select_one("h1").text.strip() == "Delivery RAG: Red; Overdue"
    assert "As they stood at the end of 30 June 2015" in page.select_one(".govuk-inset-text").text
    assert re.match(r"\d+ actions?", page.select_one("[role=status]").text.strip())
    assert page.select_one(".govuk-breadcrumbs a")["href"] == "/dashboard?as_at=2015-06-30"
