"""Readers that turn a plan in a file (CSV, Excel, Word) into tables, then into one row shape for import_plan."""
