#!/usr/bin/env bash
# Install the GOV.UK Frontend package and copy its built CSS, JS, fonts and images where the app serves them.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
src=node_modules/govuk-frontend/dist/govuk
dest=tracker/static/govuk
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" "$dest/"
cp -R "$src/assets" "$dest/assets"
# plotly.js's partial bundle with only the chart types the dashboard draws (bars): a quarter of the full one.
mkdir -p tracker/static/plotly
cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js tracker/static/plotly/
echo "GOV.UK Frontend $(node -p "require('./node_modules/govuk-frontend/package.json').version") assets are in $dest"
