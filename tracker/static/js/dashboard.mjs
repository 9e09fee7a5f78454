// Draws the dashboard's charts with plotly.js (served by the tracker, loaded just before this
// module) from the JSON beside each chart. The tables stay for anyone without JavaScript; with
// it, each table folds away behind its summary once its chart is drawn.
const Plotly = window.Plotly;

function listBehind(event) {
  const address = event?.points?.[0]?.customdata;
  // Only addresses on this site: the figures link to lists of actions.
  if (typeof address === "string" && address.startsWith("/") && !address.startsWith("//")) {
    window.location.assign(address);
  }
}

async function draw(source) {
  const target = document.getElementById(source.dataset.chart);
  if (!target) return;
  const figure = JSON.parse(source.textContent);
  target.hidden = false;
  await Plotly.newPlot(target, figure.data, figure.layout, figure.config);
  target.on("plotly_click", listBehind);
  target.closest("[data-chart-block]")?.querySelector("details[data-chart-table]")?.removeAttribute("open");
  target.dataset.drawn = "true";
}

if (Plotly) {
  for (const source of document.querySelectorAll('script[type="application/json"][data-chart]')) {
    try {
      await draw(source);
    } catch (error) {
      // One chart failing leaves its table open and the others drawn.
      document.getElementById(source.dataset.chart)?.setAttribute("hidden", "");
      console.warn("Could not draw a dashboard chart", error);
    }
  }
  document.body.dataset.chartsDrawn = "true";
}
