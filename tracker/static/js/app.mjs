// Starts the GOV.UK Frontend components on every page (no inline script is allowed).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
