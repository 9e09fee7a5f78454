"""Readers that turn a plan in a file (CSV today) into one row shape for import_plan."""
