"""Reads for pages, reports and exports: a fixed number of queries each, returning plain rows."""
