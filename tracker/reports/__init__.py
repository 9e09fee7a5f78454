"""Reports and exports: a data set per report and renderers for it."""
